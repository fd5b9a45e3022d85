import type { RevocationReason } from "../domain/certificate.js";
import type { DcvInstruction, DcvMethod, DomainValidationState } from "../domain/dcv.js";
import type { Money } from "../domain/money.js";
import type { ContactSnapshot } from "../domain/order.js";
import type { Product, ServerType } from "../domain/product.js";

/**
 * The provider contract: everything the rest of certdesk knows about a CA reseller.
 * Adapters translate their wire formats into these shapes; nothing outside
 * src/providers sees a provider's own field names. Which providers exist: plugins.ts.
 */

export interface ProviderCapabilities {
  dcvMethods: DcvMethod[];
  addons: boolean;
  multiDomain: boolean;
  wildcard: boolean;
  renew: boolean;
  /** A new certificate inside the same subscription, free (Sectigo AutoReplaceSSL, GoGetSSL reissue). */
  reissue: boolean;
  resendApproval: boolean;
  /** A pending order's validation can be changed: another approver address, another method. */
  changeValidation: boolean;
  /** …for some of its domains while the others keep theirs (false: every domain alike). */
  changeValidationPerDomain: boolean;
  /**
   * The CA can be asked to check a DNS record or HTTP file again now (GoGetSSL `revalidate`,
   * Sectigo `!AutoUpdateDCV` with the method unchanged).
   */
  recheckValidation: boolean;
  /**
   * The CA's names as CAA records give them (sectigo.com, comodoca.com…), for the "Will it issue?"
   * check; a product may name its own (a reseller selling several CAs' brands).
   */
  caIdentifiers: string[];
  /**
   * The CA validates a domain only when asked, once its record or file is in place (ACME: a
   * challenge is answered once and fails for good if the record is missing). The poller asks after
   * the "Will it issue?" check finds nothing wrong, and the thread's button reads "Record is in place".
   */
  validatesWhenAsked: boolean;
  /** An issued certificate can be revoked through the provider (ACME revokeCert). */
  revoke: boolean;
  /** Asking for status more often than this is refused or frowned upon by the provider. */
  minPollIntervalSeconds: number;
  /**
   * E-mail validation takes one approver address for every domain of the order (Sectigo), so that
   * address must be able to approve each of them; orders/order-request.ts applies it.
   */
  oneApproverForAllDomains?: boolean;
  /**
   * The longest the CA reuses a domain validation, when it is shorter than the CA/Browser Forum's
   * maximum (Sectigo: 198 days since 2026-03-12). Absent: the Forum's maximum.
   */
  dcvReuseDays?: number;
}

export interface OrderOrganisation {
  name?: string;
  unit?: string;
  street?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  /** ISO-3166 alpha-2. */
  country?: string;
  phone?: string;
  email?: string;
}

export interface PlaceOrderRequest {
  /** certdesk's own reference (SSL-1042); providers that take a client token get it. */
  reference: string;
  productId: string;
  periodMonths: number;
  serverTypeId: string;
  csrPem: string;
  /** Primary domain, ASCII (punycode) form. */
  commonName: string;
  /** Additional domains for multi-domain products, ASCII form, primary excluded. */
  sans: string[];
  dcvMethod: DcvMethod;
  /** Required when dcvMethod is "email". */
  approverEmail?: string;
  addonIds: string[];
  organisation: OrderOrganisation;
  contact: ContactSnapshot;
}

export interface RenewRequest extends PlaceOrderRequest {
  previousProviderOrderId: string;
}

/**
 * A new certificate on an order already issued: a new CSR (new or same key, or the client's), the
 * domains (changed where the product allows) and the validation for them. Free within the
 * subscription. Sectigo `!AutoReplaceSSL`, GoGetSSL `POST /orders/ssl/reissue/{order_id}`.
 */
export interface ReissueRequest {
  providerOrderId: string;
  /** certdesk's reference of the order (SSL-1042), for the provider's logs where it takes one. */
  reference: string;
  serverTypeId: string;
  csrPem: string;
  commonName: string;
  sans: string[];
  dcvMethod: DcvMethod;
  /** Required when dcvMethod is "email". */
  approverEmail?: string;
}

export interface ReissueResult {
  /** "issued" when the CA reused a validation and issued at once; usually "pending". */
  status: ProviderOrderStatus;
  dcv: DcvInstruction[];
}

/**
 * A pending order's domain validation changed: each listed domain is validated from now on by
 * `method` (with `approverEmail` for e-mail). Sectigo `!AutoUpdateDCV` (one call per domain),
 * GoGetSSL `change_validation_email` / `change_validation_method` / `change_domains_validation_method`.
 */
export interface ChangeValidationRequest {
  providerOrderId: string;
  /** certdesk's reference (SSL-1042), for the provider's logs where it takes one. */
  reference: string;
  /** The order's CSR: HTTP-file and DNS instructions are derived from it where the CA does so. */
  csrPem: string;
  domains: { domain: string; method: DcvMethod; approverEmail?: string }[];
}

/** RFC 5280 CRLReason codes a person may give for a revocation: a word of the vocabulary (domain). */
export { REVOCATION_REASONS, type RevocationReason } from "../domain/certificate.js";

export interface RevokeRequest {
  providerOrderId: string;
  /** The certificate to revoke (an order may have had several: reissues). */
  certificatePem: string;
  reason: RevocationReason;
}

/**
 * When the CA wants a certificate renewed (ACME Renewal Information, RFC 9773): renew between
 * `start` and `end`; `explanationUrl` says why when the CA moved the window (a mass revocation).
 */
export interface RenewalWindow {
  start: Date;
  end: Date;
  explanationUrl?: string;
  /** When to ask again (the answer's Retry-After). */
  retryAfter?: Date;
}

export type ProviderOrderStatus = "pending" | "issued" | "rejected" | "cancelled" | "expired";

export interface PlaceOrderResult {
  providerOrderId: string;
  /** What the provider says it charged, when it says. */
  cost?: Money;
  status: ProviderOrderStatus;
  dcv: DcvInstruction[];
}

export interface IssuedCertificate {
  certificatePem: string;
  /** Intermediates first, root (if the provider sends it) last. */
  chainPem: string[];
  notBefore: Date;
  notAfter: Date;
  /** The subscription's end, where the provider reports it (else certdesk counts the period). */
  coverageEndsAt?: Date;
}

export interface StatusResult {
  status: ProviderOrderStatus;
  /** The provider's own detailed status lines, for the Status tab. */
  detail: string[];
  domains: { domain: string; method?: DcvMethod; state: DomainValidationState }[];
  certificate?: IssuedCertificate;
}

export interface SslProvider {
  /** Its plug-in's id (plugins.ts), the word in SSL_PROVIDERS. */
  readonly id: string;
  readonly displayName: string;
  readonly capabilities: ProviderCapabilities;
  /** Renew in the CA's window without a person (ACME_AUTO_RENEW); absent: a person presses Renew. */
  readonly autoRenew?: boolean;
  listProducts(): Promise<Product[]>;
  listServerTypes(): Promise<ServerType[]>;
  /** Fresh from the provider every call: Sectigo only accepts addresses fetched in the last 24 h. */
  getApproverEmails(domain: string): Promise<string[]>;
  placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResult>;
  getStatus(providerOrderId: string): Promise<StatusResult>;
  renew(request: RenewRequest): Promise<PlaceOrderResult>;
  /**
   * Asks for a new certificate on an issued order. Afterwards getStatus reports the reissue: status
   * "pending" while it validates (the order's earlier certificate stays valid), then "issued" with
   * the new certificate (told apart from the earlier one by its PEM).
   */
  reissue(request: ReissueRequest): Promise<ReissueResult>;
  resendApproval(providerOrderId: string): Promise<void>;
  /** Changes how a pending order's domains are validated; the new instructions for those domains. */
  changeValidation(request: ChangeValidationRequest): Promise<DcvInstruction[]>;
  /**
   * Asks the CA to check these domains' records or files again now, each by the method it has
   * (capabilities.recheckValidation); changes nothing.
   */
  recheckValidation?(request: ChangeValidationRequest): Promise<void>;
  /** Revokes an issued certificate of the order (capabilities.revoke). */
  revoke?(request: RevokeRequest): Promise<void>;
  /**
   * The CA's renewal window for the order's current certificate (RFC 9773), or undefined when the
   * CA offers none (certdesk then renews at two thirds of the lifetime: domain/renewal-window.ts).
   */
  renewalWindow?(providerOrderId: string, certificatePem: string): Promise<RenewalWindow | undefined>;
}
