import { caIdentifiersOfBrand } from "../../domain/ca-identifiers.js";
import type { PeriodPrice } from "../../domain/money.js";
import type { Product, ServerType, ValidationLevel } from "../../domain/product.js";
import { type ProductEntry, productEntry } from "./wire.js";

const VALIDATION_LEVELS: Readonly<Record<string, ValidationLevel>> = {
  domain: "DV",
  dv: "DV",
  organization: "OV",
  organisation: "OV",
  business: "OV",
  ov: "OV",
  extended: "EV",
  ev: "EV",
};

const MONTHS_PER_YEAR = 12;

/** Explicit periods win; otherwise whole years up to `max_period`; a one-year term when neither is sent. */
function periodsOf(entry: ProductEntry): number[] {
  if (entry.periods && entry.periods.length > 0) {
    const valid = entry.periods.filter((months) => Number.isInteger(months) && months > 0);
    return [...new Set(valid)].sort((a, b) => a - b);
  }
  const max = entry.max_period;
  if (max === undefined) return [MONTHS_PER_YEAR];
  if (max < MONTHS_PER_YEAR) return [max];
  const years = Math.floor(max / MONTHS_PER_YEAR);
  return Array.from({ length: years }, (_, index) => (index + 1) * MONTHS_PER_YEAR);
}

const PRICE = /^\d{1,7}(\.\d{1,4})?$/;

/**
 * The periods GoGetSSL prices, from `prices` (or, for each additional SAN, from `prices.san`);
 * anything that is not "<months>": "<amount>" is skipped.
 */
function pricesOf(prices: Record<string, unknown> | undefined): PeriodPrice[] | undefined {
  if (!prices) return undefined;
  const list: PeriodPrice[] = [];
  for (const [key, value] of Object.entries(prices)) {
    const months = Number(key);
    const amount =
      typeof value === "number" ? value.toFixed(2) : typeof value === "string" ? value.trim() : "";
    if (!Number.isInteger(months) || months <= 0 || !PRICE.test(amount)) continue;
    list.push({ months, price: { amount } });
  }
  return list.length > 0 ? list.sort((a, b) => a.months - b.months) : undefined;
}

function sanPricesOf(entry: ProductEntry): PeriodPrice[] | undefined {
  const san = entry.prices?.san;
  return typeof san === "object" && san !== null ? pricesOf(san as Record<string, unknown>) : undefined;
}

/** Several brands sell look-alike names ("Wildcard SSL"), so the brand is added when missing. */
function displayName(name: string, brand: string | undefined): string {
  if (!brand || name.toLowerCase().includes(brand.toLowerCase())) return name;
  return `${name} (${brand})`;
}

/** One entry of `/products/ssl/`, or `undefined` when it lacks what an order needs. */
export function toProduct(raw: unknown): Product | undefined {
  const parsed = productEntry.safeParse(raw);
  if (!parsed.success) return undefined;
  const entry = parsed.data;
  const name = entry.product ?? entry.name;
  const level = (entry.product_type ?? entry.validation_type)?.toLowerCase();
  const validation = level ? VALIDATION_LEVELS[level] : undefined;
  const periods = periodsOf(entry);
  if (!name || !validation || periods.length === 0) return undefined;
  const prices = pricesOf(entry.prices);
  const sanPrices = sanPricesOf(entry);
  return {
    id: entry.id,
    name: displayName(name, entry.brand),
    validation,
    wildcard: entry.wildcard_enabled || entry.wildcard,
    multiDomain: entry.san_enabled || entry.multi_domain || entry.is_multidomain,
    periods,
    addons: [],
    ...(caIdentifiersOfBrand(entry.brand) ? { caIdentifiers: caIdentifiersOfBrand(entry.brand) } : {}),
    ...(prices ? { prices } : {}),
    // Per additional SAN [S: `prices.san`, as reseller modules read it].
    ...(sanPrices ? { additionalDomainPrices: sanPrices } : {}),
  };
}

const APACHE = /apache/i;
const MOD_SSL = /mod[ _]?ssl|openssl/i;

/** The Apache/mod_ssl entry is preselected; failing that, the first Apache one. */
export function toServerTypes(webservers: { id: string; software: string }[]): ServerType[] {
  const preferred =
    webservers.find((server) => APACHE.test(server.software) && MOD_SSL.test(server.software)) ??
    webservers.find((server) => APACHE.test(server.software));
  return webservers.map((server) => ({
    id: server.id,
    label: server.software,
    isDefault: server === preferred,
  }));
}
