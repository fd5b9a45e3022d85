import { describe, expect, it } from "vitest";
import { approvalRequired, isFreePrice } from "../../src/domain/approval.js";

const paidOnly = { requireApproval: true, requireApprovalForFree: false };
const all = { requireApproval: true, requireApprovalForFree: true };
const none = { requireApproval: false, requireApprovalForFree: false };

describe("approvalRequired (SSL_REQUIRE_APPROVAL)", () => {
  it("=true: a paid order waits for an approver, a free one (ACME) does not", () => {
    expect(approvalRequired(paidOnly, "8.95 USD")).toBe(true);
    expect(approvalRequired(paidOnly, "0.00 USD")).toBe(false);
  });

  it("=all: free orders wait too", () => {
    expect(approvalRequired(all, "0.00 USD")).toBe(true);
    expect(approvalRequired(all, "8.95 USD")).toBe(true);
  });

  it("counts an unknown price as paid: money may be spent", () => {
    expect(approvalRequired(paidOnly, null)).toBe(true);
    expect(approvalRequired(paidOnly, undefined)).toBe(true);
  });

  it("=false: nothing waits", () => {
    expect(approvalRequired(none, "8.95 USD")).toBe(false);
    expect(approvalRequired(none, null)).toBe(false);
  });
});

describe("isFreePrice", () => {
  it("reads zero amounts with or without a currency as free, anything else not", () => {
    expect(["0.00 USD", "0", "0.0", "00.00 EUR"].map(isFreePrice)).toEqual([true, true, true, true]);
    expect(["0.01 USD", "10.00", "", "free", null, undefined].map(isFreePrice)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
