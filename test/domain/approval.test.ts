import { describe, expect, it } from "vitest";
import { approvalRequired, isFreePrice, wentThroughApproval } from "../../src/domain/approval.js";

const paidOnly = { requireApproval: true, requireApprovalForFree: false };
const all = { requireApproval: true, requireApprovalForFree: true };
const none = { requireApproval: false, requireApprovalForFree: false };

describe("approvalRequired (SSL_REQUIRE_APPROVAL)", () => {
  it("=true: a paid order waits for an approver, a free one (ACME, a reissue) does not", () => {
    expect(approvalRequired(paidOnly, false)).toBe(true);
    expect(approvalRequired(paidOnly, true)).toBe(false);
  });

  it("=all: free orders wait too", () => {
    expect(approvalRequired(all, true)).toBe(true);
    expect(approvalRequired(all, false)).toBe(true);
  });

  it("=false: nothing waits", () => {
    expect(approvalRequired(none, false)).toBe(false);
    expect(approvalRequired(none, true)).toBe(false);
  });
});

describe("wentThroughApproval", () => {
  it("is what the order shows: waiting, or decided by someone", () => {
    expect(wentThroughApproval({ status: "awaiting_approval", approvedBy: null })).toBe(true);
    expect(wentThroughApproval({ status: "pending", approvedBy: "U0SEC" })).toBe(true);
    expect(wentThroughApproval({ status: "rejected", approvedBy: "U0SEC" })).toBe(true);
    expect(wentThroughApproval({ status: "pending", approvedBy: null })).toBe(false);
  });
});

describe("isFreePrice (display)", () => {
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
