import type { ActionsBlock, Button } from "@slack/types";
import { type Finding, type FindingSeverity, worstFirst } from "../domain/readiness.js";
import { clip, escapeMrkdwn, plain } from "./blocks.js";

/**
 * "Will it issue?" in words: the findings of the DNS and HTTP check as mrkdwn lines, worst first,
 * and the validation buttons a pending order's thread posts carry.
 */

const ICON: Record<FindingSeverity, string> = {
  problem: ":x:",
  warning: ":warning:",
  ok: ":white_check_mark:",
};

/** Slack's section text limit, less room for a heading. */
const MAX_TEXT = 2_800;

/** One line per finding, worst first; the ok ones last and shortened when space runs out. */
export function findingsText(findings: Finding[]): string {
  if (findings.length === 0) return "_Nothing to check._";
  const lines = worstFirst(findings).map((finding) => {
    // What was found is the client's text (a TXT value, a web page): escaped, and with no backtick
    // left to end the code span early and let a mention or link out.
    const found = finding.seen ? escapeMrkdwn(clip(finding.seen, 200)).replace(/`/g, "'") : "";
    const seen = found && finding.severity !== "ok" ? ` (found: \`${found}\`)` : "";
    return `${ICON[finding.severity]} ${escapeMrkdwn(finding.text)}${seen}`;
  });
  let text = "";
  for (const [index, line] of lines.entries()) {
    if (text.length + line.length + 1 > MAX_TEXT) {
      text += `\n…and ${lines.length - index} more`;
      break;
    }
    text += `${text ? "\n" : ""}${line}`;
  }
  return text;
}

/** "2 problems, 1 warning" / "nothing in the way": the ephemeral answer to the person who asked. */
export function findingsSummary(findings: Finding[]): string {
  const count = (severity: FindingSeverity) =>
    findings.filter((finding) => finding.severity === severity).length;
  const parts = [
    [count("problem"), "problem"],
    [count("warning"), "warning"],
  ]
    .filter(([n]) => Number(n) > 0)
    .map(([n, word]) => `${n} ${word}${n === 1 ? "" : "s"}`);
  return parts.length > 0 ? parts.join(", ") : "nothing in the way";
}

export const READINESS_ACTIONS = {
  /** "Will it issue?" on a pending order (order message, Details, thread). */
  check: "order_check_readiness",
} as const;

/**
 * The buttons under a pending order's validation posts in its thread: resend the approval e-mail
 * (e-mail validation only), change the validation, run the check again. `actionIds` are those the
 * order message (or Details, whose Change validation pushes its form over it) uses.
 */
/**
 * The check's button: "Will it issue?" where the CA looks by itself (it is asked again only when
 * the check passes), "Record is in place" where the CA validates only when told (ACME): the person
 * says they published it, certdesk checks, then asks the CA.
 */
export function checkButtonLabel(validatesWhenAsked: boolean | undefined): string {
  return validatesWhenAsked ? "Record is in place" : "Will it issue?";
}

export function validationButtons(args: {
  orderId: number;
  emailValidated: boolean;
  validatesWhenAsked?: boolean;
  actionIds: { resendApproval: string; changeValidation: string };
  blockId?: string;
}): ActionsBlock {
  const value = String(args.orderId);
  const button = (text: string, actionId: string): Button => ({
    type: "button",
    action_id: actionId,
    text: plain(text, 75),
    value,
  });
  return {
    type: "actions",
    block_id: args.blockId ?? `validation_actions:${value}`,
    elements: [
      ...(args.emailValidated ? [button("Resend approval e-mail", args.actionIds.resendApproval)] : []),
      button("Change validation", args.actionIds.changeValidation),
      button(checkButtonLabel(args.validatesWhenAsked), READINESS_ACTIONS.check),
    ],
  };
}
