import { describe, expect, it } from "vitest";
import {
  type ForecastCertificate,
  type ForecastRules,
  forecastWeeks,
  replacementDue,
} from "../../src/domain/forecast.js";

const DAY_MS = 86_400_000;
/** A Friday: its ISO week, 2026-W48, starts on Monday 23 November. */
const NOW = new Date("2026-11-27T10:00:00Z");
const RULES: ForecastRules = { now: NOW, timeZone: "UTC", expiryDays: [30, 14, 7, 1], autoReissueDays: 0 };

const at = (iso: string) => new Date(iso);
const daysAfter = (date: Date, days: number) => new Date(date.getTime() + days * DAY_MS);

/** A certificate inside a longer subscription (reissued when it runs out), certdesk holding the key. */
function inSubscription(notAfter: string, extra: Partial<ForecastCertificate> = {}): ForecastCertificate {
  return {
    notAfter: at(notAfter),
    coverageEndsAt: daysAfter(at(notAfter), 200),
    renewalWindowStart: null,
    alertDays: null,
    keyHeld: true,
    reissueUnderWay: false,
    renewalUnderWay: false,
    acknowledged: false,
    ...extra,
  };
}

/** The subscription's last certificate: renewed (bought again) when it runs out. */
function lastOfSubscription(notAfter: string, extra: Partial<ForecastCertificate> = {}): ForecastCertificate {
  return inSubscription(notAfter, { coverageEndsAt: at(notAfter), ...extra });
}

/** Week index → the counts that are not zero, for short expectations. */
function busyWeeks(certificates: ForecastCertificate[], rules: Partial<ForecastRules> = {}) {
  const forecast = forecastWeeks(certificates, { ...RULES, ...rules });
  return Object.fromEntries(
    forecast.weeks.flatMap((week, index) => {
      const counts = Object.entries({
        expiring: week.expiring,
        reissuesDue: week.reissuesDue,
        renewalsDue: week.renewalsDue,
      }).filter(([, value]) => value > 0);
      if (counts.length === 0 && week.renewalCost === "0.00") return [];
      return [
        [
          index,
          {
            ...Object.fromEntries(counts),
            ...(week.renewalCost === "0.00" ? {} : { cost: week.renewalCost }),
          },
        ],
      ];
    }),
  );
}

describe("forecastWeeks: the weeks", () => {
  it("has 26 ISO weeks from the current one, Monday to Sunday, across a 53-week year", () => {
    const forecast = forecastWeeks([], RULES);
    expect(forecast.weeks).toHaveLength(26);
    expect(forecast.from).toBe("2026-11-23");
    expect(forecast.to).toBe("2027-05-23");
    expect(forecast.weeks.slice(0, 8).map((week) => [week.monday, week.isoWeek])).toEqual([
      ["2026-11-23", "2026-W48"],
      ["2026-11-30", "2026-W49"],
      ["2026-12-07", "2026-W50"],
      ["2026-12-14", "2026-W51"],
      ["2026-12-21", "2026-W52"],
      ["2026-12-28", "2026-W53"],
      ["2027-01-04", "2027-W01"],
      ["2027-01-11", "2027-W02"],
    ]);
    expect(forecast.weeks.at(-1)).toMatchObject({ monday: "2027-05-17", isoWeek: "2027-W20" });
    expect(forecast.totals).toEqual({ expiring: 0, reissuesDue: 0, renewalsDue: 0, renewalCost: "0.00" });
    expect(forecast.weeks.every((week) => week.renewalCost === "0.00")).toBe(true);
  });

  it("starts the week on TZ's calendar: late on Sunday in UTC is already Monday in Tokyo", () => {
    const sundayNight = at("2026-11-29T23:30:00Z");
    expect(forecastWeeks([], { ...RULES, now: sundayNight }).from).toBe("2026-11-23");
    expect(forecastWeeks([], { ...RULES, now: sundayNight, timeZone: "Asia/Tokyo" }).from).toBe("2026-11-30");
    // A certificate ending at 20:00 UTC that Sunday ends on Monday morning in Tokyo: the next week there.
    const ending = [inSubscription("2026-12-06T20:00:00Z", { acknowledged: true })];
    expect(busyWeeks(ending)).toEqual({ 1: { expiring: 1 } });
    expect(busyWeeks(ending, { timeZone: "Asia/Tokyo" })).toEqual({ 2: { expiring: 1 } });
  });

  it("leaves out certificates that expired before this week, and counts one that expired this Monday", () => {
    expect(
      busyWeeks([
        inSubscription("2026-11-22T23:59:00Z"),
        lastOfSubscription("2026-11-23T08:00:00Z", { renewalCost: { amount: "8.95", currency: "USD" } }),
      ]),
    ).toEqual({ 0: { expiring: 1, renewalsDue: 1, cost: "8.95" } });
  });
});

describe("forecastWeeks: what falls due when", () => {
  it("reissues inside the subscription at the first alert (30 days), or this week when that is past", () => {
    expect(
      busyWeeks([
        // Expires Wed 20 January (W03): reissue due 21 December (W52).
        inSubscription("2027-01-20T12:00:00Z"),
        // Expires Wed 9 December (W50): its first alert was on 9 November, so it is due now.
        inSubscription("2026-12-09T12:00:00Z"),
      ]),
    ).toEqual({ 0: { reissuesDue: 1 }, 2: { expiring: 1 }, 4: { reissuesDue: 1 }, 8: { expiring: 1 } });
  });

  it("follows the client's own thresholds, and AUTO_REISSUE_DAYS where certdesk holds the key", () => {
    const certificates = [
      // The client's own first alert, 60 days before: 21 November, overdue, so W48.
      inSubscription("2027-01-20T12:00:00Z", { alertDays: [60, 7], keyHeld: false }),
      inSubscription("2027-02-17T12:00:00Z"), // AUTO_REISSUE_DAYS 10: due 7 Feb, W05
      inSubscription("2027-02-17T12:00:00Z", { keyHeld: false }), // the client's own CSR: first alert, 18 Jan, W03
    ];
    expect(busyWeeks(certificates, { autoReissueDays: 10 })).toEqual({
      0: { reissuesDue: 1 },
      8: { expiring: 1, reissuesDue: 1 },
      10: { reissuesDue: 1 },
      // Both expire on 17 February, W07.
      12: { expiring: 2 },
    });
  });

  it("renews a subscription's last certificate at the first alert, or when the CA's renewal window opens", () => {
    const certificates = [
      // Expires Wed 10 February (W06): renewal due 11 January, a Monday (W02).
      lastOfSubscription("2027-02-10T12:00:00Z", { renewalCost: { amount: "8.95", currency: "USD" } }),
      // ACME: the CA's window opens on Tue 5 January (W01), free.
      lastOfSubscription("2027-01-25T00:00:00Z", {
        renewalWindowStart: at("2027-01-05T09:00:00Z"),
        renewalCost: { amount: "0.00" },
      }),
    ];
    expect(busyWeeks(certificates)).toEqual({
      6: { renewalsDue: 1 },
      7: { renewalsDue: 1, cost: "8.95" },
      9: { expiring: 1 },
      11: { expiring: 1 },
    });
    expect(forecastWeeks(certificates, RULES)).toMatchObject({ currency: "USD", unpricedRenewals: 0 });
  });

  it("counts the replacement of a certificate expiring after the last week when it falls due within it", () => {
    // Expires 10 June 2027, after 23 May; renewal due 11 May (W19, the 25th week).
    expect(busyWeeks([lastOfSubscription("2027-06-10T12:00:00Z")])).toEqual({ 24: { renewalsDue: 1 } });
    expect(busyWeeks([inSubscription("2027-07-10T12:00:00Z")])).toEqual({});
  });

  it("counts nothing due for work already under way or alerts acknowledged, but still the expiry", () => {
    const certificates = [
      inSubscription("2026-12-30T12:00:00Z", { reissueUnderWay: true }),
      lastOfSubscription("2026-12-30T12:00:00Z", { renewalUnderWay: true }),
      lastOfSubscription("2026-12-30T12:00:00Z", { acknowledged: true }),
      // A renewal on its way does not stop a reissue, nor the other way round.
      inSubscription("2026-12-30T12:00:00Z", { renewalUnderWay: true }),
      lastOfSubscription("2026-12-30T12:00:00Z", { reissueUnderWay: true }),
    ];
    // Due on 30 November (W49), expiring on 30 December (W53).
    expect(busyWeeks(certificates)).toEqual({ 1: { reissuesDue: 1, renewalsDue: 1 }, 5: { expiring: 5 } });
  });
});

describe("forecastWeeks: the cost of the renewals due", () => {
  it("adds the renewals due each week in the currency most are priced in; the others are counted apart", () => {
    const renewing = (notAfter: string, renewalCost?: ForecastCertificate["renewalCost"]) =>
      lastOfSubscription(notAfter, { renewalCost });
    const forecast = forecastWeeks(
      [
        renewing("2027-02-10T12:00:00Z", { amount: "8.95", currency: "USD" }),
        renewing("2027-02-11T12:00:00Z", { amount: "69.00", currency: "USD" }),
        renewing("2027-02-12T12:00:00Z", { amount: "0.1", currency: "USD" }),
        renewing("2027-03-10T12:00:00Z", { amount: "29.00", currency: "USD" }),
        renewing("2027-03-10T12:00:00Z", { amount: "49.00", currency: "EUR" }),
        renewing("2027-03-10T12:00:00Z"),
        renewing("2027-03-10T12:00:00Z", { amount: "0.00" }),
      ],
      RULES,
    );
    expect(forecast.currency).toBe("USD");
    expect(forecast.unpricedRenewals).toBe(2);
    expect(forecast.weeks[7]).toMatchObject({ isoWeek: "2027-W02", renewalsDue: 3, renewalCost: "78.05" });
    expect(forecast.weeks[11]).toMatchObject({ isoWeek: "2027-W06", renewalsDue: 4, renewalCost: "29.00" });
    expect(forecast.totals).toEqual({ expiring: 7, reissuesDue: 0, renewalsDue: 7, renewalCost: "107.05" });
  });

  it("names no currency when the prices name none", () => {
    const forecast = forecastWeeks(
      [lastOfSubscription("2027-02-10T12:00:00Z", { renewalCost: { amount: "12.00" } })],
      RULES,
    );
    expect(forecast.currency).toBeUndefined();
    expect(forecast.totals.renewalCost).toBe("12.00");
  });
});

describe("replacementDue", () => {
  it("is lifetime.ts's choice: a reissue while the subscription outlives the certificate by more than a day", () => {
    const cut = inSubscription("2027-01-20T12:00:00Z", { coverageEndsAt: at("2027-01-21T06:00:00Z") });
    expect(replacementDue(cut, RULES)?.kind).toBe("renew");
    const covered = inSubscription("2027-01-20T12:00:00Z");
    expect(replacementDue(covered, RULES)).toEqual({ kind: "reissue", due: at("2026-12-21T12:00:00Z") });
    expect(replacementDue({ ...covered, coverageEndsAt: null }, RULES)?.kind).toBe("renew");
  });
});
