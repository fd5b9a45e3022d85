/**
 * The provider contract: everything the rest of certdesk knows about a CA reseller.
 * Adapters translate their wire formats into these shapes; nothing outside
 * src/providers sees a provider's own field names.
 */

export type ProviderId = "sandbox" | "sectigo" | "gogetssl";
export const PROVIDER_IDS = ["sandbox", "sectigo", "gogetssl"] as const satisfies readonly ProviderId[];

export type DcvMethod = "email" | "http" | "dns";
export type ValidationLevel = "DV" | "OV" | "EV";

/** An amount of money as the provider states it: a decimal string, never a float. */
export interface Money {
  amount: string;
  /** ISO 4217 code; absent when the provider bills in the account's currency without naming it. */
  currency?: string;
}

/** The list price for one validity period, where the provider's API gives one. */
export interface PeriodPrice {
  months: number;
  price: Money;
}

export interface ProductAddon {
  id: string;
  name: string;
  prices?: PeriodPrice[];
}

export interface Product {
  id: string;
  name: string;
  validation: ValidationLevel;
  wildcard: boolean;
  multiDomain: boolean;
  /** Allowed validity periods in months, ascending. */
  periods: number[];
  addons: ProductAddon[];
  /** List prices per period; absent when the provider's API does not publish them (Sectigo). */
  prices?: PeriodPrice[];
  /** Multi-domain products: the price of each domain beyond the primary one, per period. */
  additionalDomainPrices?: PeriodPrice[];
}

export interface ServerType {
  id: string;
  label: string;
  /** The Apache/mod_ssl entry: the form preselects it. */
  isDefault: boolean;
}

export interface ProviderCapabilities {
  dcvMethods: DcvMethod[];
  addons: boolean;
  multiDomain: boolean;
  wildcard: boolean;
  renew: boolean;
  resendApproval: boolean;
  /** Asking for status more often than this is refused or frowned upon by the provider. */
  minPollIntervalSeconds: number;
}

export interface OrderContact {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title: string;
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
  contact: OrderContact;
}

export interface RenewRequest extends PlaceOrderRequest {
  previousProviderOrderId: string;
}

export type ProviderOrderStatus = "pending" | "issued" | "rejected" | "cancelled" | "expired";

/** What the customer must publish (or who must click) to prove control of a domain. */
export interface DcvInstruction {
  domain: string;
  method: DcvMethod;
  email?: string;
  httpUrl?: string;
  httpContent?: string;
  dnsRecord?: { name: string; type: "CNAME" | "TXT"; value: string };
}

export interface PlaceOrderResult {
  providerOrderId: string;
  /** What the provider says it charged, when it says. */
  cost?: Money;
  status: ProviderOrderStatus;
  dcv: DcvInstruction[];
}

export type DomainValidationState = "pending" | "validated" | "failed" | "unknown";

export interface IssuedCertificate {
  certificatePem: string;
  /** Intermediates first, root (if the provider sends it) last. */
  chainPem: string[];
  notBefore: Date;
  notAfter: Date;
}

export interface StatusResult {
  status: ProviderOrderStatus;
  /** The provider's own detailed status lines, for the Status tab. */
  detail: string[];
  domains: { domain: string; method?: DcvMethod; state: DomainValidationState }[];
  certificate?: IssuedCertificate;
}

export interface SslProvider {
  readonly id: ProviderId;
  readonly displayName: string;
  readonly capabilities: ProviderCapabilities;
  listProducts(): Promise<Product[]>;
  listServerTypes(): Promise<ServerType[]>;
  /** Fresh from the provider every call: Sectigo only accepts addresses fetched in the last 24 h. */
  getApproverEmails(domain: string): Promise<string[]>;
  placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResult>;
  getStatus(providerOrderId: string): Promise<StatusResult>;
  renew(request: RenewRequest): Promise<PlaceOrderResult>;
  resendApproval(providerOrderId: string): Promise<void>;
}
