import type { Button, KnownBlock } from "@slack/types";
import { format } from "date-fns/format";
import { replacementFor } from "../domain/lifetime.js";
import { context, escapeMrkdwn, markdownSection, plain } from "./blocks.js";
import { ORDER_MESSAGE_ACTIONS } from "./order-message.js";

/** Messages the scheduler posts in SSL_CHANNEL: issued certificates, expiry alerts and digests. */

export const ALERT_ACTIONS = {
  snooze: "alert_snooze",
  acknowledge: "alert_acknowledge",
} as const;

export const SNOOZE_DAYS = 7;

export interface CertificateLine {
  orderId: number;
  reference: string;
  primaryDomain: string;
  clientName: string;
  notAfter: Date;
  /** The subscription's end; absent or null: renewal is the only way on. */
  coverageEndsAt?: Date | null;
}

export interface AlertView {
  alertId: number;
  kind: "expiring" | "expired";
  threshold: number;
  /** Whole days left when the alert is shown. */
  daysLeft: number;
}

export type AlertResolution =
  | { kind: "snoozed"; by: string; until: Date }
  | { kind: "acknowledged"; by: string };

interface Message {
  text: string;
  blocks: KnownBlock[];
}

const day = (date: Date) => format(date, "yyyy-MM-dd");

function button(text: string, actionId: string, value: string, style?: "primary"): Button {
  return { type: "button", text: plain(text, 75), action_id: actionId, value, ...(style ? { style } : {}) };
}

/** "✅ SSL-1042 example.com issued for Acme Ltd — valid until 2027-06-14", with a Details button. */
export function issuedMessage(certificate: CertificateLine): Message {
  const text = `✅ ${certificate.reference} ${escapeMrkdwn(certificate.primaryDomain)} issued for ${escapeMrkdwn(certificate.clientName)} — valid until ${day(certificate.notAfter)}`;
  return {
    text,
    blocks: [
      markdownSection(
        `✅ *${escapeMrkdwn(certificate.reference)}* ${escapeMrkdwn(certificate.primaryDomain)} issued for ${escapeMrkdwn(certificate.clientName)} — valid until ${day(certificate.notAfter)}`,
        "issued_head",
      ),
      {
        type: "actions",
        block_id: `issued_actions:${certificate.orderId}`,
        elements: [button("Details", ORDER_MESSAGE_ACTIONS.details, String(certificate.orderId))],
      },
    ],
  };
}

function whenText(alert: AlertView, notAfter: Date): string {
  if (alert.kind === "expired") return `expired on ${day(notAfter)}`;
  const left =
    alert.daysLeft < 1 ? "in less than a day" : `in ${alert.daysLeft} day${alert.daysLeft === 1 ? "" : "s"}`;
  return `expires ${left}, on ${day(notAfter)}`;
}

function headline(alert: AlertView, certificate: CertificateLine, markdown: boolean): string {
  const emoji = alert.kind === "expired" ? "🚨" : "⏳";
  // A message's fallback text is mrkdwn too: a client named "<!channel>" must not notify the channel.
  const reference = escapeMrkdwn(certificate.reference);
  return `${emoji} ${markdown ? `*${reference}*` : reference} ${escapeMrkdwn(certificate.primaryDomain)} for ${escapeMrkdwn(certificate.clientName)} ${whenText(alert, certificate.notAfter)}`;
}

function resolutionText(resolution: AlertResolution): string {
  return resolution.kind === "snoozed"
    ? `:zzz: Snoozed by <@${resolution.by}> until ${day(resolution.until)}.`
    : `:ballot_box_with_check: Acknowledged by <@${resolution.by}>: no more alerts for this certificate.`;
}

/**
 * What replaces the certificate: a free reissue while the subscription outlives it, else a renewal
 * (a new purchase); the button says which, so nobody buys what is covered.
 */
function replacementButton(certificate: CertificateLine): Button {
  const value = String(certificate.orderId);
  if (
    replacementFor({ notAfter: certificate.notAfter, coverageEndsAt: certificate.coverageEndsAt ?? null }) ===
    "reissue"
  ) {
    const until = format(certificate.coverageEndsAt ?? certificate.notAfter, "d MMM yyyy");
    return button(`Reissue — free, covered until ${until}`, ORDER_MESSAGE_ACTIONS.reissue, value, "primary");
  }
  return button("Renew — new purchase", ORDER_MESSAGE_ACTIONS.renew, value, "primary");
}

/**
 * One certificate's alert, with Reissue or Renew · Snooze 7 days · Acknowledge. Once someone snoozed or
 * acknowledged it, the message says who instead of offering those two buttons again.
 */
export function expiryAlertMessage(
  alert: AlertView,
  certificate: CertificateLine,
  resolution?: AlertResolution,
): Message {
  const threshold = alert.kind === "expired" ? "Expired certificate" : `${alert.threshold}-day expiry alert`;
  const elements = [
    replacementButton(certificate),
    ...(resolution
      ? []
      : [
          button(`Snooze ${SNOOZE_DAYS} days`, ALERT_ACTIONS.snooze, String(alert.alertId)),
          button("Acknowledge", ALERT_ACTIONS.acknowledge, String(alert.alertId)),
        ]),
  ];
  return {
    text: headline(alert, certificate, false),
    blocks: [
      markdownSection(headline(alert, certificate, true), "alert_head"),
      context(resolution ? `${threshold} · ${resolutionText(resolution)}` : threshold, "alert_context"),
      { type: "actions", block_id: `alert_actions:${alert.alertId}`, elements },
    ],
  };
}

/** The reply in the order's own thread, so whoever follows the order hears of it too. */
export function expiryThreadReply(alert: AlertView, certificate: CertificateLine): string {
  return headline(alert, certificate, true);
}

const SECTION_LIMIT = 3000;
const BLOCKS_PER_MESSAGE = 50;

/**
 * EXPIRY_DIGEST: every alert of one scan in as few messages as Block Kit allows (sections of at
 * most 3000 characters, 50 blocks a message). `count` says how many alerts each message carries,
 * in the order given.
 */
export function expiryDigestMessages(
  entries: { alert: AlertView; certificate: CertificateLine }[],
  /** Orders waiting for validation longer than STUCK_AFTER_HOURS: counted in the first message. */
  stuck?: { count: number; hours: number },
): (Message & { count: number })[] {
  const sections: { text: string; count: number }[] = [];
  for (const { alert, certificate } of entries) {
    const line = `• ${headline(alert, certificate, true)}`.slice(0, SECTION_LIMIT);
    const last = sections.at(-1);
    if (last && last.text.length + 1 + line.length <= SECTION_LIMIT) {
      last.text += `\n${line}`;
      last.count += 1;
    } else {
      sections.push({ text: line, count: 1 });
    }
  }
  // The heading, and the stuck-orders line when there is one, take a block each.
  const perMessage = BLOCKS_PER_MESSAGE - 1 - (stuck && stuck.count > 0 ? 1 : 0);
  const parts = Math.ceil(sections.length / perMessage);
  return Array.from({ length: parts }, (_, index) => {
    const chunk = sections.slice(index * perMessage, (index + 1) * perMessage);
    const part = parts > 1 ? ` (part ${index + 1} of ${parts})` : "";
    const title = `⏳ Expiry digest${part}: ${entries.length} certificate${entries.length === 1 ? "" : "s"} crossed an alert threshold`;
    const stuckLine =
      index === 0 && stuck && stuck.count > 0
        ? [
            markdownSection(
              `:hourglass_flowing_sand: Also *${stuck.count} order${stuck.count === 1 ? "" : "s"}* waiting for domain validation for over ${stuck.hours} hours: \`/ssl validations\` lists ${stuck.count === 1 ? "it" : "them"}, and each thread says what the check found.`,
              "digest_stuck",
            ),
          ]
        : [];
    return {
      text: title,
      blocks: [
        markdownSection(`*${title}*`, "digest_head"),
        ...stuckLine,
        ...chunk.map((section) => markdownSection(section.text)),
      ],
      count: chunk.reduce((sum, section) => sum + section.count, 0),
    };
  });
}

/** Said once in the thread of an order stuck in `submitting`, which no provider lets certdesk look up. */
export function stuckSubmissionText(reference: string, providerName: string, minutes: number): string {
  return (
    `:warning: ${escapeMrkdwn(reference)} has been on its way to ${escapeMrkdwn(providerName)} for over ${minutes} minutes ` +
    `without an order number, so certdesk cannot ask ${escapeMrkdwn(providerName)} about it. ` +
    `Someone should look for it in ${escapeMrkdwn(providerName)}'s control panel before ordering again.`
  );
}

export const STUCK_ACTIONS = {
  notPlaced: "stuck_not_placed",
  placed: "stuck_placed",
} as const;

/**
 * The stuck-order notice with what a person does once they have looked: record the provider's order
 * number (the order is then followed like any other), or mark it as not placed (it ends `failed`, and
 * may be ordered, or renewed, again).
 */
export function stuckSubmissionMessage(
  order: { id: number; reference: string },
  providerName: string,
  minutes: number,
): Message {
  const text = stuckSubmissionText(order.reference, providerName, minutes);
  const value = String(order.id);
  return {
    text,
    blocks: [
      markdownSection(text, "stuck_notice"),
      {
        type: "actions",
        block_id: `stuck_actions:${order.id}`,
        elements: [
          {
            type: "button",
            action_id: STUCK_ACTIONS.placed,
            value,
            text: plain(`It was placed: record ${providerName}'s order number`, 75),
          },
          {
            type: "button",
            action_id: STUCK_ACTIONS.notPlaced,
            value,
            style: "danger",
            text: plain("It was not placed", 75),
            confirm: {
              title: plain("Not placed?", 100),
              text: plain(
                `Only if ${providerName}'s control panel has no such order. ${order.reference} then ends as failed and may be ordered again, which buys it.`,
                300,
              ),
              confirm: plain("It was not placed", 30),
              deny: plain("Cancel", 30),
            },
          },
        ],
      },
    ],
  };
}
