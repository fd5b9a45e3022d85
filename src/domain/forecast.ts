import { replacementFor } from "./lifetime.js";
import { fromCents, type Money, toCents } from "./money.js";

/**
 * "A picture of what is coming": per ISO week, from the current one, how many certificates expire,
 * how many reissues and renewals fall due, and what those renewals cost at list price. Which
 * replacement a certificate needs is lifetime.ts's rule (replacementFor); when it falls due is the
 * rule the expiry scan, the automatic reissue and the renewal windows already follow (replacementDue).
 */

export const FORECAST_WEEKS = 26;
const DAY_MS = 86_400_000;

/** An issued certificate that no issued renewal has replaced, as the forecast needs it. */
export interface ForecastCertificate {
  notAfter: Date;
  /** The subscription's end: a certificate it outlives is reissued (free), else renewed. */
  coverageEndsAt: Date | null;
  /** When the CA says to renew (an ACME renewal window); null where the expiry thresholds decide. */
  renewalWindowStart: Date | null;
  /** The client's own alert thresholds in days; null: EXPIRY_DAYS. */
  alertDays: number[] | null;
  /** certdesk holds the key, so AUTO_REISSUE_DAYS may reissue it (a client's own CSR: a person does). */
  keyHeld: boolean;
  /** A reissue is already on its way (awaiting approval, being placed or validated). */
  reissueUnderWay: boolean;
  /** A renewal order is already on its way. */
  renewalUnderWay: boolean;
  /** Someone acknowledged its alerts ("stop telling me"): it still expires, nothing falls due. */
  acknowledged: boolean;
  /** What renewing it costs (list price, else what was charged last time); undefined when unknown. */
  renewalCost?: Money;
}

export interface ForecastRules {
  now: Date;
  /** TZ: weeks run Monday to Sunday on its calendar. */
  timeZone: string;
  /** EXPIRY_DAYS: a replacement falls due at the first (largest) threshold, when the first alert offers it. */
  expiryDays: number[];
  /** AUTO_REISSUE_DAYS: where certdesk reissues by itself, the reissue falls due then instead; 0 = off. */
  autoReissueDays: number;
  weeks?: number;
}

export interface ForecastWeek {
  /** The week's Monday on TZ's calendar: "2026-11-23". */
  monday: string;
  /** ISO 8601 week: "2026-W48". */
  isoWeek: string;
  expiring: number;
  reissuesDue: number;
  renewalsDue: number;
  /** The renewals due this week at their cost, in Forecast.currency: "412.50"; "0.00" when none. */
  renewalCost: string;
}

export interface Forecast {
  timeZone: string;
  weeks: ForecastWeek[];
  /** The first week's Monday and the last week's Sunday, on TZ's calendar. */
  from: string;
  to: string;
  /** The cost's currency: the one most renewals are priced in; undefined when the prices name none. */
  currency?: string;
  /** Renewals due with no known price, or priced in another currency: counted, not in the cost. */
  unpricedRenewals: number;
  totals: { expiring: number; reissuesDue: number; renewalsDue: number; renewalCost: string };
}

export type Replacement = { kind: "reissue" | "renew"; due: Date };

/**
 * When a certificate's replacement falls due, and which one (undefined: nothing to do, because it is
 * under way or its alerts were acknowledged):
 * - a reissue (the subscription outlives the certificate): AUTO_REISSUE_DAYS before expiry when
 *   certdesk reissues by itself (it holds the key), else at the first expiry alert;
 * - a renewal (a new purchase): when the CA's renewal window opens where it gives one (ACME), else
 *   at the first expiry alert.
 */
export function replacementDue(
  certificate: ForecastCertificate,
  rules: Pick<ForecastRules, "expiryDays" | "autoReissueDays">,
): Replacement | undefined {
  if (certificate.acknowledged) return undefined;
  const firstAlert = Math.max(0, ...(certificate.alertDays ?? rules.expiryDays));
  const before = (days: number) => new Date(certificate.notAfter.getTime() - days * DAY_MS);
  if (replacementFor(certificate) === "reissue") {
    if (certificate.reissueUnderWay) return undefined;
    const automatic = rules.autoReissueDays > 0 && certificate.keyHeld;
    return { kind: "reissue", due: before(automatic ? rules.autoReissueDays : firstAlert) };
  }
  if (certificate.renewalUnderWay) return undefined;
  return { kind: "renew", due: certificate.renewalWindowStart ?? before(firstAlert) };
}

/**
 * The forecast: `weeks` ISO weeks (26) from the one `now` is in, on TZ's calendar. A certificate
 * counts as expiring in the week of its not-after (already expired this week included); its
 * replacement in the week it falls due, or this week when that is already past (overdue work is
 * still to do). Certificates that expired before this week are not "coming" and are left out.
 */
export function forecastWeeks(certificates: ForecastCertificate[], rules: ForecastRules): Forecast {
  const count = rules.weeks ?? FORECAST_WEEKS;
  const dayOf = calendarDays(rules.timeZone);
  const today = dayOf(rules.now);
  const firstMonday = today - daysSinceMonday(today);
  const weekOf = (date: Date) => Math.floor((dayOf(date) - firstMonday) / 7);

  const weeks = Array.from({ length: count }, (_, index) => {
    const monday = firstMonday + index * 7;
    return { monday: isoDate(monday), isoWeek: isoWeek(monday), expiring: 0, reissuesDue: 0, renewalsDue: 0 };
  });
  const renewals: { week: number; cost?: Money }[] = [];
  for (const certificate of certificates) {
    const expires = weekOf(certificate.notAfter);
    if (expires < 0) continue;
    const expiring = weeks[expires];
    if (expiring) expiring.expiring += 1;
    const replacement = replacementDue(certificate, rules);
    if (!replacement) continue;
    const week = Math.max(0, weekOf(replacement.due));
    const due = weeks[week];
    if (!due) continue;
    if (replacement.kind === "reissue") due.reissuesDue += 1;
    else {
      due.renewalsDue += 1;
      renewals.push({ week, cost: certificate.renewalCost });
    }
  }

  const currency = mainCurrency(renewals.map((renewal) => renewal.cost));
  const cents = weeks.map(() => 0);
  let unpricedRenewals = 0;
  for (const { week, cost } of renewals) {
    const amount = cost ? toCents(cost.amount) : Number.NaN;
    if (amount === 0) continue;
    if (!cost || !Number.isSafeInteger(amount) || (cost.currency ?? "") !== (currency ?? "")) {
      unpricedRenewals += 1;
      continue;
    }
    cents[week] = (cents[week] ?? 0) + amount;
  }
  const total = (field: "expiring" | "reissuesDue" | "renewalsDue") =>
    weeks.reduce((sum, week) => sum + week[field], 0);
  return {
    timeZone: rules.timeZone,
    weeks: weeks.map((week, index) => ({ ...week, renewalCost: fromCents(cents[index] ?? 0) })),
    from: isoDate(firstMonday),
    to: isoDate(firstMonday + count * 7 - 1),
    ...(currency ? { currency } : {}),
    unpricedRenewals,
    totals: {
      expiring: total("expiring"),
      reissuesDue: total("reissuesDue"),
      renewalsDue: total("renewalsDue"),
      renewalCost: fromCents(cents.reduce((sum, value) => sum + value, 0)),
    },
  };
}

/** The currency most priced renewals are in (free ones count for none); ties: alphabetical. */
function mainCurrency(costs: (Money | undefined)[]): string | undefined {
  const seen = new Map<string, number>();
  for (const cost of costs) {
    if (!cost || toCents(cost.amount) === 0) continue;
    const key = cost.currency ?? "";
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const [first] = [...seen].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return first?.[0] || undefined;
}

/** Days since 1970-01-01 of an instant's date on TZ's calendar. */
function calendarDays(timeZone: string): (date: Date) => number {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
  });
  return (date) => {
    const parts = Object.fromEntries(format.formatToParts(date).map((part) => [part.type, part.value]));
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)) / DAY_MS;
  };
}

/** 1970-01-01 was a Thursday: three days after a Monday. */
function daysSinceMonday(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** ISO 8601 week of the week starting on Monday `monday`: its Thursday decides the year. */
function isoWeek(monday: number): string {
  const thursday = monday + 3;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1) / DAY_MS) / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}
