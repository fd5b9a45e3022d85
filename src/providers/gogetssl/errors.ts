import {
  type OrderField,
  ProviderAuthError,
  ProviderInputError,
  ProviderOutcomeUnknownError,
  ProviderUnavailableError,
} from "../errors.js";
import type { ErrorReport } from "./wire.js";

interface FieldRule {
  pattern: RegExp;
  field: OrderField;
  /** How the message names the rejected thing: "GoGetSSL rejected the <subject>". */
  subject: string;
}

/**
 * GoGetSSL has no error codes, only English text, so the text decides which form field the user
 * must change. The first matching rule wins, and the order matters: "approver email is not valid
 * for this domain" is about the approver, "CSR common name does not match the domain" about the CSR.
 */
const FIELD_RULES: readonly FieldRule[] = [
  { pattern: /dcv[ _]?method|validation method/i, field: "dcvMethod", subject: "validation method" },
  {
    pattern: /approver|dcv[ _]?e-?mail|validation e-?mail/i,
    field: "approverEmail",
    subject: "approval email address",
  },
  { pattern: /\bcsr/i, field: "csr", subject: "CSR" },
  { pattern: /dns[ _]?names|\bsans?\b|alternative names?/i, field: "sans", subject: "additional domains" },
  { pattern: /period|validity/i, field: "period", subject: "validity period" },
  { pattern: /product/i, field: "product", subject: "product" },
  { pattern: /country/i, field: "country", subject: "country" },
  { pattern: /web ?server|server[ _]?type/i, field: "serverType", subject: "server type" },
  { pattern: /\borg_|organi[sz]ation/i, field: "organisation", subject: "organisation details" },
  {
    pattern: /admin_|tech_|contact|phone|first ?name|last ?name|e-?mail/i,
    field: "contact",
    subject: "contact details",
  },
  { pattern: /domain/i, field: "domain", subject: "domain" },
];

const AUTH_COMPLAINT =
  /\bauth\b|auth[ _]?key|authenticat|authori[sz]|credential|password|\blogin\b|api key|permission|access denied/i;

export function reportText(report: ErrorReport): string {
  const parts = [report.message, report.description].filter(Boolean);
  return parts.length > 0 ? parts.join(": ") : "no reason given";
}

export function isAuthComplaint(report: ErrorReport): boolean {
  return AUTH_COMPLAINT.test(reportText(report));
}

export function fieldFor(report: ErrorReport): Pick<FieldRule, "field" | "subject"> {
  const text = reportText(report);
  return FIELD_RULES.find((rule) => rule.pattern.test(text)) ?? { field: "order", subject: "order" };
}

/** The report must already be scrubbed of secrets: its text goes into the message. */
export function inputError(report: ErrorReport, action: string): ProviderInputError {
  const text = reportText(report);
  const { field, subject } = fieldFor(report);
  const advice = field === "order" ? "" : ` Correct the ${subject} and submit again.`;
  return new ProviderInputError(
    "gogetssl",
    field,
    `GoGetSSL rejected the ${subject} while ${action}: ${text}.${advice}`,
    { providerMessage: text },
  );
}

/** The report must already be scrubbed of secrets: its text goes into the message. */
export function authError(report: ErrorReport | undefined, action: string): ProviderAuthError {
  const text = report ? reportText(report) : undefined;
  return new ProviderAuthError(
    "gogetssl",
    `GoGetSSL refused the API credentials while ${action}${text ? ` (${text})` : ""}. ` +
      "Check GOGETSSL_USER and GOGETSSL_PASSWORD: the password is the API password from the GoGetSSL " +
      "client area (Reseller Modules > API settings), not the account login password.",
    text ? { providerMessage: text } : {},
  );
}

export function unavailableError(action: string, reason: string): ProviderUnavailableError {
  return new ProviderUnavailableError(
    "gogetssl",
    `GoGetSSL could not be reached or answered unexpectedly while ${action} (${reason}). Try again later.`,
  );
}

export function outcomeUnknownError(action: string, reason: string): ProviderOutcomeUnknownError {
  return new ProviderOutcomeUnknownError(
    "gogetssl",
    `GoGetSSL did not confirm ${action} (${reason}), so the order may or may not exist. ` +
      "Look for it under Orders in the GoGetSSL client area before submitting again.",
  );
}

/** A change to an existing order (a reissue) that may have reached GoGetSSL; it costs nothing to ask again. */
export function unconfirmedChangeError(action: string, reason: string): ProviderUnavailableError {
  return new ProviderUnavailableError(
    "gogetssl",
    `GoGetSSL did not confirm ${action} (${reason}). It may have been accepted: the order's status ` +
      "shows it; if the order is still issued with the earlier certificate, try again later.",
  );
}
