import { addHours } from "date-fns/addHours";

/**
 * When to renew a certificate whose CA gives a renewal window (ACME Renewal Information, RFC 9773),
 * and what certdesk assumes when it gives none.
 */
export interface RenewalWindowTimes {
  start: Date;
  end: Date;
}

/**
 * Without the CA's word: from two thirds of the lifetime (what Let's Encrypt and RFC 9773's
 * examples use) to five sixths, leaving the last sixth (15 days of 90, 1 of 6) for trouble.
 */
export function lifetimeWindow(notBefore: Date, notAfter: Date): RenewalWindowTimes {
  const lifetime = notAfter.getTime() - notBefore.getTime();
  return {
    start: new Date(notBefore.getTime() + (lifetime * 2) / 3),
    end: new Date(notBefore.getTime() + (lifetime * 5) / 6),
  };
}

const MIN_HOURS = 1;
const DEFAULT_HOURS = 6;
const MAX_HOURS = 24;

/**
 * When to ask the CA for the window again: when its Retry-After says, kept between an hour and a
 * day (a CA's Retry-After is to be respected, RFC 9773 §4.3); 6 hours when it says nothing, as the
 * CA may move the window after an incident.
 */
export function nextWindowCheck(now: Date, retryAfter?: Date): Date {
  if (!retryAfter) return addHours(now, DEFAULT_HOURS);
  const hours = (retryAfter.getTime() - now.getTime()) / 3_600_000;
  return addHours(now, Math.min(MAX_HOURS, Math.max(MIN_HOURS, hours)));
}
