import { z } from "zod";

/**
 * Sectigo's reseller API answers in one of two encodings (providers.md §1.2):
 * - newline text: line 1 is the status code, then the error message, positional values
 *   or `key<TAB>value` lines;
 * - URL-encoded: `errorCode=0&orderNumber=…`, keys may repeat.
 * The encoding depends on the call and on `responseFormat`, so every answer is sniffed
 * rather than trusted to be what was asked for.
 */

export type SectigoFields = Record<string, string | string[]>;

export interface SectigoAnswer {
  /** 0 / positive = success (meaning depends on the call), negative = error. */
  code: number;
  message?: string;
  /** The argument an ArgumentException-style error names. */
  item?: string;
  /** Every key/value pair in the order received (repeated keys included). */
  entries: [string, string][];
  /** Keys collected: a repeated key becomes an array. */
  fields: SectigoFields;
  /** Text encoding only: success lines without a tab, in order. */
  positional: string[];
}

// Base64 values are sent with literal `+`, which form-decoding would turn into spaces
// (checkdomain/Comodo leaves these fields undecoded for that reason).
const BASE64_FIELDS = new Set([
  "certificate",
  "caCertificate",
  "pkcs7",
  "netscapeCertificateSequence",
  "zipFile",
]);
const STATUS_LINE = /^-?\d+$/;

/** The parsed answer, or undefined when the body is in neither encoding or carries no status code. */
export function parseSectigoAnswer(body: unknown): SectigoAnswer | undefined {
  if (typeof body !== "string") return undefined;
  const text = body.replace(/^\uFEFF/, "").trim();
  const firstLine = text.split(/\r?\n/, 1)[0]?.trim() ?? "";
  if (STATUS_LINE.test(firstLine)) return parseTextAnswer(text);
  return parseUrlEncodedAnswer(text);
}

function parseTextAnswer(text: string): SectigoAnswer {
  const [statusLine = "", ...lines] = text.split(/\r?\n/);
  const code = Number(statusLine.trim());
  if (code < 0) {
    return { code, message: lines[0]?.trim() || undefined, entries: [], fields: {}, positional: [] };
  }
  const entries: [string, string][] = [];
  const positional: string[] = [];
  for (const line of lines) {
    const tab = line.indexOf("\t");
    if (tab >= 0) entries.push([line.slice(0, tab).trim(), line.slice(tab + 1).trim()]);
    else if (line.trim() !== "") positional.push(line.trim());
  }
  return { code, entries, fields: collect(entries), positional };
}

function parseUrlEncodedAnswer(text: string): SectigoAnswer | undefined {
  const entries: [string, string][] = [];
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const rawKey = equals >= 0 ? pair.slice(0, equals) : pair;
    const rawValue = equals >= 0 ? pair.slice(equals + 1) : "";
    const key = decodeFormComponent(rawKey);
    if (key === undefined) return undefined;
    const value = BASE64_FIELDS.has(key) ? decodePercent(rawValue) : decodeFormComponent(rawValue);
    if (value === undefined) return undefined;
    entries.push([key, value]);
  }
  const fields = collect(entries);
  // WebHostReport answers with `error_code` (checkdomain/Comodo); accept both spellings everywhere.
  const code = single(fields.errorCode) ?? single(fields.error_code);
  if (code === undefined || !STATUS_LINE.test(code.trim())) return undefined;
  return {
    code: Number(code.trim()),
    message: single(fields.errorMessage) || undefined,
    item: single(fields.errorItem) || undefined,
    entries,
    fields,
    positional: [],
  };
}

function collect(entries: [string, string][]): SectigoFields {
  const fields: SectigoFields = {};
  for (const [key, value] of entries) {
    const existing = fields[key];
    if (existing === undefined) fields[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else fields[key] = [existing, value];
  }
  return fields;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function decodePercent(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function decodeFormComponent(value: string): string | undefined {
  return decodePercent(value.replace(/\+/g, " "));
}

/**
 * Text answers carry some values by position only (AutoApplySSL: orderNumber, totalCost,
 * expectedDeliveryTime, then optional ones whose position depends on flags). Names the
 * leading positions so both encodings validate against one schema.
 */
export function fieldsWithPositional(answer: SectigoAnswer, names: readonly string[]): SectigoFields {
  const named: SectigoFields = {};
  names.forEach((name, index) => {
    const value = answer.positional[index];
    if (value !== undefined) named[name] = value;
  });
  return { ...named, ...answer.fields };
}

/** A form body for Sectigo: every value a string, empty and missing values left out. */
export function formBody(params: Record<string, string | undefined>): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") form.append(key, value);
  }
  return form.toString();
}

/** AutoApplySSL's answer: the order number, and the cost and uniqueValue when Sectigo sends them. */
export const appliedOrder = z.object({
  orderNumber: z.string().regex(/^\d+$/),
  totalCost: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .optional(),
  uniqueValue: z
    .string()
    .regex(/^[A-Za-z0-9]{1,20}$/)
    .optional(),
});

/**
 * AutoReplaceSSL's answer, read from its named fields only: `errorCode=0&expectedDeliveryTime=0&
 * certificateID=…` and sometimes `uniqueValue` (providers.md §1.6). The positions of these values in
 * the newline encoding are not documented, so a text answer says no more than its status line.
 * The answer does not say whether the new certificate is issued yet.
 */
export const replacedCertificate = z.object({
  // checkdomain/Comodo's fixture has `abc123456`, so not only digits.
  certificateID: z.string().optional(),
  expectedDeliveryTime: z.string().optional(),
  uniqueValue: z
    .string()
    .regex(/^[A-Za-z0-9]{1,20}$/)
    .optional(),
});

/**
 * AutoUpdateDCV's answer: `errorCode=0`, in checkdomain/Comodo's fixture with the AutoReplaceSSL
 * fields `expectedDeliveryTime` and `certificateID` (providers.md §1.6). It is URL-encoded whatever
 * is asked (the call refuses `responseFormat`, §8), and nothing in it is needed beyond the status
 * code; a repeated field makes it unreadable.
 */
export const updatedDcv = z.object({
  certificateID: z.string().optional(),
  expectedDeliveryTime: z.string().optional(),
});

/** GetDCVEmailAddressList's addresses, once blanks and `none` are dropped. */
export const approverAddresses = z.array(z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/));

const text = z.string().optional();
const unixSeconds = z
  .string()
  .regex(/^\d+$/)
  .transform((seconds) => new Date(Number(seconds) * 1000));
const oneOrMore = z.union([z.string(), z.array(z.string())]).transform((value) => [value].flat());

/** CollectSSL's fields as certdesk asks for them (responseFormat=1 and the show* flags). */
export const collectFields = z.object({
  certificate: z.string().min(1).optional(),
  caCertificate: oneOrMore.optional(),
  notBefore: unixSeconds.optional(),
  notAfter: unixSeconds.optional(),
  fqdn: text,
  mdcDomainDetails: oneOrMore.optional(),
  certificateStatus: text,
  validationStatus: text,
  dcvStatus: text,
  csrStatus: text,
  organizationValidationStatus: text,
  ovCallBackStatus: text,
  brandValStatus: text,
  caaStatus: text,
  evClickThroughStatus: text,
});
export type CollectFields = z.infer<typeof collectFields>;
