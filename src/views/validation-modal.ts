import type { KnownBlock, ModalView } from "@slack/types";
import type { DcvMethod } from "../domain/dcv.js";
import {
  clip,
  context,
  escapeMrkdwn,
  fieldWarning,
  markdownSection,
  messageModal,
  option,
  plain,
} from "./blocks.js";
import { chooseDcvMethod, dcvMethodInput } from "./dcv-fields.js";

/**
 * "Change validation" for a pending order: how its domains are validated from now on (e-mail to an
 * approver, a file on the web server, a DNS record) and, for e-mail, the approver address.
 */

export const VALIDATION_CALLBACK = "ssl_change_validation";
export const VALIDATION_DONE_CALLBACK = "ssl_change_validation_done";

export const VALIDATION_ACTIONS = {
  method: "validation_method",
  approver: "validation_approver",
  domains: "validation_domains",
} as const;

export const VALIDATION_BLOCKS = {
  method: "validation_method_blk",
  approver: "validation_approver_blk",
  domains: "validation_domains_blk",
} as const;

/** A multi-select holds at most 100 options: an order with more domains changes them all. */
export const MAX_DOMAIN_CHOICES = 100;

export interface ValidationModalInput {
  reference: string;
  domains: string[];
  providerName: string;
  methods: DcvMethod[];
  current: { method: DcvMethod; approverEmail?: string };
  /** Each domain's method now, when they differ (after an earlier change of some of them). */
  currentByDomain?: { domain: string; method: DcvMethod }[];
  /**
   * The provider changes some domains while the others keep theirs: the form asks which, by these
   * (the domain as stored, and as shown). Absent: every domain changes alike.
   */
  domainChoices?: { domain: string; label: string }[];
  values: { method?: DcvMethod; approverEmail?: string; domains?: string[] };
  topError?: string;
  warnings?: Partial<Record<keyof typeof VALIDATION_BLOCKS, string>>;
  privateMetadata: string;
}

const METHOD_WORDS: Record<DcvMethod, string> = {
  email: "e-mail",
  http: "an HTTP file",
  dns: "a DNS record",
};

function currentText(input: ValidationModalInput): string {
  const methods = new Set(input.currentByDomain?.map((entry) => entry.method));
  if (input.currentByDomain && methods.size > 1) {
    const lines = input.currentByDomain.map(
      (entry) => `• ${escapeMrkdwn(entry.domain)}: ${METHOD_WORDS[entry.method]}`,
    );
    return `Validated now by:\n${lines.join("\n").slice(0, 1500)}\n`;
  }
  const to =
    input.current.method === "email" && input.current.approverEmail
      ? ` to ${escapeMrkdwn(input.current.approverEmail)}`
      : "";
  return `Validated now by ${METHOD_WORDS[input.current.method]}${to}. `;
}

/** Which domains change: all preselected; absent when every domain must change alike. */
function domainsInput(input: ValidationModalInput): KnownBlock[] {
  const choices = input.domainChoices ?? [];
  if (choices.length < 2 || choices.length > MAX_DOMAIN_CHOICES) return [];
  const options = choices.map((choice) => option(clip(choice.label, 75), choice.domain));
  const chosen = input.values.domains ?? choices.map((choice) => choice.domain);
  return [
    {
      type: "input",
      block_id: VALIDATION_BLOCKS.domains,
      label: plain("Domains to change"),
      hint: plain("The others keep the validation they have."),
      element: {
        type: "multi_static_select",
        action_id: VALIDATION_ACTIONS.domains,
        options,
        initial_options: options.filter((candidate) => chosen.includes(candidate.value ?? "")),
      },
    },
  ];
}

export function validationModalView(input: ValidationModalInput): ModalView {
  const method = chooseDcvMethod(input.methods, input.values.method ?? input.current.method);
  const blocks: KnownBlock[] = [
    ...(input.topError ? [markdownSection(`:x: ${escapeMrkdwn(input.topError)}`, "validation_error")] : []),
    markdownSection(
      `*${escapeMrkdwn(input.reference)}* · ${escapeMrkdwn(input.domains.join(", ").slice(0, 1500))}\n` +
        currentText(input) +
        `${escapeMrkdwn(input.providerName)} is told at once; the thread shows what to do then.`,
      "validation_head",
    ),
    ...domainsInput(input),
    ...(input.warnings?.domains ? [fieldWarning(escapeMrkdwn(input.warnings.domains))] : []),
    ...dcvMethodInput(input.methods, method, {
      blockId: VALIDATION_BLOCKS.method,
      actionId: VALIDATION_ACTIONS.method,
    }),
    ...(input.warnings?.method ? [fieldWarning(escapeMrkdwn(input.warnings.method))] : []),
  ];
  if (method === "email") {
    blocks.push(
      {
        type: "input",
        block_id: VALIDATION_BLOCKS.approver,
        label: plain("Approval e-mail address"),
        hint: plain("One of the addresses the provider accepts for the domain (admin@, hostmaster@, …)."),
        element: {
          type: "email_text_input",
          action_id: VALIDATION_ACTIONS.approver,
          ...((input.values.approverEmail ?? input.current.approverEmail)
            ? { initial_value: input.values.approverEmail ?? input.current.approverEmail }
            : {}),
        },
      },
      context("CAs stop accepting e-mail validation on 15 March 2028: DNS or an HTTP file last longer."),
    );
    if (input.warnings?.approver) blocks.push(fieldWarning(escapeMrkdwn(input.warnings.approver)));
  }
  return {
    type: "modal",
    callback_id: VALIDATION_CALLBACK,
    title: plain("Change validation", 24),
    submit: plain("Change", 24),
    close: plain("Cancel", 24),
    private_metadata: input.privateMetadata,
    blocks,
  };
}

/** Progress, outcome or refusal in place of the form. */
export function validationMessageView(text: string, detail?: string): ModalView {
  return messageModal({
    title: "Change validation",
    text,
    detail,
    callbackId: VALIDATION_DONE_CALLBACK,
    clearOnClose: true,
  });
}
