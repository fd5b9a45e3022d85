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
  provider: { id: string; displayName: string; dcvMethods: DcvMethod[] };
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
