import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from "@slack/types";
import { format } from "date-fns/format";
import type { DcvMethod, ValidationStanding } from "../domain/dcv.js";
import {
  context,
  escapeMrkdwn,
  fieldWarning,
  markdownSection,
  messageModal,
  option,
  plain,
} from "./blocks.js";
import { chooseDcvMethod, dcvMethodInput, validationReuseBlock } from "./dcv-fields.js";

/**
 * The "Reissue SSL Cert" popup: a new certificate inside the order's subscription, free. What may
 * change: the key (new by default; the current one; or the client's own CSR), the additional domains
 * of a multi-domain product, the validation method and approver. One step: nothing is bought.
 */

export const REISSUE_CALLBACK = "ssl_reissue_form";
export const REISSUE_DONE_CALLBACK = "ssl_reissue_done";

export const REISSUE_ACTIONS = {
  key: "reissue_key",
  csr: "reissue_csr",
  sans: "reissue_sans",
  dcvMethod: "reissue_dcv_method",
  approver: "reissue_approver",
} as const;

export type ReissueField = keyof typeof REISSUE_ACTIONS;

export const REISSUE_BLOCKS: Record<ReissueField, string> = {
  key: "reissue_key_blk",
  csr: "reissue_csr_blk",
  sans: "reissue_sans_blk",
  dcvMethod: "reissue_dcv_blk",
  approver: "reissue_approver_blk",
};

/** The key choices, by select value. */
export const KEY_CHOICES = {
  "new:rsa-2048": "New key pair, RSA-2048 (recommended)",
  "new:rsa-3072": "New key pair, RSA-3072",
  "new:ec-p256": "New key pair, EC P-256",
  current: "Keep the current key",
} as const;
export type KeyChoice = keyof typeof KEY_CHOICES;

export interface ReissueFormValues {
  key?: KeyChoice;
  csr?: string;
  sans?: string[];
  dcvMethod?: DcvMethod;
  approverEmail?: string;
}

export interface ReissueModalInput {
  /** "SSL-1042 · certificate 2": the certificate this form asks for. */
  label: string;
  primaryDomain: string;
  clientName: string;
  productName: string;
  providerName: string;
  notAfter: Date | null;
  coverageEndsAt: Date | null;
  /** Additional domains may change (multi-domain products). */
  multiDomain: boolean;
  /** certdesk holds the current key (false when the client supplied the CSR). */
  hasCurrentKey: boolean;
  dcvMethods: DcvMethod[];
  /** Whether each current domain's validation can be reused or must be done again. */
  validations: ValidationStanding[];
  values: ReissueFormValues;
  warnings?: Partial<Record<ReissueField, string>>;
  topError?: string;
  privateMetadata: string;
}

const day = (date: Date) => format(date, "d MMM yyyy");

export function reissueModalView(input: ReissueModalInput): ModalView {
  const { values } = input;
  const method = chooseDcvMethod(input.dcvMethods, values.dcvMethod);
  const warning = (field: ReissueField): KnownBlock[] =>
    input.warnings?.[field] ? [fieldWarning(escapeMrkdwn(input.warnings[field] ?? ""))] : [];
  const keyOptions = (Object.keys(KEY_CHOICES) as KeyChoice[])
    .filter((choice) => choice !== "current" || input.hasCurrentKey)
    .map((choice) => option(KEY_CHOICES[choice], choice));
  const chosenKey = keyOptions.find((candidate) => candidate.value === values.key) ?? keyOptions[0];
  const covered = input.coverageEndsAt
    ? `covered until ${day(input.coverageEndsAt)}`
    : "inside the subscription";
  const blocks: KnownBlock[] = [
    ...(input.topError
      ? [markdownSection(`:warning: ${escapeMrkdwn(input.topError)}`, "reissue_error")]
      : []),
    markdownSection(
      `*${escapeMrkdwn(input.label)}* · ${escapeMrkdwn(input.primaryDomain)} for *${escapeMrkdwn(input.clientName)}*\n` +
        `${escapeMrkdwn(input.productName)} from ${escapeMrkdwn(input.providerName)}. *Free* — ${covered}.`,
      "reissue_head",
    ),
    context(
      input.notAfter
        ? `The current certificate stays valid until ${day(input.notAfter)}; install the new one before then.`
        : "The current certificate stays valid until the new one is installed.",
    ),
    {
      type: "input",
      block_id: REISSUE_BLOCKS.key,
      label: plain("Private key"),
      element: {
        type: "static_select",
        action_id: REISSUE_ACTIONS.key,
        options: keyOptions,
        ...(chosenKey ? { initial_option: chosenKey as PlainTextOption } : {}),
      },
    },
    ...warning("key"),
    {
      type: "input",
      block_id: REISSUE_BLOCKS.csr,
      optional: true,
      label: plain("Client's own CSR"),
      hint: plain(
        "Only when the client makes its own key: paste its PEM CSR and the certificate is issued for that key (certdesk then keeps no key). Leave empty otherwise.",
        2000,
      ),
      element: {
        type: "plain_text_input",
        action_id: REISSUE_ACTIONS.csr,
        multiline: true,
        ...(values.csr ? { initial_value: values.csr.slice(0, 3000) } : {}),
      },
    },
    ...warning("csr"),
    ...(input.multiDomain ? [sansInput(values.sans ?? [])] : []),
    ...warning("sans"),
    ...dcvMethodInput(input.dcvMethods, method, {
      blockId: REISSUE_BLOCKS.dcvMethod,
      actionId: REISSUE_ACTIONS.dcvMethod,
    }),
    ...warning("dcvMethod"),
    ...[validationReuseBlock(input.validations)].filter((block) => block !== undefined),
    ...(method === "email" ? [approverInput(values.approverEmail)] : []),
    ...warning("approver"),
  ];
  return {
    type: "modal",
    callback_id: REISSUE_CALLBACK,
    title: plain("Reissue SSL Cert", 24),
    submit: plain("Reissue", 24),
    close: plain("Cancel", 24),
    private_metadata: input.privateMetadata,
    blocks,
  };
}

function sansInput(sans: string[]): InputBlock {
  return {
    type: "input",
    block_id: REISSUE_BLOCKS.sans,
    optional: true,
    label: plain("Additional domains"),
    hint: plain("One per line. The primary domain stays."),
    element: {
      type: "plain_text_input",
      action_id: REISSUE_ACTIONS.sans,
      multiline: true,
      ...(sans.length > 0 ? { initial_value: sans.join("\n").slice(0, 3000) } : {}),
    },
  };
}

function approverInput(email: string | undefined): InputBlock {
  return {
    type: "input",
    block_id: REISSUE_BLOCKS.approver,
    label: plain("Approval e-mail address"),
    hint: plain("The provider e-mails this address to approve the new certificate."),
    element: {
      type: "email_text_input",
      action_id: REISSUE_ACTIONS.approver,
      ...(email ? { initial_value: email } : {}),
    },
  };
}

/** Progress, outcome or refusal in place of the form. */
export function reissueMessageView(text: string, detail?: string): ModalView {
  return messageModal({
    title: "Reissue SSL Cert",
    text,
    detail,
    callbackId: REISSUE_DONE_CALLBACK,
    clearOnClose: true,
  });
}
