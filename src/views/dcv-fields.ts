import type { ContextBlock, InputBlock, KnownBlock, Option } from "@slack/types";
import { format } from "date-fns/format";
import { type DcvMethod, dcvMethodFor, type ValidationStanding } from "../domain/dcv.js";
import { clip, context, escapeMrkdwn, fieldWarning, markdownSection, option, plain } from "./blocks.js";

/** The validation-method radio and the approver select, shared by the order and renewal forms. */

export type ApproverState =
  | { state: "idle" }
  | { state: "loading"; providerName: string; domain: string }
  | { state: "loaded"; domain: string; emails: string[] }
  | { state: "error"; domain: string; message: string };

const DCV_LABELS: Record<DcvMethod, string> = {
  email: "E-mail to an approver address",
  http: "HTTP file on the web server",
  dns: "DNS record (CNAME)",
};

/** The method the form shows: the domain's rule (dcvMethodFor). */
export function chooseDcvMethod(methods: DcvMethod[], wanted: DcvMethod | undefined): DcvMethod {
  return dcvMethodFor(methods, wanted);
}

/** Under the e-mail choice: it is being retired (CA/Browser Forum ballot SC-090). */
export const EMAIL_VALIDATION_ENDS = "CAs stop accepting e-mail validation on 15 March 2028.";

/** The radio buttons, or nothing when the provider offers a single method. */
export function dcvMethodInput(
  methods: DcvMethod[],
  method: DcvMethod,
  ids: { blockId: string; actionId: string },
): InputBlock[] {
  if (methods.length < 2) return [];
  const options: Option[] = methods.map((candidate) =>
    candidate === "email"
      ? { ...option(DCV_LABELS[candidate], candidate), description: plain(EMAIL_VALIDATION_ENDS) }
      : option(DCV_LABELS[candidate], candidate),
  );
  return [
    {
      type: "input",
      block_id: ids.blockId,
      dispatch_action: true,
      label: plain("Domain Control Validation"),
      element: {
        type: "radio_buttons",
        action_id: ids.actionId,
        options,
        initial_option: options.find((candidate) => candidate.value === method) as Option,
      },
    },
  ];
}

export interface ApproverSelectOptions {
  /** The select's block id embeds the domain, so a new list resets the choice. */
  blockId(domain: string): string;
  actionId: string;
  selected?: string;
  loadingBlockId: string;
  hint(domain: string): string;
  /** What shows before any list was asked for. */
  idle: KnownBlock;
}

export function approverSelectBlocks(approvers: ApproverState, options: ApproverSelectOptions): KnownBlock[] {
  switch (approvers.state) {
    case "idle":
      return [options.idle];
    case "loading":
      return [
        markdownSection(
          `:hourglass_flowing_sand: Fetching approver addresses for *${escapeMrkdwn(approvers.domain)}* from ${escapeMrkdwn(approvers.providerName)}…`,
          options.loadingBlockId,
        ),
      ];
    case "error":
      return [
        fieldWarning(
          `Approver addresses for ${escapeMrkdwn(approvers.domain)} could not be loaded: ${escapeMrkdwn(approvers.message)}`,
        ),
      ];
    case "loaded": {
      const choices = approvers.emails.slice(0, 100).map((email) => option(email, email));
      if (choices.length === 0) {
        return [
          fieldWarning(
            `The provider returned no approver addresses for ${escapeMrkdwn(approvers.domain)}: choose HTTP or DNS validation.`,
          ),
        ];
      }
      const initial = choices.find((candidate) => candidate.value === options.selected);
      return [
        {
          type: "input",
          block_id: options.blockId(approvers.domain),
          label: plain("Approval Email Address"),
          hint: plain(options.hint(approvers.domain)),
          element: {
            type: "static_select",
            action_id: options.actionId,
            placeholder: plain("Choose an address"),
            options: choices,
            ...(initial ? { initial_option: initial } : {}),
          },
        },
      ];
    }
  }
}

const METHOD_WORDS: Record<string, string> = { email: "e-mail", http: "HTTP file", dns: "DNS record" };

/**
 * Whether each domain must be validated again, for the reissue and renewal forms: "reusable until"
 * (the CA may issue without a new validation) or what must be done. Undefined without domains.
 */
export function validationReuseBlock(standings: ValidationStanding[]): ContextBlock | undefined {
  if (standings.length === 0) return undefined;
  const day = (date: Date) => format(date, "d MMM yyyy");
  const lines = standings.map((standing) => {
    const domain = `*${escapeMrkdwn(standing.domain)}*`;
    if (standing.kind === "none") {
      return `:large_orange_circle: ${domain}: no validation on record; it is validated again (the thread says how once sent).`;
    }
    const { validation } = standing;
    const how = METHOD_WORDS[validation.method] ?? escapeMrkdwn(validation.method);
    return standing.kind === "reusable"
      ? `:large_green_circle: ${domain}: validated ${day(validation.validatedAt)} by ${how}, reusable until ${day(validation.reusableUntil)}: no new validation needed.`
      : `:red_circle: ${domain}: the ${how} validation of ${day(validation.validatedAt)} expired on ${day(validation.reusableUntil)}: it must be validated again (the thread says how once sent).`;
  });
  return context(clip(`*Domain validation*\n${lines.join("\n")}`, 3000), "validation_reuse");
}
