import { z } from "zod";

/**
 * GoGetSSL's JSON shapes. The API is PHP behind the scenes: ids arrive as numbers or strings,
 * flags as 0/1, "0"/"1", booleans or "yes"/"no", and empty objects as `[]`. Only the fields
 * certdesk relies on are required; everything optional falls back to `undefined` instead of
 * failing the whole response (a placement must not look failed because of a cosmetic field).
 */

const TRUE_WORDS = new Set(["1", "true", "yes", "y", "on"]);

export function toFlag(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return TRUE_WORDS.has(value.trim().toLowerCase());
  return false;
}

export const idValue = z.union([z.number().int(), z.string().trim().min(1)]).transform(String);

/** A scalar the API may send as text or number; blank means absent. */
export const optionalText = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((value) => (value == null ? undefined : String(value).trim() || undefined))
  .catch(undefined);

const optionalFlag = z.unknown().optional().transform(toFlag);

const months = z.union([z.number().int().positive(), z.string().trim().regex(/^\d+$/).transform(Number)]);

export const authResponse = z.object({ key: z.string().trim().min(1) });

export const productsResponse = z.object({ products: z.array(z.unknown()) });

/** Field names are only partly documented, so every alias seen in client code is accepted. */
export const productEntry = z.object({
  id: idValue,
  product: z.string().trim().min(1).optional().catch(undefined),
  name: z.string().trim().min(1).optional().catch(undefined),
  brand: z.string().trim().min(1).optional().catch(undefined),
  product_type: z.string().trim().optional().catch(undefined),
  validation_type: z.string().trim().optional().catch(undefined),
  wildcard_enabled: optionalFlag,
  wildcard: optionalFlag,
  san_enabled: optionalFlag,
  multi_domain: optionalFlag,
  is_multidomain: optionalFlag,
  max_period: months.optional().catch(undefined),
  periods: z
    .union([
      z.array(months),
      z.string().transform((list) => list.split(",").map((part) => Number(part.trim()))),
    ])
    .optional()
    .catch(undefined),
  /**
   * List prices keyed by period in months (`{"12": "8.95", "24": "16.90", "san": {…}}`), in the
   * account's currency, which the entry does not name [S: read by third-party reseller modules from
   * `product.prices`; not in GoGetSSL's own wiki]. Entries that are not a period and a price are ignored.
   */
  prices: z.record(z.string(), z.unknown()).optional().catch(undefined),
});
export type ProductEntry = z.infer<typeof productEntry>;

export const webserversResponse = z.object({
  webservers: z.array(z.object({ id: idValue, software: z.string().trim().min(1) })),
});

const emailList = z.union([z.array(z.string()), z.record(z.string(), z.string()).transform(Object.values)]);

export const approverEmailsResponse = z
  .object({
    ComodoApprovalEmails: emailList.nullish(),
    GeotrustApprovalEmails: emailList.nullish(),
  })
  .refine((body) => body.ComodoApprovalEmails != null || body.GeotrustApprovalEmails != null, {
    message: "no approval email list",
  });

export interface MethodDetails {
  link?: string;
  filename?: string;
  content?: string;
  record?: string;
  email?: string;
}

const methodDetails: z.ZodType<MethodDetails> = z
  .union([
    // A bare string is the address under the `email` key and the record under the `dns` key.
    z.string().transform((value) => ({ email: value, record: value })),
    z.object({
      link: optionalText,
      filename: optionalText,
      content: optionalText,
      record: optionalText,
      email: optionalText,
    }),
  ])
  .transform((details): MethodDetails => details)
  .catch({});

/** DCV details keyed by method (`http`, `https`, `dns`, `email`). */
export type ApproverMethod = Partial<Record<string, MethodDetails>>;

/** PHP sends an empty `[]` instead of `{}` when there are no details. */
export const approverMethod = z
  .union([z.record(z.string(), methodDetails), z.array(z.unknown()).transform((): ApproverMethod => ({}))])
  .optional()
  .catch(undefined);

const sanEntry = z.object({
  san_name: z.string().trim().min(1),
  validation_method: optionalText,
  status: optionalText,
  status_description: optionalText,
  validation: approverMethod,
});
export type SanEntry = z.infer<typeof sanEntry>;

const sanList = z
  .array(z.unknown())
  .transform((entries) => entries.flatMap((entry) => sanEntry.safeParse(entry).data ?? []))
  .optional()
  .catch(undefined);

export const placeOrderResponse = z.object({
  order_id: idValue,
  order_amount: optionalText,
  currency: optionalText,
  approver_method: approverMethod,
  san: sanList,
});
export type PlaceOrderResponse = z.infer<typeof placeOrderResponse>;

/**
 * `POST /orders/ssl/reissue/{order_id}`'s answer. Documented only in a third-party client's docblock
 * (providers.md §8 names the call, not its answer): `order_id`, `order_status` ("reissue"),
 * `validation` (HTTP/DNS details, read like `approver_method`), `success`. Every field is optional:
 * the HTTP status and the absence of the error object already say the reissue was accepted.
 */
export const reissueResponse = z.object({
  order_id: idValue.optional().catch(undefined),
  order_status: optionalText,
  validation: approverMethod,
  approver_method: approverMethod,
  san: sanList,
});
export type ReissueResponse = z.infer<typeof reissueResponse>;

/**
 * The answer to a change of validation. `change_validation_email` is documented (providers.md §2.2,
 * GGS-WIKI changeValidationEmail) to answer `dcv_method` and `approver_email` for e-mail, and for
 * http/https/dns the getDomainAlternative objects (`{"dns": {"record": …}}`, `{"http": {link,
 * filename, content}}`). The answers of `change_validation_method` and
 * `change_domains_validation_method` are not documented; the keys of the reissue and order answers
 * (`validation`, `approver_method`, `san`) are read too when present. Every field is optional: the
 * HTTP status and the absence of the error object already say the change was accepted.
 */
export const validationChangeResponse = z.object({
  dcv_method: optionalText,
  approver_email: optionalText,
  http: methodDetails.optional(),
  https: methodDetails.optional(),
  dns: methodDetails.optional(),
  validation: approverMethod,
  approver_method: approverMethod,
  san: sanList,
});
export type ValidationChangeResponse = z.infer<typeof validationChangeResponse>;

export const orderStatusResponse = z.object({
  status: z.string().trim().min(1),
  status_description: optionalText,
  dcv_status: optionalText,
  validation_description: optionalText,
  manual_check: optionalFlag,
  pre_signing: optionalFlag,
  domain: optionalText,
  dcv_method: optionalText,
  approver_email: optionalText,
  approver_method: approverMethod,
  san: sanList,
  crt_code: optionalText,
  ca_code: optionalText,
  valid_from: optionalText,
  valid_till: optionalText,
});
export type OrderStatusResponse = z.infer<typeof orderStatusResponse>;

/** GoGetSSL's error object: `{"error": true, "message": "...", "description": "..."}`. */
export interface ErrorReport {
  message: string;
  description: string;
}

function describe(value: unknown): string {
  if (value == null) return "";
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(describe).filter(Boolean).join("; ");
  if (typeof value === "object") {
    return Object.entries(value)
      .map(([key, inner]) => `${key}: ${describe(inner)}`)
      .join("; ");
  }
  return "";
}

export function readErrorReport(body: unknown): ErrorReport | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  const flagged = toFlag(record.error) || record.success === false;
  if (!flagged) return undefined;
  return { message: describe(record.message), description: describe(record.description) };
}

/** The parsed JSON body, or `undefined` when it is not JSON at all. */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
