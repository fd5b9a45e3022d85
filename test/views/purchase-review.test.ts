import { describe, expect, it } from "vitest";
import { purchaseLine, purchaseReviewBlocks } from "../../src/views/purchase-review.js";

const review = {
  clientName: "Acme <Ltd>",
  providerName: "Sectigo",
  productName: "PositiveSSL Multi-Domain",
  periodMonths: 24,
  domains: ["www.example.com", "shop.example.com"],
  validation: { method: "dns" as const },
  addons: [],
};

describe("purchase review", () => {
  it("says what will be bought, and that the price is not available when the provider publishes none", () => {
    const text = JSON.stringify(purchaseReviewBlocks(review));
    expect(text).toContain("You are about to buy* for *Acme &lt;Ltd&gt;*");
    expect(text).toContain("*PositiveSSL Multi-Domain* from Sectigo, 2 years");
    expect(text).toContain("www.example.com, shop.example.com");
    expect(text).toContain("Validation by a DNS record (CNAME)");
    expect(text).toContain("Price: *price not available (Sectigo publishes no prices)*");
    expect(text).not.toContain("Add-ons");
  });

  it("names the renewed order, the add-ons and the list price", () => {
    const text = JSON.stringify(
      purchaseReviewBlocks({
        ...review,
        renews: "SSL-1042",
        price: "54.89 USD",
        addons: ["SiteLock"],
        validation: { method: "email", approverEmail: "admin@example.com" },
      }),
    );
    expect(text).toContain("Renewing SSL-1042: you are about to buy");
    expect(text).toContain("Add-ons: SiteLock");
    expect(text).toContain("Validation by e-mail to admin@example.com");
    expect(text).toContain("Price: *54.89 USD*");
  });

  it("fits Approve's confirmation dialog", () => {
    const line = purchaseLine({ ...review, clientName: "x".repeat(400) });
    expect(line.length).toBeLessThanOrEqual(300);
    expect(purchaseLine(review)).toBe(
      "PositiveSSL Multi-Domain, 2 years, for Acme <Ltd>: price not available. certdesk places it with Sectigo at once.",
    );
  });
});
