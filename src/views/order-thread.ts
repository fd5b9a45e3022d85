import { format } from "date-fns";
import type { DcvInstruction } from "../domain/dcv.js";
import { escapeMrkdwn } from "./blocks.js";
import { nextStepText, STATUS_LABEL } from "./order-message.js";

export interface ThreadChange {
  kind: string;
  actor: string;
  detail: Record<string, unknown>;
}

export interface ThreadOrder {
  reference: string;
  status: keyof typeof STATUS_LABEL;
  dcvMethod: string;
  approverEmail: string | null;
  providerName: string;
  dcvInstructions: DcvInstruction[] | null;
  notAfter: Date | null;
  requestedBy: string;
  renewalOfReference?: string;
}

const who = (actor: string) => (/^[UW][A-Z0-9]+$/.test(actor) ? `<@${actor}>` : actor);

/** The reply posted in an order's thread for one audit event; undefined for events that stay silent. */
export function threadReplyText(
  order: ThreadOrder,
  change: ThreadChange,
  approvalNeeded: boolean,
): string | undefined {
  const detail = change.detail;
  switch (change.kind) {
    case "requested":
    case "renewal_requested": {
      // On the original, the event names its renewal.
      if (typeof detail.renewal === "string") {
        return `:repeat: Renewal *${escapeMrkdwn(detail.renewal)}* requested by ${who(change.actor)}.`;
      }
      const renewal = order.renewalOfReference ? ` (renews ${order.renewalOfReference})` : "";
      return approvalNeeded
        ? `:raised_hand: Requested by ${who(change.actor)}${renewal}. Someone in SSL_APPROVERS other than the requester must approve it.`
        : `:outbox_tray: Requested by ${who(change.actor)}${renewal}. Placing the order with ${escapeMrkdwn(order.providerName)}…`;
    }
    case "approved":
      return `:white_check_mark: Approved by ${who(change.actor)}. Placing the order with ${escapeMrkdwn(order.providerName)}…`;
    case "rejected":
      return `:no_entry_sign: Rejected by ${who(change.actor)}: ${escapeMrkdwn(String(detail.reason ?? ""))}`;
    case "key_delivered":
      return `:key: ${who(change.actor)} received the private key and certificate files of ${escapeMrkdwn(order.reference)} by direct message.`;
    case "approval_refused":
      if (detail.action === "key_delivery") {
        return `:lock: ${who(change.actor)} asked for the files of ${escapeMrkdwn(order.reference)} and received the certificate and chain; the private key was not sent (${escapeMrkdwn(String(detail.reason ?? ""))}).`;
      }
      return `:no_entry: ${who(change.actor)} tried to ${detail.action === "reject" ? "reject" : "approve"} but may not (${escapeMrkdwn(String(detail.reason ?? "not an approver"))}).`;
    case "submitted":
      return `:inbox_tray: ${escapeMrkdwn(order.providerName)} accepted the order (${escapeMrkdwn(String(detail.providerOrderId ?? ""))}).\n${nextStepText(order, order.dcvInstructions ?? [])}`;
    case "submission_failed":
      return `:x: The order was not placed with ${escapeMrkdwn(order.providerName)}: ${escapeMrkdwn(String(detail.message ?? ""))}\n${who(order.requestedBy)} can fix it and order again with \`/ssl order\`.`;
    case "submission_unknown":
      return `:warning: The order was sent to ${escapeMrkdwn(order.providerName)} but no answer came back, so it may or may not exist there. Do not order again: if it stays unresolved, certdesk asks someone here to look in ${escapeMrkdwn(order.providerName)}'s control panel.`;
    case "status_changed":
      if (order.status === "issued" && order.notAfter) {
        return `Issued :white_check_mark: — valid until ${format(order.notAfter, "yyyy-MM-dd")}`;
      }
      return `${STATUS_LABEL[order.status]} — ${escapeMrkdwn(String(detail.summary ?? "status changed at the provider"))}`;
    default:
      return undefined;
  }
}
