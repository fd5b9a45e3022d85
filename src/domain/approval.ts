/**
 * THE rule for who must approve a purchase before it is placed. SSL_REQUIRE_APPROVAL=true: paid
 * orders and renewals wait for a second person; =all: free ones too (an ACME certificate, a
 * reissue inside a subscription). Free is what the provider declares (`Product.free`, a reissue),
 * never read from a price: a reseller's 0.00 list price (a trial, a missing price) still waits.
 */
export interface ApprovalPolicy {
  /** SSL_REQUIRE_APPROVAL=true or all. */
  requireApproval: boolean;
  /** SSL_REQUIRE_APPROVAL=all. */
  requireApprovalForFree: boolean;
}

export function approvalRequired(policy: ApprovalPolicy, free: boolean): boolean {
  return free ? policy.requireApprovalForFree : policy.requireApproval;
}

/**
 * Whether this order went (or goes) through approval, from the order itself: waiting for it, or
 * decided by someone (approved, or rejected). What its message and thread show; the policy decided
 * it once, when the order was created.
 */
export function wentThroughApproval(order: { status: string; approvedBy: string | null }): boolean {
  return order.status === "awaiting_approval" || order.approvedBy !== null;
}

/** "0.00 USD", "0": shown as "free". Unknown (null) is not free. Display only: see approvalRequired. */
export function isFreePrice(price: string | null | undefined): boolean {
  const amount = price?.trim().split(/\s+/)[0];
  return amount !== undefined && /^0+(\.0+)?$/.test(amount);
}
