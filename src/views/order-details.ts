import type { ActionsBlock, Button, KnownBlock, ModalView } from "@slack/types";
import type { CertificateDetails } from "../domain/certificate.js";
import type { DcvInstruction } from "../domain/dcv.js";
import type { OrderStatus, ProviderStatusDetail } from "../domain/order.js";
import type { ServedCheck } from "../domain/served.js";
import { clip, context, escapeMrkdwn, markdownSection, messageModal, plain } from "./blocks.js";
import { ORDER_MESSAGE_ACTIONS, orderPriceText, STATUS_EMOJI, STATUS_LABEL } from "./order-message.js";
import { validationButtons } from "./readiness.js";
import { revocationReasonText } from "./revoke-modal.js";
import { servedSectionText } from "./served.js";

/**
 * The order's Details modal: Overview, Status and Certificate tabs. A tab button rebuilds the same
 * view in place (views.update), so the modal never stacks.
 */

export const DETAILS_CALLBACK = "ssl_order_details";
export const DETAILS_TABS = ["overview", "status", "certificate"] as const;
export type DetailsTab = (typeof DETAILS_TABS)[number];

export const DETAILS_ACTIONS = {
  /** Followed by the tab name: `details_tab_status`. */
  tabPrefix: "details_tab_",
  sendFiles: "details_send_files",
  /** The same files with the PFX in the legacy format (3DES, SHA-1 MAC) for Windows Server 2016 and older. */
  sendFilesLegacyPfx: "details_send_files_legacy_pfx",
  /** Pushes the reissue form over Details. */
  reissue: "details_reissue",
  /** Pushes the change-validation form over Details (its value: the order's id). */
  changeValidation: "details_change_validation",
  /** After its confirm dialog, pushes the revoke form over Details (its value: the order's id). */
  revoke: "details_revoke",
} as const;

export interface DetailsOrder {
  reference: string;
  status: OrderStatus;
  primaryDomain: string;
  sans: string[];
  productName: string;
  periodMonths: number;
  dcvMethod: string;
  approverEmail: string | null;
  providerOrderId: string | null;
  requestedBy: string;
  approvedBy: string | null;
  createdAt: Date;
  notBefore: Date | null;
  notAfter: Date | null;
  /** The subscription's end: reissues are free until then. */
  coverageEndsAt: Date | null;
  failureReason: string | null;
  statusDetail: ProviderStatusDetail | null;
  dcvInstructions: DcvInstruction[] | null;
  certificate: string | null;
  /** False when the client supplied the CSR: certdesk holds no key. */
  keyHeld: boolean;
  quotedPrice: string | null;
  cost: string | null;
}

export interface TimelineEvent {
  at: Date;
  actor: string;
  kind: string;
  detail: Record<string, unknown>;
}

/** What the person looking at the Certificate tab gets from "Send me the files". */
export interface KeyPolicy {
  mayReceiveKey: boolean;
  /** False while SSL_APPROVERS is empty: nobody receives private keys. */
  keysEnabled: boolean;
}

export type DeliveryState =
  | { state: "sending" }
  | {
      state: "sent";
      filenames: string[];
      includesKey: boolean;
      /** Whether the PFX password reached the person's DM (visible only to them); a view never holds it. */
      pfxPassword: "sent" | "failed" | "none";
      pfxUnavailable?: string;
    }
  | { state: "failed"; message: string };

/** One certificate of the order (an issuance), for the Overview's list. */
export interface CertificateLine {
  label: string;
  reason: "initial" | "reissue" | "renewal";
  status: string;
  serial: string | null;
  notBefore: Date | null;
  notAfter: Date | null;
  keySource: "generated" | "client_csr";
  keyAlgorithm: string | null;
}

export interface OrderDetailsData {
  /** The order's id, carried by the validation buttons. */
  orderId: number;
  order: DetailsOrder;
  clientName: string;
  providerName: string;
  /** Its CA validates only when told (ACME): the check button reads "Record is in place". */
  validatesWhenAsked?: boolean;
  serverTypeLabel: string;
  renews?: string;
  renewedBy: string[];
  /** First first; the last issued one is the order's current certificate. */
  certificates: CertificateLine[];
  /**
   * The served-certificate probe's last looks (PROBE_CRON) at the current certificate's names;
   * empty or absent before the first probe.
   */
  served?: ServedCheck[];
  /** Why Reissue is not offered now, or undefined when it is. */
  reissueRefusal?: string;
  /**
   * Revoke… is offered: the order is issued, its provider revokes, and the person looking is named
   * in SSL_APPROVERS (commands/guard.ts decides).
   */
  mayRevoke?: boolean;
  events: TimelineEvent[];
  /** Parsed from the stored certificate; undefined before issue. */
  certificate?: CertificateDetails;
  keyPolicy: KeyPolicy;
  delivery?: DeliveryState;
  tab: DetailsTab;
  privateMetadata: string;
}

const TAB_LABELS: Record<DetailsTab, string> = {
  overview: "Overview",
  status: "Status",
  certificate: "Certificate",
};
const MAX_TIMELINE = 40;
const MAX_SECTION = 3000;

export function orderDetailsView(data: OrderDetailsData): ModalView {
  const { order } = data;
  const head = markdownSection(
    `${STATUS_EMOJI[order.status]} *${escapeMrkdwn(order.reference)}* · ${escapeMrkdwn(order.primaryDomain)} — *${STATUS_LABEL[order.status]}*`,
    "details_head",
  );
  const body =
    data.tab === "overview" ? overview(data) : data.tab === "status" ? statusTab(data) : certificateTab(data);
  return {
    type: "modal",
    callback_id: DETAILS_CALLBACK,
    title: plain(`Details ${order.reference}`, 24),
    close: plain("Close", 24),
    private_metadata: data.privateMetadata,
    blocks: [head, tabButtons(data.tab), { type: "divider" }, ...body].slice(0, 100),
  };
}

function tabButtons(current: DetailsTab): ActionsBlock {
  return {
    type: "actions",
    block_id: "details_tabs",
    elements: DETAILS_TABS.map(
      (tab): Button => ({
        type: "button",
        action_id: `${DETAILS_ACTIONS.tabPrefix}${tab}`,
        text: plain(tab === current ? `• ${TAB_LABELS[tab]}` : TAB_LABELS[tab], 75),
        value: tab,
        ...(tab === current ? { style: "primary" as const } : {}),
      }),
    ),
  };
}

function fieldsSection(fields: string[]): KnownBlock {
  return {
    type: "section",
    fields: fields.map((text) => ({ type: "mrkdwn" as const, text: clip(text, 2000) })),
  };
}

function overview(data: OrderDetailsData): KnownBlock[] {
  const { order } = data;
  const domains = [order.primaryDomain, ...order.sans];
  const approver =
    order.dcvMethod === "email"
      ? `E-mail to ${escapeMrkdwn(order.approverEmail ?? "—")}`
      : order.dcvMethod === "http"
        ? "HTTP file"
        : "DNS record";
  const blocks: KnownBlock[] = [
    fieldsSection([
      `*Client*\n${escapeMrkdwn(data.clientName)}`,
      `*Domain${domains.length > 1 ? "s" : ""}*\n${escapeMrkdwn(domains.join(", "))}`,
      `*Product*\n${escapeMrkdwn(order.productName)}`,
      `*Period*\n${periodText(order.periodMonths)}`,
      `*Server type*\n${escapeMrkdwn(data.serverTypeLabel)}`,
      `*Domain validation*\n${approver}`,
      `*Provider*\n${escapeMrkdwn(data.providerName)}${order.providerOrderId ? ` · order ${escapeMrkdwn(order.providerOrderId)}` : " · not placed yet"}`,
      `*Requested by*\n<@${order.requestedBy}>${order.approvedBy ? ` · approved by <@${order.approvedBy}>` : ""}`,
    ]),
    fieldsSection([
      `*Price*\n${orderPriceText({ ...order, providerName: data.providerName })}`,
      `*Created*\n${slackDate(order.createdAt)}`,
      `*Valid from*\n${order.notBefore ? slackDate(order.notBefore) : "—"}`,
      `*Valid until*\n${order.notAfter ? slackDate(order.notAfter) : "—"}`,
      `*Covered until*\n${order.coverageEndsAt ? slackDate(order.coverageEndsAt) : "—"}`,
    ]),
  ];
  if (data.certificates.length > 0) {
    blocks.push(markdownSection(certificatesText(data.certificates), "details_certificates"));
  }
  const served = order.status === "issued" ? servedSectionText(data.served ?? []) : undefined;
  if (served) blocks.push(markdownSection(clip(served, MAX_SECTION), "details_served"));
  if (order.status === "issued") blocks.push(...lifecycleActions(data));
  if (order.status === "pending" && order.providerOrderId) blocks.push(validationActions(data));
  const links = [
    ...(data.renews ? [`:leftwards_arrow_with_hook: Renews *${escapeMrkdwn(data.renews)}*`] : []),
    ...(data.renewedBy.length > 0
      ? [`:arrow_right_hook: Renewed by *${data.renewedBy.map(escapeMrkdwn).join("*, *")}*`]
      : []),
  ];
  if (links.length > 0) blocks.push(markdownSection(links.join("\n"), "details_renewals"));
  if (order.failureReason) blocks.push(context(`:x: ${escapeMrkdwn(order.failureReason)}`));
  return blocks;
}

/** An issued order's Reissue (or why not) and, for approvers, Revoke… behind a confirm dialog. */
function lifecycleActions(data: OrderDetailsData): KnownBlock[] {
  const elements: Button[] = [];
  if (!data.reissueRefusal) {
    elements.push({ type: "button", action_id: DETAILS_ACTIONS.reissue, text: plain("Reissue (free)", 75) });
  }
  if (data.mayRevoke) {
    elements.push({
      type: "button",
      action_id: DETAILS_ACTIONS.revoke,
      text: plain("Revoke…", 75),
      style: "danger",
      value: String(data.orderId),
      confirm: {
        title: plain("Revoke the certificate?", 100),
        text: plain(
          `Browsers will refuse the certificate of ${data.order.reference} at once, and this cannot be undone. Next you choose the reason.`,
          300,
        ),
        confirm: plain("Continue", 30),
        deny: plain("Cancel", 30),
        style: "danger",
      },
    });
  }
  return [
    ...(data.reissueRefusal ? [context(`:information_source: ${escapeMrkdwn(data.reissueRefusal)}`)] : []),
    ...(elements.length > 0 ? [{ type: "actions" as const, block_id: "details_lifecycle", elements }] : []),
  ];
}

/**
 * While the provider waits for validation: resend the approval e-mail (answered by DM from here)
 * and change the validation (a form pushed over Details). Both carry the order's id.
 */
function validationActions(data: OrderDetailsData): ActionsBlock {
  return validationButtons({
    orderId: data.orderId,
    emailValidated: data.order.dcvMethod === "email",
    validatesWhenAsked: data.validatesWhenAsked,
    actionIds: {
      resendApproval: ORDER_MESSAGE_ACTIONS.resendApproval,
      changeValidation: DETAILS_ACTIONS.changeValidation,
    },
    blockId: "details_validation",
  });
}

const SERVED_PROBLEM_WORDS: Record<string, string> = {
  not_served: "still not served",
  expires_sooner: "a certificate that expires sooner is served",
  incomplete_chain: "served without its full chain",
};

const REASON_TEXT = { initial: "first", reissue: "reissue", renewal: "renewal" } as const;

function certificatesText(lines: CertificateLine[]): string {
  const rows = lines.map((line) => {
    const dates =
      line.notBefore && line.notAfter
        ? `${slackDate(line.notBefore)} → ${slackDate(line.notAfter)}`
        : line.status;
    const key = line.keySource === "client_csr" ? "client's CSR" : (line.keyAlgorithm ?? "key").toUpperCase();
    const serial = line.serial ? ` · serial \`${clip(line.serial, 40)}\`` : "";
    const revoked = line.status === "revoked" && line.notAfter ? " · :no_entry: revoked" : "";
    return `• *${escapeMrkdwn(line.label)}* (${REASON_TEXT[line.reason]}, ${escapeMrkdwn(key)}) — ${dates}${serial}${revoked}`;
  });
  // Newest last; the oldest go first when the list is too long for a section.
  while (rows.length > 1 && rows.join("\n").length > MAX_SECTION - 40) rows.shift();
  return `*Certificates*\n${rows.join("\n")}`;
}

function statusTab(data: OrderDetailsData): KnownBlock[] {
  const { order } = data;
  const detail = order.statusDetail;
  const lines = detail?.lines ?? [];
  return [
    markdownSection(
      lines.length > 0
        ? `*${escapeMrkdwn(data.providerName)} says*\n${lines.map((line) => `• ${escapeMrkdwn(line)}`).join("\n")}`
        : `*${escapeMrkdwn(data.providerName)} says*\nNo detailed status yet${order.providerOrderId ? ": use *Check status* on the order message." : ": the order has not reached the provider."}`,
      "details_provider_status",
    ),
    markdownSection(`*Domain validation*\n${dcvLines(order).join("\n")}`, "details_dcv"),
    markdownSection(timelineText(data.events), "details_timeline"),
  ];
}

function dcvLines(order: DetailsOrder): string[] {
  const states = new Map((order.statusDetail?.domains ?? []).map((entry) => [entry.domain, entry]));
  const instructions = new Map((order.dcvInstructions ?? []).map((entry) => [entry.domain, entry]));
  return [order.primaryDomain, ...order.sans].map((domain) => {
    const state = states.get(domain)?.state ?? (order.providerOrderId ? "pending" : "not started");
    const instruction = instructions.get(domain);
    const how =
      instruction?.method === "http" && instruction.httpUrl
        ? ` — file \`${instruction.httpUrl}\``
        : instruction?.method === "dns" && instruction.dnsRecord
          ? ` — \`${instruction.dnsRecord.name} ${instruction.dnsRecord.type} ${instruction.dnsRecord.value}\``
          : order.dcvMethod === "email" && order.approverEmail
            ? ` — e-mail to ${escapeMrkdwn(order.approverEmail)}`
            : "";
    return `${DCV_EMOJI[state] ?? ":grey_question:"} *${escapeMrkdwn(domain)}*: ${escapeMrkdwn(state)}${how}`;
  });
}

const DCV_EMOJI: Record<string, string> = {
  validated: ":white_check_mark:",
  pending: ":hourglass_flowing_sand:",
  failed: ":x:",
  unknown: ":grey_question:",
  "not started": ":white_circle:",
};

function timelineText(events: TimelineEvent[]): string {
  const shown = events.slice(-MAX_TIMELINE);
  const lines = shown.map(
    (event) => `• ${slackDate(event.at, true)} — ${describeEvent(event)} — ${who(event.actor)}`,
  );
  const header = `*Timeline*${events.length > shown.length ? ` (last ${shown.length} of ${events.length})` : ""}`;
  // Drop the oldest lines rather than clip a line in half.
  while (lines.length > 1 && [header, ...lines].join("\n").length > MAX_SECTION) lines.shift();
  return lines.length > 0 ? [header, ...lines].join("\n") : `${header}\nNothing recorded yet.`;
}

/** One audit event in words; the detail never holds secrets, but it may hold provider text. */
export function describeEvent(event: TimelineEvent): string {
  const detail = event.detail;
  const text = (key: string) => escapeMrkdwn(clip(String(detail[key] ?? ""), 300));
  switch (event.kind) {
    case "requested":
      return "Requested";
    case "renewal_requested":
      return detail.renewal ? `Renewal ${text("renewal")} requested` : "Renewal requested";
    case "renewal_unlinked":
      return "No longer linked as a renewal: a newer renewal of the same order was live";
    case "approved":
      return "Approved";
    case "rejected":
      return `Rejected: ${text("reason")}`;
    case "approval_refused":
      return detail.action === "key_delivery"
        ? `Asked for the private key, refused (${text("reason") || "not in SSL_APPROVERS"})`
        : `Approval refused (${text("reason")})`;
    case "submitted":
      return `Placed with the provider (${text("providerOrderId")})`;
    case "submission_failed":
      return `Refused by the provider: ${text("message")}`;
    case "submission_unknown":
      return "Sent to the provider, no confirmation";
    case "status_changed":
      return `Status ${text("from")} → ${text("to")}${detail.summary ? ` (${text("summary")})` : ""}`;
    case "status_checked":
      return "Status checked";
    case "key_delivered":
      return "Received the private key and certificate files";
    case "key_delivery_failed":
      return "Sending the private key failed (Slack refused the upload)";
    case "files_delivered":
      return "Received the certificate files";
    case "alert_snoozed":
      return "Expiry alerts snoozed";
    case "alert_acknowledged":
      return "Expiry alert acknowledged";
    case "reissue_requested":
      return `Reissue asked for (certificate ${text("certificate")})`;
    case "validation_changed":
      return `Validation changed from ${text("from")} to ${text("to")}`;
    case "approval_resent":
      return `Approval e-mail sent again to ${text("email")}`;
    case "reissue_approved":
      return `Reissue approved (certificate ${text("certificate")})`;
    case "reissue_rejected":
      return `Reissue rejected (certificate ${text("certificate")})`;
    case "reissue_submitted":
      return `Reissue sent to the provider (certificate ${text("certificate")})`;
    case "reissued":
      return `Certificate ${text("certificate")} issued`;
    case "reissue_failed":
      return `Reissue failed (certificate ${text("certificate")}): ${text("reason")}`;
    case "revoked":
      return `Certificate ${text("certificate")} revoked: ${revocationReasonText(detail.reason)}`;
    case "served_problem":
      return `What is served: ${SERVED_PROBLEM_WORDS[String(detail.problem)] ?? text("problem")} (${text("label")}) on ${escapeMrkdwn(clip(Array.isArray(detail.targets) ? detail.targets.join(", ") : "", 300))}`;
    default:
      return escapeMrkdwn(event.kind);
  }
}

function certificateTab(data: OrderDetailsData): KnownBlock[] {
  const { order, certificate } = data;
  if (!order.certificate || !certificate) {
    return [
      markdownSection(
        `:hourglass_flowing_sand: *Not issued yet* — ${escapeMrkdwn(order.reference)} is ${STATUS_LABEL[order.status].toLowerCase()}. ` +
          "The certificate, its chain and the key files are here once the provider issues it.",
        "details_not_issued",
      ),
    ];
  }
  const blocks: KnownBlock[] = [];
  if (data.delivery) blocks.push(...deliveryBlocks(data.delivery));
  blocks.push(
    fieldsSection([
      `*Subject*\n${escapeMrkdwn(certificate.subject || "—")}`,
      `*Issuer*\n${escapeMrkdwn(certificate.issuer)}`,
      `*Valid from*\n${slackDate(certificate.notBefore)}`,
      `*Valid until*\n${slackDate(certificate.notAfter)}`,
      `*Serial*\n\`${certificate.serialNumber}\``,
      `*Names (SAN)*\n${escapeMrkdwn(certificate.sans.join(", ") || "—")}`,
    ]),
    markdownSection(`*SHA-256 fingerprint*\n\`${certificate.sha256Fingerprint}\``, "details_fingerprint"),
  );
  const pem = `\`\`\`${order.certificate.trim()}\`\`\``;
  blocks.push(
    pem.length <= MAX_SECTION
      ? markdownSection(pem, "details_pem")
      : context("The certificate is too long to show here; *Send me the files* has it."),
  );
  blocks.push(
    {
      type: "actions",
      block_id: "details_files",
      elements: [
        {
          type: "button",
          action_id: DETAILS_ACTIONS.sendFiles,
          text: plain("Send me the files", 75),
          style: "primary",
        },
        ...(data.keyPolicy.mayReceiveKey && order.keyHeld
          ? [
              {
                type: "button" as const,
                action_id: DETAILS_ACTIONS.sendFilesLegacyPfx,
                text: plain("…with a PFX for Windows Server 2016 or older", 75),
              },
            ]
          : []),
      ],
    },
    context(
      order.keyHeld
        ? keyPolicyText(data.keyPolicy)
        : ":key: The client supplied the CSR: the private key stays with the client, certdesk never had it. The files are the certificate and chain.",
    ),
  );
  return blocks;
}

function keyPolicyText(policy: KeyPolicy): string {
  if (!policy.keysEnabled) {
    return (
      ":lock: Sent to you by direct message: certificate, chain and full chain. Private keys go to nobody yet: " +
      "an admin enables key delivery by naming the people (or user groups) who may receive them in SSL_APPROVERS."
    );
  }
  if (!policy.mayReceiveKey) {
    return ":lock: Sent to you by direct message: certificate, chain and full chain. The private key goes to SSL_APPROVERS only.";
  }
  return (
    ":key: Sent to you by direct message: certificate, chain, full chain, the private key and a PFX bundle " +
    "(AES-256; Windows Server 2019 and later, macOS, Java). Older Windows servers need the legacy PFX (3DES, RSA keys only)."
  );
}

function deliveryBlocks(delivery: DeliveryState): KnownBlock[] {
  switch (delivery.state) {
    case "sending":
      return [markdownSection(":hourglass_flowing_sand: Preparing your files…", "details_delivery")];
    case "failed":
      return [markdownSection(`:x: ${escapeMrkdwn(delivery.message)}`, "details_delivery")];
    case "sent": {
      const lines = [
        `:white_check_mark: Sent to your direct messages: ${delivery.filenames.map((name) => `\`${name}\``).join(", ")}.`,
      ];
      if (delivery.pfxPassword === "sent") {
        lines.push(
          ":key: The PFX password is in your direct messages, visible only to you and shown once; certdesk does not keep it.",
        );
      } else if (delivery.pfxPassword === "failed") {
        lines.push(
          ":warning: The PFX password could not be sent, so the PFX cannot be opened: press *Send me the files* again for a new bundle (the PEM files work as they are).",
        );
      }
      if (delivery.pfxUnavailable) lines.push(`:warning: No PFX: ${escapeMrkdwn(delivery.pfxUnavailable)}`);
      if (!delivery.includesKey) lines.push(":lock: The private key goes to SSL_APPROVERS only.");
      return [markdownSection(lines.join("\n"), "details_delivery"), { type: "divider" }];
    }
  }
}

function periodText(months: number): string {
  return months % 12 === 0 ? `${months / 12} year${months === 12 ? "" : "s"}` : `${months} months`;
}

/** Slack shows the date in each reader's own time zone; the fallback is UTC. */
function slackDate(date: Date, withTime = false): string {
  const seconds = Math.floor(date.getTime() / 1000);
  const fallback = date
    .toISOString()
    .replace("T", " ")
    .slice(0, withTime ? 16 : 10);
  return `<!date^${seconds}^{date_short}${withTime ? " {time}" : ""}|${fallback}${withTime ? " UTC" : ""}>`;
}

function who(actor: string): string {
  return /^[UW][A-Z0-9]+$/.test(actor) ? `<@${actor}>` : escapeMrkdwn(actor);
}

/** For an order that cannot be shown (e.g. deleted). */
export function detailsMessageView(text: string): ModalView {
  return messageModal({ title: "Order details", text, callbackId: DETAILS_CALLBACK });
}
