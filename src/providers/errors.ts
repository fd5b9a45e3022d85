/** Order fields a provider can reject; the form shows the message on that field. */
export type OrderField =
  | "domain"
  | "sans"
  | "approverEmail"
  | "product"
  | "period"
  | "serverType"
  | "dcvMethod"
  | "csr"
  | "organisation"
  | "country"
  | "contact"
  | "order";

interface ProviderErrorDetails {
  /** The provider's own code and message, kept verbatim for the audit log. */
  providerCode?: string;
  providerMessage?: string;
  cause?: unknown;
}

export class ProviderError extends Error {
  readonly providerCode?: string;
  readonly providerMessage?: string;
  constructor(
    /** The provider's id. */
    readonly provider: string,
    message: string,
    details: ProviderErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.providerCode = details.providerCode;
    this.providerMessage = details.providerMessage;
  }
}

/** The user can fix it: `field` names what to change. */
export class ProviderInputError extends ProviderError {
  constructor(
    provider: string,
    readonly field: OrderField,
    message: string,
    details: ProviderErrorDetails = {},
  ) {
    super(provider, message, details);
  }
}

/** Credentials refused, account locked, IP not allowed: an administrator must act. */
export class ProviderAuthError extends ProviderError {}

/** The provider could not be reached or answered nonsense: retry later. */
export class ProviderUnavailableError extends ProviderError {}

/**
 * An order placement whose outcome is unknown (timeout, reset, garbage after sending).
 * The order may exist at the provider; it stays `submitting` until reconciled, never re-sent blindly.
 */
export class ProviderOutcomeUnknownError extends ProviderUnavailableError {}
