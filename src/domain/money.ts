import type { Product } from "./product.js";

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

/** What is bought: the period, the add-ons, and how many domains beyond the primary one. */
export interface Purchase {
  periodMonths: number;
  addonIds?: string[];
  additionalDomains?: number;
}

/**
 * What an order will cost, from the provider's list prices: the product for the period, each
 * add-on, and each domain beyond the primary one. Undefined when any part has no price, or the parts
 * are in different currencies: then the person reads "price not available" rather than a wrong sum.
 */
export function quote(product: Product, purchase: Purchase): Money | undefined {
  const { periodMonths, addonIds = [], additionalDomains = 0 } = purchase;
  const domainPrice =
    additionalDomains > 0 ? priceFor(product.additionalDomainPrices, periodMonths) : undefined;
  const parts = [
    priceFor(product.prices, periodMonths),
    ...addonIds.map((id) => priceFor(product.addons.find((addon) => addon.id === id)?.prices, periodMonths)),
    ...Array.from({ length: additionalDomains }, () => domainPrice),
  ];
  if (parts.some((part) => part === undefined)) return undefined;
  const prices = parts as Money[];
  const currency = prices[0]?.currency;
  if (prices.some((price) => price.currency !== currency)) return undefined;
  // Whole cents, so that 0.1 + 0.2 is 0.30.
  const cents = prices.reduce((sum, price) => sum + toCents(price.amount), 0);
  if (!Number.isSafeInteger(cents)) return undefined;
  return { amount: fromCents(cents), ...(currency ? { currency } : {}) };
}

/** The list price of an order's purchase: its product for its period, add-ons and each extra domain. */
export function quoteOrder(
  product: Product,
  order: { periodMonths: number; addonIds: string[]; sans: string[] },
): Money | undefined {
  return quote(product, {
    periodMonths: order.periodMonths,
    addonIds: order.addonIds,
    additionalDomains: order.sans.length,
  });
}

function priceFor(prices: PeriodPrice[] | undefined, months: number): Money | undefined {
  return prices?.find((entry) => entry.months === months)?.price;
}

/** A decimal amount ("8.95") in whole cents (895); digits beyond the cents are dropped. */
export function toCents(amount: string): number {
  const [whole = "0", fraction = ""] = amount.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0").slice(0, 2));
}

/** Whole cents (895) as a decimal amount ("8.95"). */
export function fromCents(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

/** How a price is stored on an order (and how providers' costs have always been): "9.00 USD". */
export function moneyText(money: Money): string {
  return money.currency ? `${money.amount} ${money.currency}` : money.amount;
}

/** moneyText read back ("9.00 USD", "9.00"); undefined for anything else (null, "n/a"). */
export function parseMoneyText(text: string | null | undefined): Money | undefined {
  const match = /^(\d{1,12}(?:\.\d{1,4})?)(?: ([A-Z]{3}))?$/.exec(text?.trim() ?? "");
  if (!match?.[1]) return undefined;
  return { amount: match[1], ...(match[2] ? { currency: match[2] } : {}) };
}
