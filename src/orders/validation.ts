import { domainToASCII, domainToUnicode } from "node:url";
import countries from "i18n-iso-countries";
import english from "i18n-iso-countries/langs/en.json" with { type: "json" };
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { parse as parseHostname } from "tldts";
import { z } from "zod";

countries.registerLocale(english);

/** A check's outcome: the normalised value, or a message for the field the user typed it in. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A domain as users type it (any case, IDN, trailing dot, pasted URL) → its ASCII (punycode) form,
 * or why a CA will not issue for it.
 */
export function checkDomain(input: string, options: { allowWildcard?: boolean } = {}): Checked<string> {
  const trimmed = input
    .trim()
    .replace(/^https?:\/\//i, "")
    .replace(/[/?#].*$/, "")
    .replace(/\.$/, "");
  if (!trimmed) return { ok: false, message: "Enter a domain name, e.g. www.example.com." };
  if (trimmed.length > 253)
    return { ok: false, message: "That domain is longer than the 253 characters DNS allows." };
  const wildcard = trimmed.startsWith("*.");
  if (wildcard && !options.allowWildcard) {
    return {
      ok: false,
      message: "Wildcards (*.) need a wildcard product: pick one, or enter a single name.",
    };
  }
  const base = wildcard ? trimmed.slice(2) : trimmed;
  if (base.includes("*")) return { ok: false, message: "Only a leading *. is allowed in a wildcard domain." };
  const ascii = domainToASCII(base.toLowerCase());
  if (!ascii) return { ok: false, message: `"${clip(input)}" is not a valid domain name.` };
  const parsed = parseHostname(ascii, { allowPrivateDomains: true });
  if (parsed.isIp)
    return { ok: false, message: "Certificates are issued for domain names, not IP addresses." };
  const labels = ascii.split(".");
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
    return { ok: false, message: `"${clip(input)}" is not a valid domain name.` };
  }
  if (!parsed.publicSuffix || !parsed.domain || !parsed.isIcann) {
    return {
      ok: false,
      message: `"${clip(input)}" does not end in a public top-level domain, so no public CA can issue for it.`,
    };
  }
  return { ok: true, value: wildcard ? `*.${ascii}` : ascii };
}

/** The domain as people read it (IDN in Unicode), for messages. */
export function displayDomain(ascii: string): string {
  const wildcard = ascii.startsWith("*.");
  const unicode = domainToUnicode(wildcard ? ascii.slice(2) : ascii) || ascii;
  return wildcard ? `*.${unicode}` : unicode;
}

/** The registrable domain (example.co.uk for www.shop.example.co.uk). */
export function registrableDomain(ascii: string): string {
  return parseHostname(ascii.replace(/^\*\./, ""), { allowPrivateDomains: true }).domain ?? ascii;
}

const emailSchema = z.email();

export function checkEmail(input: string): Checked<string> {
  const value = input.trim();
  if (!value) return { ok: false, message: "Enter an e-mail address." };
  if (!emailSchema.safeParse(value).success) {
    return { ok: false, message: `"${clip(value)}" is not an e-mail address (name@example.com).` };
  }
  return { ok: true, value };
}

/** Phone numbers in international form; a national number is read in the client's country. */
export function checkPhone(input: string, country?: string): Checked<string> {
  const value = input.trim();
  if (!value) return { ok: false, message: "Enter a phone number, e.g. +44 20 7946 0000." };
  const region = country && countries.isValid(country) ? (country.toUpperCase() as never) : undefined;
  const parsed = parsePhoneNumberFromString(value, region);
  if (!parsed?.isValid()) {
    return {
      ok: false,
      message: `"${clip(value)}" is not a valid phone number${region ? ` for ${country}` : ""}: use the international form, e.g. +44 20 7946 0000.`,
    };
  }
  return { ok: true, value: parsed.formatInternational() };
}

export function checkCountry(input: string): Checked<string> {
  const code = input.trim().toUpperCase();
  if (!countries.isValid(code) || code.length !== 2) {
    return { ok: false, message: "Choose a country from the list (ISO-3166 two-letter code)." };
  }
  return { ok: true, value: code };
}

export function countryName(code: string): string {
  return countries.getName(code, "en") ?? code;
}

/** Every ISO-3166 country as [code, English name], sorted by name. */
export function allCountries(): [string, string][] {
  return Object.entries(countries.getNames("en", { select: "official" })).sort((a, b) =>
    a[1].localeCompare(b[1]),
  );
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
