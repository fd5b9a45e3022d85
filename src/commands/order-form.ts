import { z } from "zod";
import { ORDER_BLOCKS, type OrderFormField, type OrderFormValues } from "../views/order-modal.js";

/** Reading the order modal's state.values (keyed by block_id, then action_id) back into form values. */

const stateValue = z
  .object({
    value: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
    selected_options: z.array(z.object({ value: z.string() })).nullish(),
  })
  .loose();
export const stateValuesSchema = z.record(z.string(), z.record(z.string(), stateValue));
export type StateValues = z.infer<typeof stateValuesSchema>;

const FIELD_BY_BLOCK = new Map<string, OrderFormField>(
  Object.entries(ORDER_BLOCKS).map(([field, block]) => [block, field as OrderFormField]),
);

/** The block_id under which `field` currently appears in the view (it may carry a suffix). */
export function blockIdOf(values: StateValues, field: OrderFormField): string {
  const base = ORDER_BLOCKS[field];
  return Object.keys(values).find((id) => id === base || id.startsWith(`${base}:`)) ?? base;
}

function entriesByField(values: StateValues): Map<OrderFormField, z.infer<typeof stateValue>> {
  const result = new Map<OrderFormField, z.infer<typeof stateValue>>();
  for (const [block, actions] of Object.entries(values)) {
    const field = FIELD_BY_BLOCK.get(block.split(":")[0] ?? "");
    const entry = Object.values(actions)[0];
    if (field && entry) result.set(field, entry);
  }
  return result;
}

export function readOrderForm(values: StateValues): OrderFormValues {
  const byField = entriesByField(values);
  const text = (field: OrderFormField) => byField.get(field)?.value?.trim() || undefined;
  const selected = (field: OrderFormField) => byField.get(field)?.selected_option?.value;
  const period = Number(selected("period"));
  const client = Number(selected("client"));
  const dcv = selected("dcvMethod");
  return {
    clientId: Number.isSafeInteger(client) && client > 0 ? client : undefined,
    domain: text("domain"),
    approverEmail: selected("approver"),
    productKey: selected("product"),
    periodMonths: Number.isSafeInteger(period) && period > 0 ? period : undefined,
    serverTypeId: selected("serverType"),
    addonIds: byField.get("addons")?.selected_options?.map((option) => option.value) ?? [],
    dcvMethod: dcv === "email" || dcv === "http" || dcv === "dns" ? dcv : undefined,
    sans: byField.get("sans")?.value ?? undefined,
    organisation: text("organisation"),
    unit: text("unit"),
    state: text("state"),
    country: selected("country"),
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
  const byField = entriesByField(values);
  const text = (field: OrderFormField) => byField.get(field)?.value?.trim() ?? "";
  const picked = Number(byField.get("contactPick")?.selected_option?.value);
  return {
    contactId: Number.isSafeInteger(picked) && picked > 0 ? picked : undefined,
    firstName: text("contactFirst"),
    lastName: text("contactLast"),
    email: text("contactEmail"),
    phone: text("contactPhone"),
    title: text("contactTitle"),
  };
}

/** Step 1's private_metadata: only ids and what a rebuild needs (Slack allows 3000 characters). */
export const step1MetadataSchema = z.object({
  channelId: z.string(),
  approvers: z.object({ domain: z.string(), emails: z.array(z.string()) }).optional(),
  renewalOfId: z.number().int().optional(),
});
export type Step1Metadata = z.infer<typeof step1MetadataSchema>;

export const step2MetadataSchema = z.object({ draftId: z.number().int() });

export function parseMetadata<T>(schema: z.ZodType<T>, raw: string | undefined): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(raw ?? ""));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
