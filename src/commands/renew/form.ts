import { z } from "zod";
import type { ContactField } from "../../domain/client.js";
import type { DcvMethod } from "../../domain/dcv.js";
import { EXTERNAL_PROVIDER } from "../../domain/imported.js";
import type { ContactSnapshot, OrderField } from "../../domain/order.js";
import { productKey } from "../../domain/product.js";
import { validateContactInput } from "../../orders/clients.js";
import type { RenewalDraft } from "../../orders/drafts.js";
import { checkOrderRequest } from "../../orders/order-request.js";
import type { Order } from "../../orders/repository.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import { RENEW_BLOCKS, type RenewField, type RenewFormValues } from "../../views/renew-modal.js";
import type { FeatureContext } from "../context.js";
import { blockIdIn, inputsByField, type StateValues } from "../payloads.js";

/** The renewal form's state, metadata and checks. */

/** Only ids and the approver list a rebuild needs; Slack allows 3000 characters. */
export const renewMetadataSchema = z.object({
  orderId: z.number().int(),
  channelId: z.string(),
  approvers: z.object({ domain: z.string(), emails: z.array(z.string()) }).optional(),
});
export type RenewMetadata = z.infer<typeof renewMetadataSchema>;

/** The review step holds only its draft's id; the draft holds what was checked. */
export const reviewMetadataSchema = z.object({ draftId: z.number().int() });

const CONTACT_FIELD: Record<ContactField, RenewField> = {
  firstName: "contactFirst",
  lastName: "contactLast",
  email: "contactEmail",
  phone: "contactPhone",
  title: "contactTitle",
};

/** Where a refusal is shown on the form; what the form cannot change (the product) shows on the period. */
export const FORM_FIELD_FOR: Partial<Record<OrderField, RenewField>> = {
  product: "period",
  period: "period",
  serverType: "serverType",
  dcvMethod: "dcvMethod",
  approverEmail: "approver",
  contact: "contactEmail",
  csr: "csr",
};

/** Why an order cannot be renewed, or undefined when it can. */
export function notRenewableReason(
  context: Pick<FeatureContext, "providers">,
  order: Order,
): string | undefined {
  if (order.provider === EXTERNAL_PROVIDER) {
    return `*${order.reference}* is a certificate certdesk did not order (imported): renew it where it was bought, or order its successor with \`/ssl order\`.`;
  }
  if (!order.csr || !order.providerOrderId) {
    return `*${order.reference}* never reached the provider (it is ${order.status.replace("_", " ")}), so there is nothing to renew. Order it again with \`/ssl order\`.`;
  }
  if (!context.providers.has(order.provider)) {
    return `*${order.reference}* was ordered from ${escapeMrkdwn(order.provider)}, which is not enabled here (SSL_PROVIDERS).`;
  }
  return undefined;
}

function contactValues(
  contact: ContactSnapshot,
): Pick<RenewFormValues, "contactFirst" | "contactLast" | "contactEmail" | "contactPhone" | "contactTitle"> {
  return {
    contactFirst: contact.firstName,
    contactLast: contact.lastName,
    contactEmail: contact.email,
    contactPhone: contact.phone,
    contactTitle: contact.title,
  };
}

/** The form as it opens: the original order's choices. */
export function valuesOf(order: Order): RenewFormValues {
  return {
    periodMonths: order.periodMonths,
    serverTypeId: order.serverType,
    dcvMethod: order.dcvMethod as DcvMethod,
    approverEmail: order.approverEmail ?? undefined,
    key: "new",
    ...contactValues(order.contact),
  };
}

/** The form as "Change something" brings it back from the review. */
export function valuesOfDraft(draft: RenewalDraft): RenewFormValues {
  return {
    periodMonths: draft.periodMonths,
    serverTypeId: draft.serverTypeId,
    dcvMethod: draft.dcvMethod,
    approverEmail: draft.approverEmail,
    key: draft.keepKey ? "current" : "new",
    csr: draft.clientCsr,
    ...contactValues(draft.contact),
  };
}

export function readRenewForm(values: StateValues): RenewFormValues {
  const byField = inputsByField(values, RENEW_BLOCKS);
  const text = (field: RenewField) => byField.get(field)?.value?.trim() ?? "";
  const selected = (field: RenewField) => byField.get(field)?.selected_option?.value;
  const period = Number(selected("period"));
  const dcv = selected("dcvMethod");
  return {
    periodMonths: Number.isSafeInteger(period) && period > 0 ? period : undefined,
    serverTypeId: selected("serverType"),
    dcvMethod: dcv === "email" || dcv === "http" || dcv === "dns" ? dcv : undefined,
    approverEmail: selected("approver"),
    contactFirst: text("contactFirst"),
    contactLast: text("contactLast"),
    contactEmail: text("contactEmail"),
    contactPhone: text("contactPhone"),
    contactTitle: text("contactTitle"),
    key: selected("key") === "current" ? "current" : "new",
    csr: text("csr") || undefined,
  };
}

type Checked =
  | { ok: true; contact: ContactSnapshot; clientCsr?: string }
  | { ok: false; errors: Record<string, string> };

/** The renewal as an order request, through the same rules as any order, and its contact. */
export function checkRenewForm(
  context: Pick<FeatureContext, "catalogue">,
  state: StateValues,
  values: RenewFormValues,
  metadata: RenewMetadata,
  original: Order,
): Checked {
  const errors: Record<string, string> = {};
  // Slack shows errors only on input blocks, so a field not in the form borrows a neighbour.
  const fail = (field: RenewField, message: string, ...fallbacks: RenewField[]) => {
    const block = [field, ...fallbacks]
      .map((candidate) => blockIdIn(state, RENEW_BLOCKS[candidate]))
      .find(Boolean);
    if (block && !errors[block]) errors[block] = message;
  };
  const dcvMethod = values.dcvMethod ?? (original.dcvMethod as DcvMethod);
  if (dcvMethod === "email" && !metadata.approvers) {
    fail(
      "approver",
      "Wait for the approver addresses to load, or choose HTTP or DNS validation.",
      "dcvMethod",
      "contactEmail",
    );
  }
  const request = checkOrderRequest(
    {
      clientId: original.clientId,
      productKey: productKey(original.provider, original.productId),
      domain: original.primaryDomain,
      sans: original.sans,
      periodMonths: values.periodMonths ?? original.periodMonths,
      serverTypeId: values.serverTypeId,
      addonIds: original.addonIds,
      dcvMethod,
      approverEmail: values.approverEmail,
      country: original.country ?? undefined,
      csr: values.csr,
    },
    { catalogue: context.catalogue.snapshot(), approvers: metadata.approvers },
  );
  if (!request.ok) {
    for (const [field, message] of Object.entries(request.errors)) {
      fail(FORM_FIELD_FOR[field as OrderField] ?? "period", message ?? "", "dcvMethod", "contactEmail");
    }
  }
  // The rules a client's contacts follow (one line, 200 characters, phone in the client's country).
  const contact = validateContactInput(
    {
      firstName: values.contactFirst ?? "",
      lastName: values.contactLast ?? "",
      email: values.contactEmail ?? "",
      phone: values.contactPhone ?? "",
      title: values.contactTitle ?? "",
    },
    original.country,
  );
  if (!contact.ok) {
    for (const [field, message] of Object.entries(contact.errors))
      fail(CONTACT_FIELD[field as ContactField], message);
  }
  if (Object.keys(errors).length > 0 || !contact.ok || !request.ok) return { ok: false, errors };
  return { ok: true, contact: contact.value, clientCsr: request.value.clientCsr?.pem };
}
