import { describe, expect, it } from "vitest";
import {
  certificateEnd,
  coverageEnd,
  dcvReusableUntil,
  dcvReuseDays,
  maxValidityDays,
  replacementFor,
  reusableUntilFor,
} from "../../src/domain/lifetime.js";

const at = (iso: string) => new Date(`${iso}T00:00:00Z`);
const DAY_MS = 86_400_000;

describe("the CA/Browser Forum's limits by date (ballot SC-081)", () => {
  it.each([
    ["2026-03-14", 398, 398],
    ["2026-03-15", 200, 200],
    ["2027-03-14", 200, 200],
    ["2027-03-15", 100, 100],
    ["2029-03-14", 100, 100],
    ["2029-03-15", 47, 10],
  ])(
    "on %s a certificate lives at most %i days and a validation is reused %i days",
    (day, validity, reuse) => {
      expect(maxValidityDays(at(day))).toBe(validity);
      expect(dcvReuseDays(at(day))).toBe(reuse);
      expect(dcvReusableUntil(at(day)).getTime() - at(day).getTime()).toBe(reuse * DAY_MS);
    },
  );
});

describe("a subscription and its certificates", () => {
  it("ends its coverage the period after its first certificate's start", () => {
    expect(coverageEnd(at("2026-12-03"), 12)).toEqual(at("2027-12-03"));
    expect(coverageEnd(at("2026-01-31"), 1)).toEqual(at("2026-02-28"));
  });

  it("cuts a certificate at the Forum's maximum less a day, never past the coverage end", () => {
    expect(certificateEnd(at("2026-12-03"), at("2027-12-03"))).toEqual(at("2027-06-20"));
    expect(certificateEnd(at("2027-11-01"), at("2027-12-03"))).toEqual(at("2027-12-03"));
  });

  it("replaces a certificate the subscription outlives by a reissue, the last one by a renewal", () => {
    expect(replacementFor({ notAfter: at("2027-06-20"), coverageEndsAt: at("2027-12-03") })).toBe("reissue");
    expect(replacementFor({ notAfter: at("2027-12-03"), coverageEndsAt: at("2027-12-03") })).toBe("renew");
    expect(replacementFor({ notAfter: at("2027-06-20"), coverageEndsAt: null })).toBe("renew");
  });
});

describe("reusing a validation", () => {
  it("follows the limit in force when the certificate is issued, capped by the CA's own", () => {
    const validated = at("2027-02-01");
    expect(reusableUntilFor(validated, at("2027-02-10"))).toEqual(at("2027-08-20")); // 200 days
    expect(reusableUntilFor(validated, at("2027-03-20"))).toEqual(at("2027-05-12")); // 100 days
    expect(reusableUntilFor(at("2026-12-01"), at("2026-12-10"), 198)).toEqual(at("2027-06-17"));
  });
});
