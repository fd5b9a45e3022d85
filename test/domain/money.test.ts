import { describe, expect, it } from "vitest";
import { moneyText, parseMoneyText, quote } from "../../src/domain/money.js";
import type { Product } from "../../src/domain/product.js";

const product: Product = {
  id: "dv",
  name: "DV",
  validation: "DV",
  wildcard: false,
  multiDomain: false,
  periods: [12, 24],
  prices: [
    { months: 12, price: { amount: "8.95", currency: "USD" } },
    { months: 24, price: { amount: "16.9", currency: "USD" } },
  ],
  addons: [
    { id: "scan", name: "Scan", prices: [{ months: 12, price: { amount: "0.10", currency: "USD" } }] },
    { id: "seal", name: "Seal", prices: [{ months: 12, price: { amount: "0.2", currency: "EUR" } }] },
    { id: "free", name: "Unpriced" },
  ],
};

describe("quote", () => {
  it("adds the product's and the add-ons' prices for the period, to the cent", () => {
    expect(quote(product, { periodMonths: 12 })).toEqual({ amount: "8.95", currency: "USD" });
    expect(quote(product, { periodMonths: 24 })).toEqual({ amount: "16.90", currency: "USD" });
    expect(quote(product, { periodMonths: 12, addonIds: ["scan"] })).toEqual({
      amount: "9.05",
      currency: "USD",
    });
    expect(moneyText({ amount: "9.05", currency: "USD" })).toBe("9.05 USD");
    expect(moneyText({ amount: "9.05" })).toBe("9.05");
  });

  it("counts each domain beyond the primary one, and gives no price when that price is unknown", () => {
    const multi = {
      ...product,
      additionalDomainPrices: [{ months: 12, price: { amount: "5.00", currency: "USD" } }],
    };
    expect(quote(multi, { periodMonths: 12, additionalDomains: 4 })).toEqual({
      amount: "28.95",
      currency: "USD",
    });
    expect(quote(multi, { periodMonths: 24, additionalDomains: 1 })).toBeUndefined();
    expect(quote(product, { periodMonths: 12, additionalDomains: 1 })).toBeUndefined();
    expect(quote(product, { periodMonths: 12, additionalDomains: 0 })).toEqual({
      amount: "8.95",
      currency: "USD",
    });
  });

  it("gives no price rather than a wrong one", () => {
    expect(quote(product, { periodMonths: 36 })).toBeUndefined();
    expect(quote(product, { periodMonths: 24, addonIds: ["scan"] })).toBeUndefined();
    expect(quote(product, { periodMonths: 12, addonIds: ["free"] })).toBeUndefined();
    expect(quote(product, { periodMonths: 12, addonIds: ["seal"] })).toBeUndefined();
    expect(quote({ ...product, prices: undefined }, { periodMonths: 12 })).toBeUndefined();
  });
});

describe("parseMoneyText", () => {
  it("reads back what moneyText stored on an order, and nothing else", () => {
    expect(parseMoneyText(moneyText({ amount: "8.95", currency: "USD" }))).toEqual({
      amount: "8.95",
      currency: "USD",
    });
    expect(parseMoneyText("12")).toEqual({ amount: "12" });
    for (const text of [null, undefined, "", "n/a", "-1.00 USD", "8.95 usd", "1e3"]) {
      expect(parseMoneyText(text)).toBeUndefined();
    }
  });
});
