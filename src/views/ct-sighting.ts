import type { Button, KnownBlock } from "@slack/types";
import { format } from "date-fns/format";
import { clip, context, escapeMrkdwn, markdownSection, plain } from "./blocks.js";

/**
 * The Certificate Transparency watch's post in SSL_CHANNEL: a certificate for a client's domain
 * that certdesk did not order, with Import and Ignore; once someone pressed one, who did it instead.
 */

export const CT_ACTIONS = {
  import: "ct_import",
  ignore: "ct_ignore",
} as const;

export interface CtSightingLine {
  sightingId: number;
  clientName: string;
  issuer: string;
  commonName: string;
  names: string[];
  notBefore: Date;
  notAfter: Date;
  /** The log entry's page on the search service (crt.sh's `?id=`), when known. */
  entryUrl?: string;
}

export type CtResolution =
  | { kind: "imported"; by: string; reference?: string }
  | { kind: "ignored"; by: string };

/** How many names the message lists before "and N more". */
const NAMES_SHOWN = 10;

const day = (date: Date) => format(date, "yyyy-MM-dd");

function button(text: string, actionId: string, value: string, style?: "primary"): Button {
  return { type: "button", text: plain(text, 75), action_id: actionId, value, ...(style ? { style } : {}) };
}

function namesText(names: string[]): string {
  const shown = names.slice(0, NAMES_SHOWN).map((name) => `\`${escapeMrkdwn(name)}\``);
  const more = names.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

function resolutionText(resolution: CtResolution): string {
  if (resolution.kind === "ignored") {
    return `:see_no_evil: Ignored by <@${resolution.by}>: it will not be posted again.`;
  }
  const as = resolution.reference ? ` as *${escapeMrkdwn(resolution.reference)}*` : "";
  return `:inbox_tray: Imported by <@${resolution.by}>${as}: certdesk tracks it and alerts before it expires.`;
}

export function ctSightingMessage(
  sighting: CtSightingLine,
  resolution?: CtResolution,
): { text: string; blocks: KnownBlock[] } {
  const name = sighting.commonName || sighting.names[0] || "a certificate";
  const client = escapeMrkdwn(sighting.clientName);
  const headline = `:mag: Certificate Transparency: ${escapeMrkdwn(name)} for ${client} was issued by ${escapeMrkdwn(sighting.issuer)}, not ordered through certdesk`;
  const details = [
    `*Issuer:* ${escapeMrkdwn(sighting.issuer)}`,
    `*Names:* ${namesText(sighting.names.length > 0 ? sighting.names : [name])}`,
    `*Valid:* ${day(sighting.notBefore)} to ${day(sighting.notAfter)}`,
    `*Client:* ${client}`,
  ].join("\n");
  const blocks: KnownBlock[] = [
    markdownSection(
      `:mag: *Certificate Transparency:* a certificate for ${client} that certdesk did not order.`,
      "ct_head",
    ),
    markdownSection(details, "ct_details"),
  ];
  const footer = [
    ...(sighting.entryUrl ? [`<${sighting.entryUrl}|Log entry>`] : []),
    resolution
      ? resolutionText(resolution)
      : "Import tracks it for the client (expiry alerts, lists); Ignore means it is known and never posted again.",
  ];
  blocks.push(context(footer.join(" · "), "ct_context"));
  if (!resolution) {
    blocks.push({
      type: "actions",
      block_id: `ct_actions:${sighting.sightingId}`,
      elements: [
        button("Import", CT_ACTIONS.import, String(sighting.sightingId), "primary"),
        button("Ignore", CT_ACTIONS.ignore, String(sighting.sightingId)),
      ],
    });
  }
  return { text: clip(headline, 3000), blocks };
}
