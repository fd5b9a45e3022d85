/**
 * THE rule for who must approve a purchase before it is placed. SSL_REQUIRE_APPROVAL=true: paid
 * orders and renewals wait for a second person; =all: free ones too (an ACME certificate, a
 * reissue inside a subscription). A price certdesk does not know counts as paid: money may be spent.
 */
export interface ApprovalPolicy {
  /** SSL_REQUIRE_APPROVAL=true or all. */
  requireApproval: boolean;
  /** SSL_REQUIRE_APPROVAL=all. */
  requireApprovalForFree: boolean;
}

export function approvalRequired(policy: ApprovalPolicy, quotedPrice: string | null | undefined): boolean {
  return isFreePrice(quotedPrice) ? policy.requireApprovalForFree : policy.requireApproval;
}

/** "0.00 USD", "0": nothing to pay. Unknown (null) is not free. */
export function isFreePrice(price: string | null | undefined): boolean {
  const amount = price?.trim().split(/\s+/)[0];
  return amount !== undefined && /^0+(\.0+)?$/.test(amount);
}
