import { z } from "zod";
import type { ContactField } from "../../domain/client.js";
import type { OrderField } from "../../domain/order.js";
import type { ProviderCatalogue } from "../../domain/product.js";
import { checkOrganisationFields } from "../../orders/clients.js";
import type { OrderDraft } from "../../orders/drafts.js";
import { checkOrderRequest } from "../../orders/order-request.js";
import {
  effectiveProductKey,
  ORDER_BLOCKS,
  type OrderFormField,
  type OrderFormValues,
} from "../../views/order-modal.js";
import { blockIdIn, inputsByField, type StateValues } from "../payloads.js";

/** The order modal's state read back into form values, its metadata, and step 1 through the order rules. */

/** Step 1's private_metadata: only ids and what a rebuild needs (Slack allows 3000 characters). */
export const step1MetadataSchema = z.object({
  channelId: z.string(),
  approvers: z.object({ domain: z.string(), emails: z.array(z.string()) }).optional(),
  renewalOfId: z.number().int().optional(),
});
export type Step1Metadata = z.infer<typeof step1MetadataSchema>;

export const step2MetadataSchema = z.object({ draftId: z.number().int() });

/** Where a refusal of an order field is shown on the order form. */
export const FORM_FIELD_FOR: Partial<Record<OrderField, OrderFormField>> = {
  client: "client",
  domain: "domain",
  sans: "sans",
  approverEmail: "approver",
  product: "product",
  period: "period",
  serverType: "serverType",
  addons: "addons",
  dcvMethod: "dcvMethod",
  country: "country",
  organisation: "organisation",
  csr: "csr",
};

export const CONTACT_FORM_FIELD: Record<ContactField, OrderFormField> = {
  firstName: "contactFirst",
  lastName: "contactLast",
  email: "contactEmail",
  phone: "contactPhone",
  title: "contactTitle",
};

/** The block_id under which `field` currently appears in the view (it may carry a suffix). */
export function blockIdOf(values: StateValues, field: OrderFormField): string {
  return blockIdIn(values, ORDER_BLOCKS[field]) ?? ORDER_BLOCKS[field];
}

function positive(text: string | undefined): number | undefined {
  const number = Number(text);
  return Number.isSafeInteger(number) && number > 0 ? number : undefined;
}

export function readOrderForm(values: StateValues): OrderFormValues {
  const byField = inputsByField(values, ORDER_BLOCKS);
  const text = (field: OrderFormField) => byField.get(field)?.value?.trim() || undefined;
  const selected = (field: OrderFormField) => byField.get(field)?.selected_option?.value;
  const dcv = selected("dcvMethod");
  return {
    clientId: positive(selected("client")),
    domain: text("domain"),
    approverEmail: selected("approver"),
    productKey: selected("product"),
    periodMonths: positive(selected("period")),
    serverTypeId: selected("serverType"),
    addonIds: byField.get("addons")?.selected_options?.map((option) => option.value) ?? [],
    dcvMethod: dcv === "email" || dcv === "http" || dcv === "dns" ? dcv : undefined,
    sans: byField.get("sans")?.value ?? undefined,
    organisation: text("organisation"),
    unit: text("unit"),
    state: text("state"),
    country: selected("country"),
    csr: text("csr"),
  };
}

export interface ContactFormValues {
  contactId?: number;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title: string;
}

export function readContactForm(values: StateValues): ContactFormValues {
  const byField = inputsByField(values, ORDER_BLOCKS);
  const text = (field: OrderFormField) => byField.get(field)?.value?.trim() ?? "";
  return {
    contactId: positive(byField.get("contactPick")?.selected_option?.value),
    firstName: text("contactFirst"),
    lastName: text("contactLast"),
    email: text("contactEmail"),
    phone: text("contactPhone"),
    title: text("contactTitle"),
  };
}

type Step1Result =
  | { ok: true; draft: OrderDraft }
  | { ok: false; errors: Partial<Record<OrderFormField, string>> };

/** Step 1 through the order rules (orders/order-request.ts); the provider re-checks at placement. */
export function validateStep1(
  form: OrderFormValues,
  metadata: Step1Metadata,
  catalogue: ProviderCatalogue[],
): Step1Result {
  const result = checkOrderRequest(
    {
      clientId: form.clientId,
      productKey: effectiveProductKey({ values: form, catalogue }),
      domain: form.domain,
      sans: (form.sans ?? "").split(/[\s,;]+/).filter(Boolean),
      periodMonths: form.periodMonths,
      serverTypeId: form.serverTypeId,
      addonIds: form.addonIds,
      dcvMethod: form.dcvMethod,
      approverEmail: form.approverEmail,
      country: form.country,
      csr: form.csr,
    },
    // No list loaded yet reads as a list for no domain: "press Enter in the Domain field".
    { catalogue, approvers: metadata.approvers ?? { domain: "", emails: [] } },
  );
  // Typed for this order and written into the CSR: the same rule as a client's record.
  const organisationErrors = checkOrganisationFields(form);
  if (!result.ok || Object.keys(organisationErrors).length > 0) {
    const errors: Partial<Record<OrderFormField, string>> = { ...organisationErrors };
    for (const [field, message] of Object.entries(result.ok ? {} : result.errors)) {
      const formField = FORM_FIELD_FOR[field as OrderField];
      if (formField && message) errors[formField] ??= message;
    }
    return { ok: false, errors };
  }
  const order = result.value;
  return {
    ok: true,
    draft: {
      clientId: order.clientId,
      providerId: order.providerId,
      productId: order.product.id,
      periodMonths: order.periodMonths,
      serverTypeId: order.serverTypeId,
      dcvMethod: order.dcvMethod,
      approverEmail: order.approverEmail,
      primaryDomain: order.primaryDomain,
      sans: order.sans,
      addonIds: order.addonIds,
      organisation: { name: form.organisation, unit: form.unit, state: form.state, country: order.country },
      channelId: metadata.channelId,
      ...(order.clientCsr ? { clientCsr: order.clientCsr.pem } : {}),
      form: { ...form },
    },
  };
}
