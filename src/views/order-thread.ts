import type { ActionsBlock, KnownBlock } from "@slack/types";
import { format } from "date-fns/format";
import { certificateLabel } from "../domain/certificate.js";
import type { DcvInstruction } from "../domain/dcv.js";
import type { Finding } from "../domain/readiness.js";
import { SERVED_GRACE_DAYS } from "../domain/served.js";
import { escapeMrkdwn, markdownSection, plain } from "./blocks.js";
import { nextStepText, ORDER_MESSAGE_ACTIONS, STATUS_LABEL } from "./order-message.js";
import { checkButtonLabel, findingsText, validationButtons } from "./readiness.js";
import { revocationReasonText } from "./revoke-modal.js";

export interface ThreadChange {
  kind: string;
  actor: string;
  detail: Record<string, unknown>;
}

export interface ThreadOrder {
  /** For the buttons of replies that ask something (absent: text only). */
  id?: number;
  reference: string;
  status: keyof typeof STATUS_LABEL;
  dcvMethod: string;
  approverEmail: string | null;
  providerName: string;
  dcvInstructions: DcvInstruction[] | null;
  notAfter: Date | null;
  requestedBy: string;
  renewalOfReference?: string;
  /** False when the client supplied the CSR (certdesk holds no key). */
  keyHeld?: boolean;
  /** Its CA validates only when told (ACME): the check button reads "Record is in place". */
  validatesWhenAsked?: boolean;
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
    case "reissue_requested": {
      const label = certificateLabel(order.reference, Number(detail.certificate));
      if (change.actor === "system" && !detail.requireApproval) {
        return `:robot_face: Automatic reissue (AUTO_REISSUE_DAYS): ${escapeMrkdwn(label)} with a ${keyText(detail.key)}, free. Sending it to ${escapeMrkdwn(order.providerName)}…`;
      }
      return detail.requireApproval
        ? `:raised_hand: ${who(change.actor)} asked for a reissue (${escapeMrkdwn(label)}, ${keyText(detail.key)}). Free; someone in SSL_APPROVERS other than them must approve it.`
        : `:arrows_counterclockwise: ${who(change.actor)} asked for a reissue (${escapeMrkdwn(label)}, ${keyText(detail.key)}). Free; sending it to ${escapeMrkdwn(order.providerName)}…`;
    }
    case "validation_changed": {
      const dcv = (detail.dcv as DcvInstruction[] | undefined) ?? [];
      const method = String(detail.to ?? order.dcvMethod);
      const email = typeof detail.email === "string" ? detail.email : null;
      const some = Array.isArray(detail.domains)
        ? ` of ${escapeMrkdwn(detail.domains.map(String).join(", ").slice(0, 500))}`
        : "";
      return `:arrows_counterclockwise: ${who(change.actor)} changed the validation${some} to ${VALIDATION_WORDS[method] ?? escapeMrkdwn(method)}.\n${nextStepText({ ...order, dcvMethod: method, approverEmail: email }, dcv)}`;
    }
    case "validation_checked": {
      const findings = (detail.findings as Finding[] | undefined) ?? [];
      return `:mag: ${who(change.actor)} ran *${checkButtonLabel(order.validatesWhenAsked)}* — what certdesk sees from outside:\n${findingsText(findings)}${recheckText(order, detail.recheck)}`;
    }
    case "renewal_window_open":
      return renewalWindowText(order, detail);
    case "served_problem":
      return servedProblemText(order, detail);
    case "imported":
      return importedText(order, change);
    case "validation_stuck": {
      const findings = (detail.findings as Finding[] | undefined) ?? [];
      return `:hourglass_flowing_sand: ${escapeMrkdwn(order.reference)} has waited for domain validation at ${escapeMrkdwn(order.providerName)} for over ${Number(detail.hours)} hours. What certdesk sees from outside:\n${findingsText(findings)}\nFix what is marked, then press *${checkButtonLabel(order.validatesWhenAsked)}*; or change the validation.`;
    }
    case "approval_resent":
      return `:email: ${who(change.actor)} asked ${escapeMrkdwn(order.providerName)} to send the approval e-mail to *${escapeMrkdwn(String(detail.email ?? order.approverEmail ?? ""))}* again.`;
    case "reissue_approved":
      return `:white_check_mark: ${who(change.actor)} approved the reissue ${escapeMrkdwn(certificateLabel(order.reference, Number(detail.certificate)))}. Sending it to ${escapeMrkdwn(order.providerName)}…`;
    case "reissue_rejected":
      return `:no_entry_sign: ${who(change.actor)} rejected the reissue ${escapeMrkdwn(certificateLabel(order.reference, Number(detail.certificate)))}; the current certificate stays.`;
    case "reissue_submitted": {
      const label = certificateLabel(order.reference, Number(detail.certificate));
      const dcv = (detail.dcv as DcvInstruction[] | undefined) ?? [];
      const method = dcv[0]?.method ?? order.dcvMethod;
      const steps = nextStepText(
        { ...order, dcvMethod: method, approverEmail: dcv[0]?.email ?? order.approverEmail },
        dcv,
      );
      // Nobody clicked anything for an automatic reissue: say who must act, and by when.
      const until = order.notAfter ? format(order.notAfter, "yyyy-MM-dd") : "the certificate expires";
      const ask =
        change.actor === "system"
          ? `\nAutomatic reissue: someone here must see this done before ${until}.`
          : "";
      return `:inbox_tray: ${escapeMrkdwn(order.providerName)} accepted the reissue ${escapeMrkdwn(label)}. The current certificate stays valid meanwhile.\n${steps}${ask}`;
    }
    case "reissued": {
      const label = certificateLabel(order.reference, Number(detail.certificate));
      const until =
        typeof detail.notAfter === "string" ? format(new Date(detail.notAfter), "yyyy-MM-dd") : "?";
      return `:white_check_mark: ${escapeMrkdwn(label)} issued — valid until ${until}. Details has the new certificate${order.keyHeld === false ? " (the key stays with the client)" : " (and key, for approvers)"}; install it before the old one expires.`;
    }
    case "revoked": {
      const label = certificateLabel(order.reference, Number(detail.certificate ?? 1));
      return `:no_entry: ${who(change.actor)} revoked the certificate of ${escapeMrkdwn(label)} (${revocationReasonText(detail.reason)}).`;
    }
    case "reissue_failed": {
      const label = certificateLabel(order.reference, Number(detail.certificate));
      return `:x: ${escapeMrkdwn(label)} was not issued: ${escapeMrkdwn(String(detail.reason ?? ""))} The current certificate stays valid; Reissue can be tried again.`;
    }
    default:
      return undefined;
  }
}

/** What the served-certificate probe (PROBE_CRON) found, told once per certificate and problem. */
function servedProblemText(order: ThreadOrder, detail: Record<string, unknown>): string {
  const label = escapeMrkdwn(String(detail.label ?? order.reference));
  const targets = Array.isArray(detail.targets) ? detail.targets.map(String) : [];
  const where = escapeMrkdwn(targets.join(", ").slice(0, 500));
  const day = (key: string) =>
    typeof detail[key] === "string" ? format(new Date(detail[key] as string), "yyyy-MM-dd") : "?";
  switch (detail.problem) {
    case "incomplete_chain":
      return `:link: ${where} ${targets.length > 1 ? "serve" : "serves"} *${label}* without its full chain: ${escapeMrkdwn(String(detail.missing ?? "an intermediate"))} is not sent, so clients that do not already have it refuse the connection. Install the full chain (Details → Certificate sends it).`;
    case "expires_sooner":
      return `:warning: ${where} still ${targets.length > 1 ? "serve" : "serves"} another certificate, which expires on ${day("servedNotAfter")}, before *${label}* (${day("notAfter")}). Install *${label}* there.`;
    default: {
      const reasons = Array.isArray(detail.reasons) ? detail.reasons.map(String) : [];
      const why = reasons.length > 0 ? `: ${escapeMrkdwn(reasons.join(" ").slice(0, 800))}` : ".";
      return `:mag: *${label}* is still not served on ${where}, ${SERVED_GRACE_DAYS} days after it was issued${why}\nInstall it there; if it is served on another port, set the client's TLS ports (\`/ssl client edit\`).`;
    }
  }
}

export const REISSUE_APPROVAL_ACTIONS = {
  approve: "reissue_approve",
  reject: "reissue_reject",
} as const;

/** Replies about a pending order's validation: they carry its validation buttons. */
const VALIDATION_REPLIES = new Set([
  "submitted",
  "validation_changed",
  "validation_checked",
  "validation_stuck",
  "approval_resent",
]);

/**
 * Buttons under a thread reply, for the events that ask something of the people in the thread:
 * a reissue waiting for approval (SSL_REQUIRE_APPROVAL=all; the value is the certificate's id),
 * and a pending order's validation (resend, change, check; the value is the order's id).
 * Undefined for every other event (the reply is text only).
 */
export function threadReplyActions(change: ThreadChange, order?: ThreadOrder): ActionsBlock | undefined {
  if (
    change.kind === "renewal_window_open" &&
    !change.detail.automatic &&
    change.detail.renewal === undefined &&
    order?.id !== undefined
  ) {
    return {
      type: "actions",
      block_id: `renewal_window:${order.id}`,
      elements: [
        {
          type: "button",
          action_id: ORDER_MESSAGE_ACTIONS.renew,
          text: plain("Renew", 75),
          style: "primary",
          value: String(order.id),
        },
      ],
    };
  }
  if (VALIDATION_REPLIES.has(change.kind) && order?.id !== undefined && order.status === "pending") {
    return validationButtons({
      orderId: order.id,
      emailValidated: order.dcvMethod === "email",
      validatesWhenAsked: order.validatesWhenAsked,
      actionIds: ORDER_MESSAGE_ACTIONS,
    });
  }
  if (change.kind !== "reissue_requested" || !change.detail.requireApproval) return undefined;
  const value = String(change.detail.certificateId ?? "");
  return {
    type: "actions",
    block_id: `reissue_approval:${value}`,
    elements: [
      {
        type: "button",
        action_id: REISSUE_APPROVAL_ACTIONS.approve,
        text: plain("Approve reissue", 75),
        style: "primary",
        value,
      },
      { type: "button", action_id: REISSUE_APPROVAL_ACTIONS.reject, text: plain("Reject", 75), value },
    ],
  };
}

/** What became of asking the CA to look again (validation-service.ts Recheck), as a last line. */
function recheckText(
  order: Pick<ThreadOrder, "providerName" | "validatesWhenAsked">,
  recheck: unknown,
): string {
  if (!recheck || typeof recheck !== "object") return "";
  const provider = escapeMrkdwn(order.providerName);
  const ask = order.validatesWhenAsked ? "validate" : "check again";
  if ("asked" in recheck && recheck.asked)
    return `\n:arrows_counterclockwise: ${provider} was asked to ${ask} now.`;
  if ("error" in recheck)
    return `\n:warning: ${provider} was not asked to ${ask}: ${escapeMrkdwn(String(recheck.error))}`;
  if ("reason" in recheck && recheck.reason === "unconfirmed") {
    return `\n:hourglass: ${provider} was not asked yet: certdesk did not see every record or file in place (it answers once, and a missing one fails the order). Each poll looks again and asks as soon as it does.`;
  }
  return `\nFix what is marked :x:, then press *${checkButtonLabel(order.validatesWhenAsked)}* again: certdesk then asks ${provider} to ${ask}.`;
}

const VALIDATION_WORDS: Record<string, string> = {
  email: "e-mail",
  http: "an HTTP file",
  dns: "a DNS record",
};

function keyText(key: unknown): string {
  if (key === "current") return "same key";
  if (key === "csr") return "the client's CSR";
  return `new ${String(key ?? "").toUpperCase()} key`;
}

/** A thread reply as a message: its text, and its buttons when it asks something. */
export function threadReplyMessage(
  text: string,
  change: ThreadChange,
  order?: ThreadOrder,
): { text: string; blocks?: KnownBlock[] } {
  const actions = threadReplyActions(change, order);
  return actions ? { text, blocks: [markdownSection(text), actions] } : { text };
}

/**
 * The CA's renewal window opened (or, without one, two thirds of the lifetime passed): when, the
 * CA's explanation where it gave one, and what happens now.
 */
function renewalWindowText(order: ThreadOrder, detail: Record<string, unknown>): string {
  const day = (value: unknown) =>
    typeof value === "string" ? format(new Date(value), "yyyy-MM-dd HH:mm") : "?";
  const provider = escapeMrkdwn(order.providerName);
  const window =
    detail.source === "ca"
      ? `${provider}'s renewal window for ${escapeMrkdwn(order.reference)} is open: ${day(detail.start)} – ${day(detail.end)} UTC`
      : `${escapeMrkdwn(order.reference)} has passed two thirds of its lifetime (${provider} gives no renewal window): renew by ${day(detail.end)} UTC`;
  const why =
    typeof detail.explanationUrl === "string" && /^https?:\/\//.test(detail.explanationUrl)
      ? ` <${detail.explanationUrl.replace(/[<>|]/g, "")}|Why ${provider} set this window>.`
      : "";
  if (detail.automatic) {
    return `:calendar: ${window}.${why}\n:robot_face: Renewing automatically (ACME_AUTO_RENEW): free, with a new key; the renewal's thread says if a person must publish a record.`;
  }
  if (typeof detail.renewal === "string") {
    return `:calendar: ${window}.${why}\nIt is already being renewed by *${escapeMrkdwn(detail.renewal)}*: follow that one in its thread.`;
  }
  if (typeof detail.failure === "string") {
    return `:calendar: ${window}.${why}\n:warning: The automatic renewal failed: ${escapeMrkdwn(detail.failure)}\nPress *Renew* (free) to try again.`;
  }
  return `:calendar: ${window}.${why}\nPress *Renew* (free) to order the next certificate.`;
}

/** The thread's first reply for a certificate certdesk did not order. */
function importedText(order: ThreadOrder, change: ThreadChange): string {
  const detail = change.detail;
  const from = typeof detail.host === "string" ? ` from ${escapeMrkdwn(detail.host)}` : "";
  const until = order.notAfter ? `, valid until ${format(order.notAfter, "yyyy-MM-dd")}` : "";
  const notes = Array.isArray(detail.notes)
    ? detail.notes.map((note) => `\n• ${escapeMrkdwn(String(note))}`)
    : [];
  return `:inbox_tray: ${who(change.actor)} imported this certificate${from} (issued by ${escapeMrkdwn(String(detail.issuer ?? "an unknown CA"))}${until}). certdesk did not order it: expiry alerts cover it; renew it where it was bought.${notes.join("")}`;
}
