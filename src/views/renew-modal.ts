import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from "@slack/types";
import type { DcvMethod, ValidationStanding } from "../domain/dcv.js";
import { periodFor, type ServerType } from "../domain/product.js";
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
import {
  type ApproverState,
  approverSelectBlocks,
  chooseDcvMethod,
  dcvMethodInput,
  validationReuseBlock,
} from "./dcv-fields.js";
import { type PurchaseReview, purchaseReviewBlocks } from "./purchase-review.js";

/**
 * The "Renew SSL Cert" popup: the original order's details, a new validity period, and what may
 * change for the renewal (server type, validation method and approver, contact). The CSR, and so
 * the domains and the organisation, stay as they were.
 */

export const RENEW_ACTIONS = {
  period: "renew_period",
  serverType: "renew_server_type",
  dcvMethod: "renew_dcv_method",
  approver: "renew_approver",
  contactFirst: "renew_contact_first",
  contactLast: "renew_contact_last",
  contactEmail: "renew_contact_email",
  contactPhone: "renew_contact_phone",
  contactTitle: "renew_contact_title",
  key: "renew_key",
  csr: "renew_csr",
  /** On the review step: back to the form, everything kept. */
  change: "renew_review_change",
} as const;

export const RENEW_CALLBACK = "ssl_renew_form";
/** The last step: what will be bought, and the button that buys it. */
export const RENEW_REVIEW_CALLBACK = "ssl_renew_review";
export const RENEW_DONE_CALLBACK = "ssl_renew_done";

export type RenewField = Exclude<keyof typeof RENEW_ACTIONS, "change">;

/** Block ids by field; the approver's carries the domain after ":" so a new list resets the choice. */
export const RENEW_BLOCKS: Record<RenewField, string> = {
  period: "renew_period_blk",
  serverType: "renew_server_blk",
  dcvMethod: "renew_dcv_blk",
  approver: "renew_approver_blk",
  contactFirst: "renew_contact_first_blk",
  contactLast: "renew_contact_last_blk",
  contactEmail: "renew_contact_email_blk",
  contactPhone: "renew_contact_phone_blk",
  contactTitle: "renew_contact_title_blk",
  key: "renew_key_blk",
  csr: "renew_csr_blk",
};

export interface RenewFormValues {
  periodMonths?: number;
  serverTypeId?: string;
  dcvMethod?: DcvMethod;
  approverEmail?: string;
  contactFirst?: string;
  contactLast?: string;
  contactEmail?: string;
  contactPhone?: string;
  contactTitle?: string;
  /** "new" (the default): a new key pair; "current": the original's key and CSR. */
  key?: "new" | "current";
  /** The client's own PEM CSR: it wins over `key`, and certdesk keeps no key. */
  csr?: string;
}

export interface RenewOriginal {
  reference: string;
  clientName: string;
  primaryDomain: string;
  sans: string[];
  productName: string;
  providerName: string;
  /** Organisation, unit, locality, state, country: what the reused CSR names. */
  organisation: string[];
  notAfter: Date | null;
  /** certdesk holds the original's key, so "keep the current key" can be offered. */
  hasKey: boolean;
}

export interface RenewModalData {
  original: RenewOriginal;
  /** The product's periods; empty when the provider no longer lists the product. */
  periods: number[];
  /** Why the provider's product list is missing right now (it failed or is still loading). */
  productsUnavailable?: string;
  serverTypes: ServerType[];
  dcvMethods: DcvMethod[];
  /** Whether each domain's validation can be reused or must be done again; empty: not shown. */
  validations?: ValidationStanding[];
  values: RenewFormValues;
  approvers: ApproverState;
  warnings?: Partial<Record<RenewField, string>>;
  /** The provider's refusal of the last attempt. */
  topError?: string;
  privateMetadata: string;
}

export function renewBlockId(field: RenewField, dependsOn?: string): string {
  return dependsOn ? `${RENEW_BLOCKS[field]}:${clip(dependsOn, 200)}` : RENEW_BLOCKS[field];
}

export function renewModalView(data: RenewModalData): ModalView {
  const { original } = data;
  const warnings = data.warnings ?? {};
  const blocks: KnownBlock[] = [];
  if (data.topError) {
    blocks.push(
      markdownSection(`:x: *The renewal was refused.* ${escapeMrkdwn(data.topError)}`, "renew_top_error"),
    );
  }
  const domains = [original.primaryDomain, ...original.sans];
  blocks.push(
    markdownSection(
      `Renew *${escapeMrkdwn(original.reference)}* · ${escapeMrkdwn(clip(domains.join(", "), 1500))} for *${escapeMrkdwn(original.clientName)}*\n` +
        `${escapeMrkdwn(original.productName)} from ${escapeMrkdwn(original.providerName)}` +
        (original.notAfter
          ? ` · current certificate valid until ${original.notAfter.toISOString().slice(0, 10)}`
          : ""),
      "renew_head",
    ),
    context(
      ":recycle: The domains and the organisation stay as they are. " +
        `Organisation: ${escapeMrkdwn(original.organisation.join(", ") || "—")}.`,
    ),
  );
  blocks.push(keyBlock(data), csrBlock(data.values.csr));
  if (warnings.csr) blocks.push(fieldWarning(warnings.csr));

  blocks.push(periodBlock(data));
  if (warnings.period) blocks.push(fieldWarning(warnings.period));
  const serverBlock = serverTypeBlock(data);
  if (serverBlock) blocks.push(serverBlock);
  blocks.push(...validationBlocks(data));
  const reuse = validationReuseBlock(data.validations ?? []);
  if (reuse) blocks.push(reuse);
  if (warnings.approver) blocks.push(fieldWarning(warnings.approver));
  blocks.push(...contactBlocks(data.values));
  return {
    type: "modal",
    callback_id: RENEW_CALLBACK,
    title: plain("Renew SSL Cert", 24),
    submit: plain("Review renewal", 24),
    close: plain("Cancel", 24),
    private_metadata: data.privateMetadata,
    blocks: blocks.slice(0, 100),
  };
}

const KEY_OPTIONS = {
  new: option("New key pair (recommended)", "new"),
  current: option("Keep the current key", "current"),
};

/** A renewal makes a new key pair unless the current one is kept (only when certdesk holds it). */
function keyBlock(data: RenewModalData): InputBlock {
  const options = data.original.hasKey ? [KEY_OPTIONS.new, KEY_OPTIONS.current] : [KEY_OPTIONS.new];
  const chosen =
    data.values.key === "current" && data.original.hasKey ? KEY_OPTIONS.current : KEY_OPTIONS.new;
  return {
    type: "input",
    block_id: renewBlockId("key"),
    label: plain("Private key"),
    element: { type: "static_select", action_id: RENEW_ACTIONS.key, options, initial_option: chosen },
  };
}

function csrBlock(csr: string | undefined): InputBlock {
  return {
    type: "input",
    block_id: renewBlockId("csr"),
    optional: true,
    label: plain("Client's own CSR"),
    hint: plain(
      "Only when the client makes its own key: paste its PEM CSR (the same domains). certdesk then keeps no key. Leave empty otherwise.",
      2000,
    ),
    element: {
      type: "plain_text_input",
      action_id: RENEW_ACTIONS.csr,
      multiline: true,
      max_length: 3000,
      ...(csr ? { initial_value: csr.slice(0, 3000) } : {}),
    },
  };
}

function periodOption(months: number): PlainTextOption {
  const label = months % 12 === 0 ? `${months / 12} year${months === 12 ? "" : "s"}` : `${months} months`;
  return option(label, String(months));
}

function periodBlock(data: RenewModalData): KnownBlock {
  if (data.productsUnavailable) {
    return fieldWarning(
      `${escapeMrkdwn(data.original.providerName)}'s products are unavailable right now (${data.productsUnavailable}); close this and press Renew again in a minute.`,
    );
  }
  if (data.periods.length === 0) {
    return fieldWarning(
      `${escapeMrkdwn(data.original.providerName)} no longer lists ${escapeMrkdwn(data.original.productName)}; this renewal cannot be placed. Order a new certificate with \`/ssl order\`.`,
    );
  }
  const chosen = periodFor(data.periods, data.values.periodMonths);
  return {
    type: "input",
    block_id: renewBlockId("period"),
    label: plain("New validity period"),
    element: {
      type: "static_select",
      action_id: RENEW_ACTIONS.period,
      options: data.periods.map(periodOption),
      initial_option: periodOption(chosen),
    },
  };
}

function serverTypeBlock(data: RenewModalData): InputBlock | undefined {
  if (data.serverTypes.length === 0) return undefined;
  const options = data.serverTypes.slice(0, 100).map((type) => option(type.label, type.id));
  const initial =
    options.find((candidate) => candidate.value === data.values.serverTypeId) ??
    options.find((candidate) => data.serverTypes.find((type) => type.isDefault)?.id === candidate.value) ??
    options[0];
  return {
    type: "input",
    block_id: renewBlockId("serverType"),
    label: plain("Server Type"),
    element: {
      type: "static_select",
      action_id: RENEW_ACTIONS.serverType,
      options,
      ...(initial ? { initial_option: initial } : {}),
    },
  };
}

function validationBlocks(data: RenewModalData): KnownBlock[] {
  const method = chooseDcvMethod(data.dcvMethods, data.values.dcvMethod);
  const blocks: KnownBlock[] = dcvMethodInput(data.dcvMethods, method, {
    blockId: renewBlockId("dcvMethod"),
    actionId: RENEW_ACTIONS.dcvMethod,
  });
  if (method !== "email") {
    blocks.push(context("After the renewal is placed, its thread shows what to publish."));
    return blocks;
  }
  blocks.push(
    ...approverSelectBlocks(data.approvers, {
      blockId: (domain) => renewBlockId("approver", domain),
      actionId: RENEW_ACTIONS.approver,
      selected: data.values.approverEmail,
      loadingBlockId: "renew_approver_loading",
      hint: (domain) => `Fetched from the provider just now. It e-mails this address to confirm ${domain}.`,
      // The renewal form asks for the list as soon as it opens.
      idle: markdownSection(
        `:hourglass_flowing_sand: Fetching approver addresses for *${escapeMrkdwn(data.original.primaryDomain)}*…`,
        "renew_approver_loading",
      ),
    }),
  );
  return blocks;
}

function contactBlocks(values: RenewFormValues): KnownBlock[] {
  const field = (
    name: "contactFirst" | "contactLast" | "contactEmail" | "contactPhone" | "contactTitle",
    label: string,
    optional = false,
  ): InputBlock => ({
    type: "input",
    block_id: renewBlockId(name),
    optional,
    label: plain(label),
    element: {
      type: "plain_text_input",
      action_id: RENEW_ACTIONS[name],
      max_length: 128,
      ...(values[name] ? { initial_value: clip(values[name] as string, 128) } : {}),
    },
  });
  return [
    { type: "divider" },
    context("*Contact* — from the original order; changes apply to the renewal only."),
    field("contactFirst", "First name"),
    field("contactLast", "Last name"),
    field("contactEmail", "E-mail"),
    field("contactPhone", "Phone"),
    field("contactTitle", "Title", true),
  ];
}

export interface RenewReviewData {
  review: PurchaseReview;
  contact: { firstName: string; lastName: string; email: string; phone: string; title: string };
  /** With SSL_REQUIRE_APPROVAL the button asks for approval instead of buying. */
  approvalNeeded: boolean;
  privateMetadata: string;
}

/** The renewal's last step: nothing is bought until its button is pressed. */
export function renewReviewView(data: RenewReviewData): ModalView {
  const { contact } = data;
  return {
    type: "modal",
    callback_id: RENEW_REVIEW_CALLBACK,
    title: plain("Review renewal", 24),
    submit: plain(data.approvalNeeded ? "Request approval" : "Place renewal", 24),
    close: plain("Cancel", 24),
    private_metadata: data.privateMetadata,
    blocks: [
      ...purchaseReviewBlocks(data.review),
      markdownSection(
        `*Contact*: ${escapeMrkdwn(`${contact.firstName} ${contact.lastName}`)} · ${escapeMrkdwn(contact.email)} · ${escapeMrkdwn(contact.phone)}`,
        "renew_review_contact",
      ),
      {
        type: "actions",
        block_id: "renew_review_actions",
        elements: [{ type: "button", action_id: RENEW_ACTIONS.change, text: plain("Change something", 75) }],
      },
    ],
  };
}

/** A closing screen: progress, the outcome, or why this order cannot be renewed. */
export function renewMessageView(text: string, detail?: string): ModalView {
  return messageModal({
    title: "Renew SSL Cert",
    text,
    detail,
    callbackId: RENEW_DONE_CALLBACK,
    clearOnClose: true,
  });
}
