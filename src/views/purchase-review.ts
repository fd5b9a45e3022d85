import type { KnownBlock } from "@slack/types";
import { isFreePrice } from "../domain/approval.js";
import { clip, context, escapeMrkdwn, markdownSection } from "./blocks.js";

/**
 * "What will be bought", shown on the last step of the order and renewal forms before anything is
 * spent, and (shortened) on Approve's confirmation. Plain data in: names as people read them.
 */
export interface PurchaseReview {
  clientName: string;
  providerName: string;
  productName: string;
  periodMonths: number;
  /** Primary first, as people read them (IDN in Unicode). */
  domains: string[];
  validation: { method: "email" | "http" | "dns"; approverEmail?: string };
  addons: string[];
  /** "8.95 USD" from the provider's list prices; undefined when the provider publishes none. */
  price?: string;
  /** Free by the provider's terms (ACME): no approval unless SSL_REQUIRE_APPROVAL=all. */
  free?: boolean;
  /** Renewals name the order they renew. */
  renews?: string;
  /** Whose key: a new one certdesk makes (the default), the one kept from the renewed order, or the client's CSR. */
  key?: "new" | "kept" | "client_csr";
}

export function periodText(months: number): string {
  return months % 12 === 0 ? `${months / 12} year${months === 12 ? "" : "s"}` : `${months} months`;
}

/** A price for people: the amount, or why there is none. */
export function priceText(price: string | null | undefined, providerName: string): string {
  if (isFreePrice(price)) return "free";
  return price
    ? escapeMrkdwn(price)
    : `price not available (${escapeMrkdwn(providerName)} publishes no prices)`;
}

function validationText(validation: PurchaseReview["validation"]): string {
  switch (validation.method) {
    case "email":
      return `e-mail to ${escapeMrkdwn(validation.approverEmail ?? "the approver address")}`;
    case "http":
      return "a file on the web server (HTTP)";
    case "dns":
      return "a DNS record (CNAME)";
  }
}

const KEY_TEXT = {
  new: "A new key pair, made and kept (encrypted) by certdesk",
  kept: "The current key, kept from the order renewed",
  client_csr: "The client's own CSR: the private key stays with the client",
} as const;

export function purchaseReviewBlocks(review: PurchaseReview): KnownBlock[] {
  const lines = [
    `*${review.renews ? `Renewing ${escapeMrkdwn(review.renews)}: you are` : "You are"} about to buy* for *${escapeMrkdwn(review.clientName)}*`,
    `• *${escapeMrkdwn(review.productName)}* from ${escapeMrkdwn(review.providerName)}, ${periodText(review.periodMonths)}`,
    `• ${escapeMrkdwn(clip(review.domains.join(", "), 1500))}`,
    `• Validation by ${validationText(review.validation)}`,
  ];
  if (review.addons.length > 0) lines.push(`• Add-ons: ${escapeMrkdwn(review.addons.join(", "))}`);
  if (review.key) lines.push(`• ${KEY_TEXT[review.key]}`);
  lines.push(`• Price: *${priceText(review.price, review.providerName)}*`);
  return [
    markdownSection(lines.join("\n"), "purchase_review"),
    context(
      review.price
        ? "The provider's list price; the amount charged to the account is shown on the order once placed."
        : "The amount charged to the account is shown on the order once placed.",
    ),
    { type: "divider" },
  ];
}

/** One line for Approve's confirmation dialog (plain text: confirm dialogs take up to 300 characters). */
export function purchaseLine(
  review: Pick<PurchaseReview, "productName" | "periodMonths" | "clientName" | "price" | "providerName">,
): string {
  return clip(
    `${review.productName}, ${periodText(review.periodMonths)}, for ${review.clientName}: ${review.price ?? "price not available"}. ` +
      `certdesk places it with ${review.providerName} at once.`,
    300,
  );
}
