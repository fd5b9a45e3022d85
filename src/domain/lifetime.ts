import { addDays } from "date-fns/addDays";
import { addMonths } from "date-fns/addMonths";
import { isBefore } from "date-fns/isBefore";
import { min as earliest } from "date-fns/min";

/**
 * The CA/Browser Forum's limits on how long a public TLS certificate lives and how long a domain
 * validation may be reused (ballot SC-081), and what they mean for a subscription. The one place
 * these dates live.
 */

const SCHEDULE: { from: Date; validityDays: number; dcvReuseDays: number }[] = [
  { from: new Date("2029-03-15T00:00:00Z"), validityDays: 47, dcvReuseDays: 10 },
  { from: new Date("2027-03-15T00:00:00Z"), validityDays: 100, dcvReuseDays: 100 },
  { from: new Date("2026-03-15T00:00:00Z"), validityDays: 200, dcvReuseDays: 200 },
];
const BEFORE_2026 = { validityDays: 398, dcvReuseDays: 398 };

function rulesAt(date: Date) {
  return SCHEDULE.find((rule) => !isBefore(date, rule.from)) ?? BEFORE_2026;
}

/** The longest a certificate issued on `date` may live. */
export function maxValidityDays(date: Date): number {
  return rulesAt(date).validityDays;
}

/** How long a domain validation made on `date` may be reused (the provider may say less). */
export function dcvReuseDays(date: Date): number {
  return rulesAt(date).dcvReuseDays;
}

/**
 * Until when a validation made on `validatedAt` may be reused: the Forum's maximum for that date,
 * or the CA's own shorter limit (`caDays`) where it has one.
 */
export function dcvReusableUntil(validatedAt: Date, caDays?: number): Date {
  const days = dcvReuseDays(validatedAt);
  return addDays(validatedAt, caDays !== undefined ? Math.min(caDays, days) : days);
}

/**
 * Until when a validation made on `validatedAt` may still be reused for a certificate issued on
 * `issuedOn`: the Forum's limit is the one in force when the certificate is issued (a validation of
 * February 2027 is reusable 200 days then, only 100 once 2027-03-15 has passed), capped by the CA's.
 */
export function reusableUntilFor(validatedAt: Date, issuedOn: Date, caDays?: number): Date {
  const days = Math.min(
    dcvReuseDays(issuedOn),
    dcvReuseDays(validatedAt),
    caDays ?? Number.POSITIVE_INFINITY,
  );
  return addDays(validatedAt, days);
}

/** The end of a subscription of `periodMonths` whose first certificate starts at `start`. */
export function coverageEnd(start: Date, periodMonths: number): Date {
  return addMonths(start, periodMonths);
}

/**
 * When a certificate issued `now` on a subscription ending `coverageEndsAt` expires: the Forum's
 * maximum less a day of margin (the sandbox's 199 days today), never past the coverage end.
 */
export function certificateEnd(now: Date, coverageEndsAt: Date): Date {
  return earliest([addDays(now, maxValidityDays(now) - 1), coverageEndsAt]);
}

/**
 * What replaces a certificate that is running out: a free reissue while the subscription outlives
 * it, a renewal (a new purchase) when the subscription ends with it. A day's slack: a certificate
 * cut at the coverage end is the subscription's last.
 */
export function replacementFor(certificate: {
  notAfter: Date;
  coverageEndsAt: Date | null;
}): "reissue" | "renew" {
  if (!certificate.coverageEndsAt) return "renew";
  return isBefore(addDays(certificate.notAfter, 1), certificate.coverageEndsAt) ? "reissue" : "renew";
}
