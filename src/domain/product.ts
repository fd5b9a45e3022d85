import type { DcvMethod } from "./dcv.js";
import type { PeriodPrice } from "./money.js";

/** What a provider sells, as every part of certdesk sees it. */

export type ValidationLevel = "DV" | "OV" | "EV";

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
  /** Costs nothing by the provider's own terms (ACME): approval follows SSL_REQUIRE_APPROVAL=all. */
  free?: boolean;
  /** The issuing CA's CAA names, when they differ from the provider's (a reseller of several CAs). */
  caIdentifiers?: string[];
  /** Multi-domain products: the price of each domain beyond the primary one, per period. */
  additionalDomainPrices?: PeriodPrice[];
}

export interface ServerType {
  id: string;
  label: string;
  /** The Apache/mod_ssl entry: the form preselects it. */
  isDefault: boolean;
}

/** One provider's products as certdesk knows them now (see orders/catalogue.ts for how). */
export interface ProviderCatalogue {
  provider: {
    id: string;
    displayName: string;
    dcvMethods: DcvMethod[];
    /** One approver address for every domain of an order (see ProviderCapabilities). */
    oneApproverForAllDomains?: boolean;
  };
  products: Product[];
  serverTypes: ServerType[];
  /**
   * `ready`: the lists (perhaps kept from before a failed refresh); `loading`: never loaded yet, a
   * load is under way; `unavailable`: never loaded, the last attempt failed with `error`.
   */
  state: "ready" | "loading" | "unavailable";
  /** Why the lists are missing, or why a refresh of the lists shown failed. */
  error?: string;
}

/** How a product is named across providers: `sandbox:positivessl`. */
export function productKey(providerId: string, productId: string): string {
  return `${providerId}:${productId}`;
}

export function findProduct(
  catalogue: ProviderCatalogue[],
  key: string | undefined,
): { entry: ProviderCatalogue; product: Product } | undefined {
  if (!key) return undefined;
  const separator = key.indexOf(":");
  const providerId = key.slice(0, separator);
  const productId = key.slice(separator + 1);
  const entry = catalogue.find((candidate) => candidate.provider.id === providerId);
  const product = entry?.products.find((candidate) => candidate.id === productId);
  return entry && product ? { entry, product } : undefined;
}

/** The product `key` names if it is on offer, else the first product on offer (what a form preselects). */
export function productOnOffer(
  catalogue: ProviderCatalogue[],
  key: string | undefined,
): { entry: ProviderCatalogue; product: Product } | undefined {
  const named = findProduct(catalogue, key);
  if (named) return named;
  const entry = catalogue.find((candidate) => candidate.products.length > 0);
  const product = entry?.products[0];
  return entry && product ? { entry, product } : undefined;
}

/** `wanted` if the product is sold for it, else one year where sold, else its first period. */
export function periodFor(periods: number[], wanted?: number): number {
  if (wanted !== undefined && periods.includes(wanted)) return wanted;
  return periods.includes(12) ? 12 : (periods[0] ?? 12);
}

export function periodText(months: number): string {
  return months % 12 === 0 ? `${months / 12} year${months === 12 ? "" : "s"}` : `${months} months`;
}
