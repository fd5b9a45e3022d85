import type { KnownBlock } from "@slack/types";
import { format } from "date-fns/format";
import type { ValidationListing } from "../domain/dcv.js";
import { clip, context, escapeMrkdwn, markdownSection } from "./blocks.js";

/**
 * `/ssl validations`: what to move off e-mail validation (CAs stop accepting it on 15 March 2028),
 * which validations run out within 30 days, and which orders have waited too long for validation.
 */

export interface ValidationsView {
  byEmail: ValidationListing[];
  expiringSoon: ValidationListing[];
  stuck: ValidationListing[];
  stuckAfterHours: number;
}

const METHOD_WORDS: Record<string, string> = { email: "e-mail", http: "HTTP file", dns: "DNS record" };
const day = (date: Date | null) => (date ? format(date, "yyyy-MM-dd") : "—");

function section(title: string, lines: string[], empty: string, blockId: string): KnownBlock {
  const body = lines.length > 0 ? lines.map((line) => `• ${line}`).join("\n") : `_${empty}_`;
  return markdownSection(clip(`*${title}*\n${body}`, 3000), blockId);
}

function head(line: ValidationListing): string {
  return `*${escapeMrkdwn(line.reference)}* · ${escapeMrkdwn(line.domain ?? line.primaryDomain)} — ${escapeMrkdwn(line.clientName)}`;
}

export function validationsMessage(view: ValidationsView): { text: string; blocks: KnownBlock[] } {
  const text = `Validations: ${view.byEmail.length} by e-mail, ${view.expiringSoon.length} running out within 30 days, ${view.stuck.length} stuck`;
  return {
    text,
    blocks: [
      section(
        "Still validated by e-mail (CAs stop accepting it on 15 March 2028)",
        view.byEmail.map(
          (line) =>
            `${head(line)} — ${line.status === "pending" ? "waiting for" : "validated by"} ${escapeMrkdwn(line.approverEmail ?? "e-mail")}${line.status === "issued" ? `, certificate until ${day(line.at)}` : ""}`,
        ),
        "None: every order is validated by DNS or an HTTP file.",
        "validations_email",
      ),
      section(
        "Validations that can be reused for 30 days at most",
        view.expiringSoon.map(
          (line) =>
            `${head(line)} — ${METHOD_WORDS[line.dcvMethod] ?? escapeMrkdwn(line.dcvMethod)}, reusable until ${day(line.at)}`,
        ),
        "None runs out within 30 days.",
        "validations_expiring",
      ),
      section(
        `Waiting for validation for over ${view.stuckAfterHours} hours`,
        view.stuck.map(
          (line) =>
            `${head(line)} — ${METHOD_WORDS[line.dcvMethod] ?? escapeMrkdwn(line.dcvMethod)}${line.dcvMethod === "email" && line.approverEmail ? ` to ${escapeMrkdwn(line.approverEmail)}` : ""}, at the provider since ${day(line.at)}`,
        ),
        "None.",
        "validations_stuck",
      ),
      context(
        "Each order's message has Change validation and, for e-mail, Resend approval e-mail. At most 20 per list.",
      ),
    ],
  };
}
