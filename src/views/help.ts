import type { KnownBlock } from "@slack/types";
import { escapeMrkdwn } from "./blocks.js";

export interface HelpMessage {
  text: string;
  blocks: KnownBlock[];
}

const USAGE = [
  "`/ssl order [client] [domain]` — order a certificate (opens the order form)",
  "`/ssl list [client]` — certificates of a client, or the most recent ones",
  "`/ssl status <SSL-1042 | domain>` — ask the provider for an order's status now",
  "`/ssl reissue <SSL-1042 | domain>` — a new certificate inside the subscription (free)",
  "`/ssl renew <SSL-1042 | domain>` — renew: a new purchase when the subscription ends",
  "`/ssl validations` — orders still validated by e-mail, validations running out, stuck orders",
  "`/ssl forecast` — a chart of the next 26 weeks: certificates expiring, reissues and renewals due, their cost",
  "`/ssl import [host[:port] client]` — track a certificate certdesk did not order: paste it (PEM, with its chain) or fetch it from the host",
  "`/ssl clients` — client accounts · `/ssl client add` · `/ssl client edit <name>`",
  "`/ssl help` — this message",
];

/** Usage, sent only to the caller; `notUnderstood` is the text that did not parse, if any. */
export function helpMessage(notUnderstood?: string): HelpMessage {
  const intro = notUnderstood
    ? `I did not understand \`/ssl ${truncate(notUnderstood, 200)}\`. Here is what I can do:`
    : "certdesk orders and tracks SSL/TLS certificates for our clients. Here is what I can do:";
  return {
    text: `${intro}\n${USAGE.join("\n")}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: intro } },
      { type: "section", text: { type: "mrkdwn", text: USAGE.map((line) => `• ${line}`).join("\n") } },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: "Order messages have buttons (Check status · Details · Reissue · Renew), and the message shortcuts work on them too.",
          },
        ],
      },
    ],
  };
}

function truncate(text: string, max: number): string {
  const clean = text.replace(/`/g, "'");
  return escapeMrkdwn(clean.length > max ? `${clean.slice(0, max - 1)}…` : clean);
}
