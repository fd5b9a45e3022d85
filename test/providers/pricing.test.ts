import { describe, expect, it } from "vitest";
import { moneyText, quote } from "../../src/providers/pricing.js";
import type { Product } from "../../src/providers/types.js";

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
    expect(quote(product, 12)).toEqual({ amount: "8.95", currency: "USD" });
    expect(quote(product, 24)).toEqual({ amount: "16.90", currency: "USD" });
    expect(quote(product, 12, ["scan"])).toEqual({ amount: "9.05", currency: "USD" });
    expect(moneyText({ amount: "9.05", currency: "USD" })).toBe("9.05 USD");
    expect(moneyText({ amount: "9.05" })).toBe("9.05");
  });

  it("gives no price rather than a wrong one", () => {
    expect(quote(product, 36)).toBeUndefined();
    expect(quote(product, 24, ["scan"])).toBeUndefined();
    expect(quote(product, 12, ["free"])).toBeUndefined();
    expect(quote(product, 12, ["seal"])).toBeUndefined();
    expect(quote({ ...product, prices: undefined }, 12)).toBeUndefined();
  });
});
