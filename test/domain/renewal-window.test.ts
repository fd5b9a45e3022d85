import { describe, expect, it } from "vitest";
import { lifetimeWindow, nextWindowCheck } from "../../src/domain/renewal-window.js";

const HOUR = 3_600_000;
const now = new Date("2026-12-03T12:00:00Z");

describe("lifetimeWindow (no renewal information from the CA)", () => {
  it("opens at two thirds of a 90-day certificate's life and closes at five sixths", () => {
    const window = lifetimeWindow(new Date("2026-12-01T00:00:00Z"), new Date("2027-03-01T00:00:00Z"));
    expect(window.start.toISOString()).toBe("2027-01-30T00:00:00.000Z");
    expect(window.end.toISOString()).toBe("2027-02-14T00:00:00.000Z");
  });

  it("scales to a 6-day certificate", () => {
    const window = lifetimeWindow(new Date("2026-12-01T00:00:00Z"), new Date("2026-12-07T00:00:00Z"));
    expect(window.start.toISOString()).toBe("2026-12-05T00:00:00.000Z");
    expect(window.end.toISOString()).toBe("2026-12-06T00:00:00.000Z");
  });
});

describe("nextWindowCheck", () => {
  it("asks again in 6 hours when the CA gives no Retry-After", () => {
    expect(nextWindowCheck(now).getTime() - now.getTime()).toBe(6 * HOUR);
  });

  it("follows Retry-After between an hour and a day", () => {
    const hoursFromNow = (hours: number) => new Date(now.getTime() + hours * HOUR);
    expect(nextWindowCheck(now, hoursFromNow(3)).getTime() - now.getTime()).toBe(3 * HOUR);
    expect(nextWindowCheck(now, hoursFromNow(0.01)).getTime() - now.getTime()).toBe(HOUR);
    expect(nextWindowCheck(now, hoursFromNow(72)).getTime() - now.getTime()).toBe(24 * HOUR);
  });
});
