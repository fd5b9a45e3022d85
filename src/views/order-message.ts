import type { ActionsBlock, Button, KnownBlock } from "@slack/types";
import { format } from "date-fns/format";
import { isFreePrice } from "../domain/approval.js";
import type { DcvInstruction } from "../domain/dcv.js";
import { replacementFor } from "../domain/lifetime.js";
import type { OrderStatus } from "../domain/order.js";
import { clip, context, escapeMrkdwn, markdownSection, plain } from "./blocks.js";
import { priceText, purchaseLine } from "./purchase-review.js";
import { checkButtonLabel, READINESS_ACTIONS } from "./readiness.js";

/** What an order message shows; a plain projection of the order row plus the client's name. */
export interface OrderSummary {
  id: number;
  reference: string;
  clientName: string;
  primaryDomain: string;
  sans: string[];
  productName: string;
  providerName: string;
  periodMonths: number;
  dcvMethod: string;
  approverEmail: string | null;
  requestedBy: string;
  approvedBy: string | null;
  status: OrderStatus;
  notAfter: Date | null;
  /** The subscription's end: reissues are free until then. */
  coverageEndsAt?: Date | null;
  /** The list price shown before buying ("8.95 USD"), null when the provider publishes none. */
  quotedPrice: string | null;
  /** What the provider said it charged, once placed. */
  cost: string | null;
  renewalOfReference?: string;
  /** Its CA validates only when told (ACME): the check button reads "Record is in place". */
  validatesWhenAsked?: boolean;
  /** False where the provider does not reissue (ACME: renew instead): no Reissue button. */
  reissuable?: boolean;
}

export const ORDER_MESSAGE_ACTIONS = {
  checkStatus: "order_check_status",
  details: "order_details",
  renew: "order_renew",
  reissue: "order_reissue",
  resendApproval: "order_resend_approval",
  changeValidation: "order_change_validation",
  approve: "order_approve",
  reject: "order_reject",
} as const;

export const STATUS_EMOJI: Record<OrderStatus, string> = {
  awaiting_approval: ":raised_hand:",
  submitting: ":outbox_tray:",
  pending: ":hourglass_flowing_sand:",
  issued: ":white_check_mark:",
  rejected: ":no_entry_sign:",
  failed: ":x:",
  cancelled: ":heavy_multiplication_x:",
  expired: ":warning:",
  revoked: ":no_entry:",
};

export const STATUS_LABEL: Record<OrderStatus, string> = {
  awaiting_approval: "Waiting for approval",
  submitting: "Submitting to the provider",
  pending: "Validating",
  issued: "Issued",
  rejected: "Rejected",
  failed: "Failed",
  cancelled: "Cancelled",
  expired: "Expired",
  revoked: "Revoked",
};

const STEPS = ["Requested", "Approved", "Submitted", "Validating", "Issued"] as const;

/** Requested → Approved → Submitted → Validating → Issued, with the steps reached in bold. */
export function progressLine(status: OrderStatus, approvalNeeded: boolean): string {
  const reached: Record<OrderStatus, number> = {
    awaiting_approval: 0,
    rejected: 0,
    submitting: 1,
    failed: 1,
    pending: 3,
    issued: 4,
    cancelled: 3,
    expired: 4,
    revoked: 4,
  };
  const steps = approvalNeeded ? STEPS : STEPS.filter((step) => step !== "Approved");
  const last = approvalNeeded ? reached[status] : Math.max(0, reached[status] - 1);
  return steps.map((step, index) => (index <= last ? `*${step}*` : step)).join(" → ");
}

export function orderMessage(
  order: OrderSummary,
  approvalNeeded: boolean,
): { text: string; blocks: KnownBlock[] } {
  const domains = [order.primaryDomain, ...order.sans];
  const expiry = order.notAfter
    ? ` · valid until ${format(order.notAfter, "yyyy-MM-dd")}${coverageText(order)}`
    : "";
  const fields = [
    `*Client*\n${escapeMrkdwn(order.clientName)}`,
    `*Domain${domains.length > 1 ? "s" : ""}*\n${escapeMrkdwn(clip(domains.join(", "), 1900))}`,
    `*Product*\n${escapeMrkdwn(order.productName)} (${escapeMrkdwn(order.providerName)})`,
    `*Period*\n${order.periodMonths % 12 === 0 ? `${order.periodMonths / 12} year${order.periodMonths === 12 ? "" : "s"}` : `${order.periodMonths} months`}`,
    `*Approver*\n${order.dcvMethod === "email" ? escapeMrkdwn(order.approverEmail ?? "—") : order.dcvMethod === "http" ? "HTTP file" : "DNS record"}`,
    `*Requested by*\n<@${order.requestedBy}>${order.approvedBy ? ` · approved by <@${order.approvedBy}>` : ""}`,
    `*Price*\n${orderPriceText(order)}`,
  ];
  const blocks: KnownBlock[] = [
    markdownSection(
      `${STATUS_EMOJI[order.status]} *${order.reference}* · ${escapeMrkdwn(order.primaryDomain)} — *${STATUS_LABEL[order.status]}*${expiry}` +
        (order.renewalOfReference ? `\nRenews ${order.renewalOfReference}` : ""),
      "order_head",
    ),
    {
      type: "section",
      block_id: "order_fields",
      fields: fields.map((text) => ({ type: "mrkdwn" as const, text })),
    },
    context(progressLine(order.status, approvalNeeded), "order_progress"),
    orderActions(order),
  ];
  return {
    text: `${order.reference} ${escapeMrkdwn(order.primaryDomain)} for ${escapeMrkdwn(order.clientName)}: ${STATUS_LABEL[order.status]}`,
    blocks,
  };
}

/** " · covered until 2027-12-03" when the subscription outlives the certificate. */
export function coverageText(order: Pick<OrderSummary, "notAfter" | "coverageEndsAt">): string {
  if (
    !order.notAfter ||
    replacementFor({ notAfter: order.notAfter, coverageEndsAt: order.coverageEndsAt ?? null }) !== "reissue"
  ) {
    return "";
  }
  return ` · covered until ${format(order.coverageEndsAt ?? order.notAfter, "yyyy-MM-dd")}`;
}

function button(text: string, actionId: string, value: string, style?: "primary" | "danger"): Button {
  return { type: "button", text: plain(text, 75), action_id: actionId, value, ...(style ? { style } : {}) };
}

/** Charged once the provider said so; before that the list price, or that there is none. */
export function orderPriceText(order: Pick<OrderSummary, "cost" | "quotedPrice" | "providerName">): string {
  if (order.cost && !isFreePrice(order.cost)) return `${escapeMrkdwn(order.cost)} charged`;
  return priceText(order.quotedPrice, order.providerName);
}

function orderActions(order: OrderSummary): ActionsBlock {
  const value = String(order.id);
  const approve: Button = {
    ...button("Approve", ORDER_MESSAGE_ACTIONS.approve, value, "primary"),
    // Approving spends money at once: the dialog says what, for whom and for how much.
    confirm: {
      title: plain("Approve and buy?", 100),
      text: plain(
        purchaseLine({
          productName: order.productName,
          periodMonths: order.periodMonths,
          clientName: order.clientName,
          price: order.quotedPrice ?? undefined,
          providerName: order.providerName,
        }),
        300,
      ),
      confirm: plain("Approve and buy", 30),
      deny: plain("Cancel", 30),
      style: "primary",
    },
  };
  const elements =
    order.status === "awaiting_approval"
      ? [
          approve,
          button("Reject", ORDER_MESSAGE_ACTIONS.reject, value, "danger"),
          button("Details", ORDER_MESSAGE_ACTIONS.details, value),
        ]
      : [
          button("Check status", ORDER_MESSAGE_ACTIONS.checkStatus, value),
          button("Details", ORDER_MESSAGE_ACTIONS.details, value),
          ...(order.status === "issued" && order.reissuable !== false
            ? [button("Reissue", ORDER_MESSAGE_ACTIONS.reissue, value)]
            : []),
          // Validation actions while the provider waits for the approver.
          ...(order.status === "pending" && order.dcvMethod === "email"
            ? [button("Resend approval e-mail", ORDER_MESSAGE_ACTIONS.resendApproval, value)]
            : []),
          ...(order.status === "pending"
            ? [
                button("Change validation", ORDER_MESSAGE_ACTIONS.changeValidation, value),
                button(checkButtonLabel(order.validatesWhenAsked), READINESS_ACTIONS.check, value),
              ]
            : []),
          button("Renew", ORDER_MESSAGE_ACTIONS.renew, value),
        ];
  return { type: "actions", block_id: `order_actions:${order.id}`, elements };
}

/** The thread reply that says what happens next once the provider has the order. */
export function nextStepText(
  order: { dcvMethod: string; approverEmail: string | null; providerName: string },
  dcv: DcvInstruction[],
): string {
  if (order.dcvMethod === "email") {
    return `:email: ${escapeMrkdwn(order.providerName)} e-mailed *${escapeMrkdwn(order.approverEmail ?? "the approver")}*; the client must approve before the certificate is issued.`;
  }
  const lines = dcv.map((instruction) => {
    if (instruction.method === "http" && instruction.httpUrl) {
      return `• *${escapeMrkdwn(instruction.domain)}*: publish \`${instruction.httpUrl}\` with the content\n\`\`\`${instruction.httpContent ?? ""}\`\`\``;
    }
    if (instruction.method === "dns" && instruction.dnsRecord) {
      const record = instruction.dnsRecord;
      return `• *${escapeMrkdwn(instruction.domain)}*: add the DNS record \`${record.name} ${record.type} ${record.value}\``;
    }
    return `• *${escapeMrkdwn(instruction.domain)}*: see the provider's instructions`;
  });
  return `:globe_with_meridians: To prove control of the domain${dcv.length > 1 ? "s" : ""}, publish:\n${lines.join("\n")}`;
}
