import {
  type OrderField,
  ProviderAuthError,
  type ProviderError,
  ProviderInputError,
  ProviderOutcomeUnknownError,
  ProviderUnavailableError,
} from "../errors.js";
import { describeTransportFailure, requestNeverSent, responseStatus } from "../http.js";

/**
 * Which call was refused: the same code means different things to a placement and a read.
 * `reissue` (AutoReplaceSSL) changes an existing order: sent once like a placement, but free, so an
 * answer lost on the way leaves nothing to reconcile by hand. `updateDcv` (AutoUpdateDCV) changes a
 * pending order's validation: free and harmless to repeat, so it is retried like a read.
 */
export type SectigoCall = "approverEmails" | "placement" | "reissue" | "status" | "resend" | "updateDcv";

export interface SectigoRefusal {
  code: number;
  message?: string;
  item?: string;
}

export interface RefusalContext {
  call: SectigoCall;
  /** The placement's uniqueValue, so a support engineer can find the order in Sectigo's portal. */
  uniqueValue?: string;
  /** Removes credentials from anything Sectigo echoes back. */
  redact: (text: string) => string;
}

const PROVIDER = "sectigo";

/** Codes whose cause and fix do not depend on which argument Sectigo names (providers.md §1.9). */
const INPUT_REFUSALS: Record<number, { field: OrderField; message: string }> = {
  [-5]: {
    field: "domain",
    message: "The CSR's common name is a wildcard but the product is not: choose a wildcard product.",
  },
  [-6]: {
    field: "domain",
    message:
      "The product is a wildcard certificate but the domain is not: enter *.<domain> or pick another product.",
  },
  [-7]: {
    field: "country",
    message: "Sectigo does not know that country: use the two-letter ISO code (GB, DE, US).",
  },
  [-8]: {
    field: "csr",
    message: "The CSR lacks a field Sectigo requires (usually the common name): make a new CSR.",
  },
  [-9]: {
    field: "csr",
    message: "The CSR is not valid base64: paste the whole CSR including its BEGIN/END lines.",
  },
  [-10]: { field: "csr", message: "Sectigo could not decode the CSR: make a new CSR." },
  [-11]: {
    field: "csr",
    message: "Sectigo does not accept the CSR's key algorithm: use RSA or ECDSA P-256/P-384.",
  },
  [-12]: { field: "csr", message: "The CSR's signature is invalid: make a new CSR." },
  [-13]: {
    field: "csr",
    message: "Sectigo does not accept the CSR's key size: use an RSA key of 2048 bits or more.",
  },
  [-40]: { field: "csr", message: "Sectigo believes the CSR's key is compromised: make a new key and CSR." },
  [-41]: {
    field: "csr",
    message: "Sectigo rejected the CSR's key as invalid or weak: make a new key and CSR.",
  },
  [-15]: {
    field: "order",
    message: "The Sectigo reseller account does not have enough credit: top it up, then submit again.",
  },
  [-18]: {
    field: "domain",
    message: "Sectigo does not accept this name as the common name for this product.",
  },
  [-19]: {
    field: "domain",
    message: "The domain is an internet-accessible IP address: Sectigo will not issue for an IP address.",
  },
  [-35]: {
    field: "domain",
    message: "The common name is an IP address: Sectigo will not issue for an IP address.",
  },
  [-37]: {
    field: "domain",
    message:
      "Sectigo will not issue for an IP address or internet server name: enter a registered domain name.",
  },
  [-115]: {
    field: "period",
    message: "Sectigo has no price for this product and validity period: choose another period or product.",
  },
  [-20]: { field: "order", message: "Sectigo has rejected this order." },
  [-21]: { field: "order", message: "The certificate has been revoked." },
  [-22]: { field: "order", message: "The order is still awaiting payment in the Sectigo account." },
  [-26]: {
    field: "order",
    message: "Sectigo is issuing the certificate right now: try again in a few minutes.",
  },
  [-36]: { field: "order", message: "The certificate has already expired: place a new order." },
};

/** Sectigo argument names (what certdesk sends) and the form field each one comes from. */
const ARGUMENTS: Record<string, { field: OrderField; label: string; hint?: string }> = {
  domainName: { field: "domain", label: "domain name" },
  primaryDomainName: { field: "domain", label: "domain name" },
  domainNames: { field: "sans", label: "list of domains" },
  dcvEmailAddress: {
    field: "approverEmail",
    label: "approver email address",
    hint: " Approver addresses must come from a list fetched in the last 24 hours: reload the list and pick one.",
  },
  dcvEmailAddresses: {
    field: "approverEmail",
    label: "approver email addresses",
    hint: " Approver addresses must come from a list fetched in the last 24 hours: reload the list and pick one.",
  },
  dcvMethod: { field: "dcvMethod", label: "validation method" },
  // AutoUpdateDCV's names for the same two things.
  newMethod: { field: "dcvMethod", label: "validation method" },
  newDCVEmailAddress: {
    field: "approverEmail",
    label: "approver email address",
    hint: " Approver addresses must come from a list fetched in the last 24 hours: reload the list and pick one.",
  },
  product: { field: "product", label: "product" },
  days: { field: "period", label: "validity period" },
  serverSoftware: { field: "serverType", label: "server type" },
  csr: { field: "csr", label: "CSR" },
  countryName: { field: "country", label: "country" },
  organizationName: { field: "organisation", label: "organisation name" },
  organizationalUnitName: { field: "organisation", label: "organisational unit" },
  streetAddress1: { field: "organisation", label: "street address" },
  localityName: { field: "organisation", label: "city" },
  stateOrProvinceName: { field: "organisation", label: "state or province" },
  postalCode: { field: "organisation", label: "postal code" },
  telephoneNumber: { field: "organisation", label: "organisation phone number" },
  emailAddress: { field: "organisation", label: "organisation email address" },
  orderNumber: { field: "order", label: "order number" },
};

/** The typed error for a negative Sectigo status code. */
export function errorForRefusal(refusal: SectigoRefusal, context: RefusalContext): ProviderError {
  const providerMessage = refusal.message === undefined ? undefined : context.redact(refusal.message);
  const details = { providerCode: String(refusal.code), providerMessage };
  const say = (text: string) =>
    `${text} (Sectigo error ${refusal.code}${providerMessage ? `: ${providerMessage}` : ""})`;

  switch (refusal.code) {
    case -16:
      return new ProviderAuthError(
        PROVIDER,
        say(
          "Sectigo refused the login: wrong login name or password, account locked, password expired or this " +
            "server's IP address not allowed. Check SECTIGO_LOGIN_NAME, SECTIGO_LOGIN_PASSWORD and the account's IP list.",
        ),
        details,
      );
    case -91:
      return new ProviderAuthError(
        PROVIDER,
        say("The Sectigo account may not make this request: ask the Sectigo account manager to enable it."),
        details,
      );
    case -42:
      return new ProviderUnavailableError(
        PROVIDER,
        say("The Sectigo account has reached its call limit: try again later."),
        details,
      );
    case -1:
      return new ProviderUnavailableError(
        PROVIDER,
        say("Sectigo only answers over HTTPS: set SECTIGO_API_URL to an https:// address."),
        details,
      );
    case -17:
      return new ProviderUnavailableError(
        PROVIDER,
        say("Sectigo says the request was not a POST: this is a certdesk bug, please report it."),
        details,
      );
    case -14:
      // "Unknown error" gives no guarantee that nothing was created.
      if (context.call === "placement") return outcomeUnknown(context, say, details);
      return new ProviderUnavailableError(
        PROVIDER,
        say("Sectigo reported an internal error: try again later."),
        details,
      );
    case -2:
    case -3:
    case -4:
      return argumentError(refusal, context, say, details);
  }
  const known = INPUT_REFUSALS[refusal.code];
  if (known) return new ProviderInputError(PROVIDER, known.field, say(known.message), details);
  if (context.call === "placement") {
    return new ProviderInputError(PROVIDER, "order", say("Sectigo refused the order."), details);
  }
  if (context.call === "reissue") {
    return new ProviderInputError(PROVIDER, "order", say("Sectigo refused the reissue."), details);
  }
  if (context.call === "updateDcv") {
    return new ProviderInputError(
      PROVIDER,
      "dcvMethod",
      say("Sectigo refused the change of validation: choose another method or approver address."),
      details,
    );
  }
  return new ProviderUnavailableError(
    PROVIDER,
    say("Sectigo answered with an error certdesk does not know: try again later or ask Sectigo support."),
    details,
  );
}

function argumentError(
  refusal: SectigoRefusal,
  context: RefusalContext,
  say: (text: string) => string,
  details: { providerCode: string; providerMessage?: string },
): ProviderError {
  const argument = refusal.item ?? quotedArgument(refusal.message);
  if (argument === "loginName" || argument === "loginPassword") {
    return new ProviderAuthError(
      PROVIDER,
      say("Sectigo did not accept the login details: check SECTIGO_LOGIN_NAME and SECTIGO_LOGIN_PASSWORD."),
      details,
    );
  }
  // certdesk's uniqueValue is derived from the order reference, so "already exists" means an
  // earlier attempt at this very order reached Sectigo.
  if (argument === "uniqueValue" && refusal.code === -4 && context.call === "placement") {
    return outcomeUnknown(context, say, details);
  }
  const known = argument === undefined ? undefined : ARGUMENTS[argument];
  const label = known?.label ?? (argument ? `'${argument}' value` : "request");
  const text =
    refusal.code === -2
      ? `Sectigo does not accept the ${label} certdesk sent: clear it and submit again.`
      : refusal.code === -3
        ? `Sectigo needs the ${label}: fill it in and submit again.`
        : `Sectigo rejected the ${label}: correct it and submit again.${known?.hint ?? ""}`;
  return new ProviderInputError(PROVIDER, known?.field ?? "order", say(text), details);
}

function outcomeUnknown(
  context: RefusalContext,
  say: (text: string) => string,
  details: { providerCode: string; providerMessage?: string },
): ProviderError {
  return new ProviderOutcomeUnknownError(
    PROVIDER,
    say(
      `Sectigo may already hold this order: look for uniqueValue ${context.uniqueValue ?? "(unknown)"} in the ` +
        "Sectigo account before ordering again.",
    ),
    details,
  );
}

/** Sectigo messages quote the argument: "The 'days' argument is missing!". */
function quotedArgument(message: string | undefined): string | undefined {
  return message?.match(/'([A-Za-z][A-Za-z0-9_]*)'/)?.[1];
}

/** An answer in neither of Sectigo's encodings, or without the fields the call needs. */
export function unreadableAnswer(call: SectigoCall, uniqueValue?: string): ProviderError {
  if (call === "reissue") return reissueUnconfirmed("Sectigo answered with something certdesk cannot read");
  if (call === "placement") {
    return new ProviderOutcomeUnknownError(
      PROVIDER,
      "Sectigo answered the order with something certdesk cannot read, so it may have been placed: " +
        `look for uniqueValue ${uniqueValue} in the Sectigo account before ordering again.`,
    );
  }
  return new ProviderUnavailableError(
    PROVIDER,
    "Sectigo answered with something certdesk cannot read: try again later, and check that " +
      "SECTIGO_API_URL points at the Sectigo reseller API if it keeps happening.",
  );
}

/** No answer, or an HTTP error status; never passes the axios error on (its request holds the password). */
export function transportError(
  call: SectigoCall,
  error: unknown,
  uniqueValue: string | undefined,
): ProviderError {
  const failure = describeTransportFailure(error);
  const status = responseStatus(error);
  // A 4xx is a refusal before processing; no answer or a 5xx leaves a placement undecided. A refused
  // connection is not "no answer": nothing was sent, so the order is certainly not placed and may be
  // submitted again, instead of waiting in `submitting` for a person to search Sectigo's portal.
  const refusedUnprocessed = status !== undefined && status < 500;
  if (call === "placement" && !refusedUnprocessed && !requestNeverSent(error)) {
    return new ProviderOutcomeUnknownError(
      PROVIDER,
      `The order was sent to Sectigo but no usable answer came back (${failure}). It may have been placed: ` +
        `look for uniqueValue ${uniqueValue} in the Sectigo account before ordering again.`,
    );
  }
  if (call === "reissue" && !refusedUnprocessed && !requestNeverSent(error)) {
    return reissueUnconfirmed(`no usable answer came back: ${failure}`);
  }
  if (status === 429) {
    return new ProviderUnavailableError(
      PROVIDER,
      `Sectigo is limiting requests (${failure}): try again later.`,
    );
  }
  if (refusedUnprocessed) {
    return new ProviderUnavailableError(
      PROVIDER,
      `Sectigo refused the request without processing it (${failure}): check SECTIGO_API_URL.`,
    );
  }
  return new ProviderUnavailableError(
    PROVIDER,
    `Sectigo could not be reached (${failure}): try again later.`,
  );
}

/** A reissue that may or may not have reached Sectigo: free, so asking again does no harm. */
function reissueUnconfirmed(reason: string): ProviderError {
  return new ProviderUnavailableError(
    PROVIDER,
    `Sectigo did not confirm the reissue (${reason}). It may have been accepted: the order's status ` +
      "shows it; if the order is still issued with the earlier certificate, ask again later.",
  );
}
