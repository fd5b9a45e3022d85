/**
 * Intl.DateTimeFormat instances, one per locale, options and time zone, made once. Building one
 * loads ICU's calendar and zone data: ~40 µs each, which `/ssl list` paid several times per row
 * (dayIn for the expiry and the coverage of ten rows: 4.6% of the app's CPU in
 * `bench/ack-latency/run.ts --by-kind --cpu-prof`). Formatting with a kept instance is pure.
 */
const FORMATS = new Map<string, Intl.DateTimeFormat>();

export function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}\u0000${JSON.stringify(options)}`;
  let format = FORMATS.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    FORMATS.set(key, format);
  }
  return format;
}
