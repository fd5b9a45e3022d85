import { describe, expect, it } from "vitest";
import { approversThatFit } from "../../src/commands/approvers.js";

describe("approver addresses the forms offer", () => {
  it("keeps the provider's order and every address that fits", () => {
    const emails = ["admin@example.com", "hostmaster@example.com", "webmaster@example.com"];
    expect(approversThatFit(emails)).toEqual(emails);
  });

  it("never offers an address longer than an option's value, which could not be chosen whole", () => {
    const longDomain = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(20)}.example`;
    const long = `admin@${longDomain}`;
    expect(long.length).toBeGreaterThan(150);
    expect(approversThatFit([long, "admin@example.com"])).toEqual(["admin@example.com"]);
    expect(approversThatFit([long])).toEqual([]);
  });

  it("keeps the list within the part of private_metadata it is given, and at most 50", () => {
    const many = Array.from({ length: 80 }, (_, index) => `approver${index}@${"d".repeat(100)}.example`);
    const kept = approversThatFit(many);
    expect(kept.length).toBeLessThan(many.length);
    expect(JSON.stringify(kept).length).toBeLessThanOrEqual(2_000);
    expect(kept).toEqual(many.slice(0, kept.length));
    const short = Array.from({ length: 80 }, (_, index) => `a${index}@x.io`);
    expect(approversThatFit(short)).toHaveLength(50);
  });
});
