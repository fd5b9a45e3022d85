import { format } from "date-fns/format";
import {
  SERVED_WORDS,
  type ServedCheck,
  type ServedStatus,
  type ServedSummary,
  summariseServed,
} from "../domain/served.js";
import { clip, escapeMrkdwn } from "./blocks.js";

/** "What is served" in Details and App Home: the probe's last looks (PROBE_CRON) in words. */

const EMOJI: Record<ServedStatus, string> = {
  served: ":white_check_mark:",
  not_served: ":x:",
  different: ":warning:",
};

const where = (check: Pick<ServedCheck, "name" | "port">) =>
  escapeMrkdwn(check.port === 443 ? check.name : `${check.name}:${check.port}`);

const day = (date: Date) => format(date, "yyyy-MM-dd");

/** "served", "not served (1 of 2)", "different certificate"; chain trouble said after. */
export function servedSummaryText(summary: ServedSummary): string {
  const share =
    summary.status !== "served" && summary.total > 1 ? ` (${summary.served} of ${summary.total} served)` : "";
  const chain = summary.chainIncomplete ? " · chain incomplete" : "";
  return `${EMOJI[summary.status]} ${SERVED_WORDS[summary.status]}${share}${chain}`;
}

/** One line per name and port, as Details shows them. */
function checkLine(check: ServedCheck): string {
  const word = SERVED_WORDS[check.status];
  let detail = "";
  if (check.status === "different") {
    const parts = [
      check.servedSerial ? `serial \`${clip(check.servedSerial, 40)}\`` : "",
      check.servedNotAfter ? `expires ${day(check.servedNotAfter)}` : "",
    ].filter(Boolean);
    detail = parts.length > 0 ? ` (${parts.join(", ")})` : "";
  } else if (check.status === "not_served" && check.message) {
    detail = ` — ${escapeMrkdwn(clip(check.message, 200))}`;
  } else if (check.chainIncomplete) {
    detail = " — chain incomplete: an intermediate is not sent";
  }
  return `• ${EMOJI[check.status]} ${where(check)} — ${word}${detail}`;
}

/**
 * Details' "What is served" section text for the current certificate's looks; undefined before the
 * first probe (nothing is said rather than a guess).
 */
export function servedSectionText(checks: ServedCheck[]): string | undefined {
  const summary = summariseServed(checks);
  if (!summary) return undefined;
  const lines = checks.slice(0, 20).map(checkLine);
  const more = checks.length > lines.length ? `\n…and ${checks.length - lines.length} more` : "";
  return `*What is served* — ${servedSummaryText(summary)} · checked ${day(summary.checkedAt)}\n${lines.join("\n")}${more}`;
}

/** App Home's short form: "Served: ✅ served · checked 2026-11-28". */
export function servedHomeText(summary: ServedSummary): string {
  return `Served: ${servedSummaryText(summary)} · checked ${day(summary.checkedAt)}`;
}
