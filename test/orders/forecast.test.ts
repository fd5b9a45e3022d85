import { describe, expect, it } from "vitest";
import { certificates } from "../../src/db/schema.js";
import type { ProviderCatalogue } from "../../src/domain/product.js";
import { loadForecast } from "../../src/orders/forecast.js";
import { SANDBOX_PRODUCTS } from "../../src/providers/sandbox/catalogue.js";
import { useTestDatabase } from "../support/database.js";
import { createAcmeClient } from "../support/fixtures.js";
import { insertOrder, type OrderRowValues } from "../support/orders.js";

const testDatabase = useTestDatabase();

const DAY_MS = 86_400_000;
/** Friday 27 November 2026: week 0 is 2026-W48, from Monday 23 November. */
const NOW = new Date("2026-11-27T10:00:00Z");
const at = (iso: string) => new Date(`${iso}T12:00:00Z`);
const plus = (date: Date, days: number) => new Date(date.getTime() + days * DAY_MS);

const SANDBOX: ProviderCatalogue = {
  provider: { id: "sandbox", displayName: "Sandbox", dcvMethods: ["email", "http", "dns"] },
  products: [...SANDBOX_PRODUCTS],
  serverTypes: [],
  state: "ready",
};

describe("loadForecast", () => {
  it("reads the issued certificates nothing has replaced, what is under way, and the renewals' prices", async () => {
    const db = testDatabase.current.db;
    const acme = await createAcmeClient(db);
    const globex = await createAcmeClient(db, { name: "Globex", expiryDays: "60" });
    const order = (domain: string, notAfter: string, values: Partial<OrderRowValues> = {}) =>
      insertOrder(db, {
        clientId: acme.id,
        domain,
        notAfter: at(notAfter),
        // Inside a longer subscription unless told otherwise: reissued when it runs out.
        coverageEndsAt: plus(at(notAfter), 200),
        encryptedPrivateKey: "vault-ciphertext",
        ...values,
      });
    const lastCertificate = (notAfter: string) => ({ coverageEndsAt: at(notAfter) });

    // Reissue due at the first alert, 21 December (W52); expires 20 January (W03).
    await order("a.example.com", "2027-01-20");
    // The same, with its reissue already on its way: only the expiry counts.
    const reissuing = await order("b.example.com", "2027-01-20");
    await db.insert(certificates).values({
      orderId: reissuing.id,
      number: 2,
      reason: "reissue",
      status: "pending",
      requestedBy: "U0ANN",
      domains: ["b.example.com"],
      dcvMethod: "dns",
    });
    // Renewals due on 11 and 12 January (W02) at the sandbox's list prices: 29.00 + 2 × 9.00, and
    // 8.95 + 19.99 for the SiteLock add-on.
    await order("c.example.com", "2027-02-10", {
      ...lastCertificate("2027-02-10"),
      productId: "positivessl-multidomain",
      sans: ["shop.example.com", "mail.example.com"],
    });
    await order("d.example.com", "2027-02-11", { ...lastCertificate("2027-02-11"), addonIds: ["sitelock"] });
    // A renewal already on its way: the old certificate still expires, no renewal is due.
    const renewing = await order("e.example.com", "2027-02-12", lastCertificate("2027-02-12"));
    await order("e.example.com", "2028-02-12", {
      status: "pending",
      renewalOfId: renewing.id,
      notAfter: null,
    });
    // Alerts acknowledged: it expires, nothing is due.
    await order("j.example.com", "2027-02-09", {
      ...lastCertificate("2027-02-09"),
      alertsAcknowledgedBy: "U0BOB",
    });
    // A product no longer sold, charged in euros last time: due 8 February (W06), without a USD price.
    await order("f.example.com", "2027-03-10", {
      ...lastCertificate("2027-03-10"),
      provider: "gogetssl",
      productId: "71",
      cost: "120.00 EUR",
    });
    // ACME: renewed when the CA's window opens, 5 January (W01); free.
    await order("k.example.com", "2027-01-25", {
      ...lastCertificate("2027-01-25"),
      provider: "acme",
      productId: "dv",
      cost: "0.00 USD",
      renewalWindowStart: new Date("2027-01-05T09:00:00Z"),
    });
    // Globex's own first alert is 60 days before: 9 January (W01).
    await insertOrder(db, {
      clientId: globex.id,
      domain: "l.example.com",
      notAfter: at("2027-03-10"),
      coverageEndsAt: at("2027-09-10"),
      encryptedPrivateKey: "vault-ciphertext",
    });
    // Left out: replaced by an issued renewal, no longer issued, expired before this week.
    await order("g.example.com", "2027-01-06", { renewedAt: NOW });
    await order("h.example.com", "2027-01-06", { status: "revoked" });
    await order("i.example.com", "2026-11-20");

    const forecast = await loadForecast(db, {
      now: NOW,
      timeZone: "UTC",
      expiryDays: [30, 14, 7, 1],
      autoReissueDays: 0,
      catalogue: [SANDBOX],
    });
    const busy = forecast.weeks
      .map((week, index) => ({ index, ...week }))
      .filter((week) => week.expiring + week.reissuesDue + week.renewalsDue > 0)
      .map(({ index, isoWeek, expiring, reissuesDue, renewalsDue, renewalCost }) => ({
        index,
        isoWeek,
        expiring,
        reissuesDue,
        renewalsDue,
        renewalCost,
      }));
    expect(busy).toEqual([
      { index: 4, isoWeek: "2026-W52", expiring: 0, reissuesDue: 1, renewalsDue: 0, renewalCost: "0.00" },
      { index: 6, isoWeek: "2027-W01", expiring: 0, reissuesDue: 1, renewalsDue: 1, renewalCost: "0.00" },
      { index: 7, isoWeek: "2027-W02", expiring: 0, reissuesDue: 0, renewalsDue: 2, renewalCost: "75.94" },
      { index: 8, isoWeek: "2027-W03", expiring: 2, reissuesDue: 0, renewalsDue: 0, renewalCost: "0.00" },
      { index: 9, isoWeek: "2027-W04", expiring: 1, reissuesDue: 0, renewalsDue: 0, renewalCost: "0.00" },
      { index: 11, isoWeek: "2027-W06", expiring: 4, reissuesDue: 0, renewalsDue: 1, renewalCost: "0.00" },
      { index: 15, isoWeek: "2027-W10", expiring: 2, reissuesDue: 0, renewalsDue: 0, renewalCost: "0.00" },
    ]);
    expect(forecast).toMatchObject({
      currency: "USD",
      unpricedRenewals: 1,
      totals: { expiring: 9, reissuesDue: 2, renewalsDue: 4, renewalCost: "75.94" },
    });
  });
});
