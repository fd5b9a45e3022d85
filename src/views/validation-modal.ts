import type { KnownBlock, ModalView } from "@slack/types";
import type { DcvMethod } from "../domain/dcv.js";
import { context, escapeMrkdwn, fieldWarning, markdownSection, messageModal, plain } from "./blocks.js";
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
} as const;

export const VALIDATION_BLOCKS = {
  method: "validation_method_blk",
  approver: "validation_approver_blk",
} as const;

export interface ValidationModalInput {
  reference: string;
  domains: string[];
  providerName: string;
  methods: DcvMethod[];
  current: { method: DcvMethod; approverEmail?: string };
  values: { method?: DcvMethod; approverEmail?: string };
  topError?: string;
  warnings?: Partial<Record<keyof typeof VALIDATION_BLOCKS, string>>;
  privateMetadata: string;
}

const METHOD_WORDS: Record<DcvMethod, string> = {
  email: "e-mail",
  http: "an HTTP file",
  dns: "a DNS record",
};

export function validationModalView(input: ValidationModalInput): ModalView {
  const method = chooseDcvMethod(input.methods, input.values.method ?? input.current.method);
  const blocks: KnownBlock[] = [
    ...(input.topError ? [markdownSection(`:x: ${escapeMrkdwn(input.topError)}`, "validation_error")] : []),
    markdownSection(
      `*${escapeMrkdwn(input.reference)}* · ${escapeMrkdwn(input.domains.join(", ").slice(0, 1500))}\n` +
        `Validated now by ${METHOD_WORDS[input.current.method]}${input.current.method === "email" && input.current.approverEmail ? ` to ${escapeMrkdwn(input.current.approverEmail)}` : ""}. ` +
        `${escapeMrkdwn(input.providerName)} is told at once; the thread shows what to do then.`,
      "validation_head",
    ),
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
