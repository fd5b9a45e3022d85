import { domainToASCII } from "node:url";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { parse as parseHostname } from "tldts";
import { z } from "zod";
import { isCountryCode } from "../domain/countries.js";

/** A check's outcome: the normalised value, or a message for the field the user typed it in. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A domain as users type it (any case, IDN, trailing dot, pasted URL) → its ASCII (punycode) form,
 * or why a CA will not issue for it.
 */
export function checkDomain(input: string): Checked<string> {
  const trimmed = input
    .trim()
    .replace(/^https?:\/\//i, "")
    .replace(/[/?#].*$/, "")
    .replace(/\.$/, "");
  if (!trimmed) return { ok: false, message: "Enter a domain name, e.g. www.example.com." };
  if (trimmed.length > 253)
    return { ok: false, message: "That domain is longer than the 253 characters DNS allows." };
  // Whether a wildcard fits the product is order-request.ts's rule; here only its form.
  const wildcard = trimmed.startsWith("*.");
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
  const region = country && isCountryCode(country) ? (country.toUpperCase() as never) : undefined;
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
  if (!isCountryCode(code)) {
    return { ok: false, message: "Choose a country from the list (ISO-3166 two-letter code)." };
  }
  return { ok: true, value: code };
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
