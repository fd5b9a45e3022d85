import { describe, expect, it } from "vitest";
import {
  periodText,
  priceText,
  purchaseLine,
  purchaseReviewBlocks,
} from "../../src/views/purchase-review.js";
import { expectValidBlockKit } from "../support/block-kit.js";
import {
  HOSTILE,
  HOSTILE_ESCAPED,
  LONGEST_DOMAIN,
  manySans,
  modalOf,
  textOf,
  WORST_CLIENT_NAME,
} from "./fixtures.js";

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

  it("says which amount the price is: a list price, or shown once placed", () => {
    const listed = purchaseReviewBlocks({ ...review, price: "54.89 USD" });
    expect(textOf(listed[1])).toBe(
      "The provider's list price; the amount charged to the account is shown on the order once placed.",
    );
    expect(textOf(purchaseReviewBlocks(review)[1])).toBe(
      "The amount charged to the account is shown on the order once placed.",
    );
    expect(purchaseReviewBlocks(review)[2]).toEqual({ type: "divider" });
  });

  it("describes HTTP validation and e-mail without a chosen address", () => {
    expect(JSON.stringify(purchaseReviewBlocks({ ...review, validation: { method: "http" } }))).toContain(
      "Validation by a file on the web server (HTTP)",
    );
    expect(JSON.stringify(purchaseReviewBlocks({ ...review, validation: { method: "email" } }))).toContain(
      "Validation by e-mail to the approver address",
    );
  });

  it("escapes every name the person typed or the provider sent", () => {
    const blocks = purchaseReviewBlocks({
      ...review,
      clientName: HOSTILE,
      productName: HOSTILE,
      addons: [HOSTILE],
      price: "<1>",
      validation: { method: "email", approverEmail: "<a@b>" },
    });
    const text = textOf(blocks[0]);
    expect(text).toContain(`for *${HOSTILE_ESCAPED}*`);
    expect(text).toContain(`Add-ons: ${HOSTILE_ESCAPED}`);
    expect(text).toContain("Price: *&lt;1&gt;*");
    expect(text).toContain("e-mail to &lt;a@b&gt;");
    expect(text).not.toContain("<!channel>");
  });

  it("stays within limits with 100 long SANs, the longest domain and worst-case names", () => {
    const blocks = purchaseReviewBlocks({
      ...review,
      clientName: WORST_CLIENT_NAME,
      productName: "&".repeat(300),
      domains: [LONGEST_DOMAIN, ...manySans(100)],
      addons: Array.from({ length: 30 }, () => "&".repeat(64)),
      renews: "SSL-1042",
    });
    expectValidBlockKit("modal", modalOf(blocks));
    expect(textOf(blocks[0])).toContain("…");
  });
});

describe("period and price text", () => {
  it("says years when whole, months otherwise", () => {
    expect(periodText(12)).toBe("1 year");
    expect(periodText(36)).toBe("3 years");
    expect(periodText(6)).toBe("6 months");
  });

  it("gives the price escaped, or says the provider publishes none", () => {
    expect(priceText("8.95 USD", "GoGetSSL")).toBe("8.95 USD");
    expect(priceText(null, "Sectigo <EU>")).toBe(
      "price not available (Sectigo &lt;EU&gt; publishes no prices)",
    );
    expect(priceText(undefined, "Sectigo")).toBe("price not available (Sectigo publishes no prices)");
  });
});
