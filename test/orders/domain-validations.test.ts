import { describe, expect, it } from "vitest";
import {
  recordValidations,
  validationStandings,
  validationsOverview,
} from "../../src/orders/domain-validations.js";
import { useTestDatabase } from "../support/database.js";
import { createAcmeClient } from "../support/fixtures.js";
import { insertOrder } from "../support/orders.js";

const testDatabase = useTestDatabase();

const at = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe("domain validations", () => {
  it("records each domain once per provider, keeps the newest, and says whether it can be reused", async () => {
    const client = await createAcmeClient(testDatabase.current.db);
    const order = await insertOrder(testDatabase.current.db, {
      clientId: client.id,
      domain: "www.example.com",
    });
    const record = (validatedAt: Date, method: string, caDays?: number) =>
      recordValidations(testDatabase.current.db, {
        order,
        certificate: {
          domains: ["www.example.com", "shop.example.com", "www.example.com"],
          dcvMethod: method,
        },
        validatedAt,
        caDays,
      });
    await record(at("2026-12-01"), "dns", 198);
    await record(at("2026-06-01"), "email"); // a late poll of an older certificate
    const standings = await validationStandings(testDatabase.current.db, {
      provider: order.provider,
      domains: ["www.example.com", "shop.example.com", "new.example.com"],
      now: at("2027-01-01"),
    });
    expect(standings).toEqual([
      {
        domain: "www.example.com",
        kind: "reusable",
        validation: expect.objectContaining({ method: "dns", reusableUntil: at("2027-06-17") }),
      },
      {
        domain: "shop.example.com",
        kind: "reusable",
        validation: expect.objectContaining({ method: "dns" }),
      },
      { domain: "new.example.com", kind: "none" },
    ]);
    const later = await validationStandings(testDatabase.current.db, {
      provider: order.provider,
      domains: ["www.example.com"],
      now: at("2027-06-17"),
    });
    expect(later[0]?.kind).toBe("expired");
    const elsewhere = await validationStandings(testDatabase.current.db, {
      provider: "gogetssl",
      domains: ["www.example.com"],
      now: at("2027-01-01"),
    });
    expect(elsewhere[0]?.kind).toBe("none");
  });
});

describe("validations overview", () => {
  it("lists the validations that can be reused for 30 days at most, soonest first", async () => {
    const client = await createAcmeClient(testDatabase.current.db);
    const order = await insertOrder(testDatabase.current.db, {
      clientId: client.id,
      domain: "www.example.com",
    });
    await recordValidations(testDatabase.current.db, {
      order,
      certificate: { domains: ["www.example.com"], dcvMethod: "dns" },
      validatedAt: at("2026-06-01"),
    });
    const overview = await validationsOverview(testDatabase.current.db, {
      now: at("2026-12-01"),
      stuckAfterHours: 24,
    });
    expect(overview.expiringSoon).toEqual([
      expect.objectContaining({
        domain: "www.example.com",
        reference: order.reference,
        at: at("2026-12-18"),
      }),
    ]);
    const later = await validationsOverview(testDatabase.current.db, {
      now: at("2026-12-19"),
      stuckAfterHours: 24,
    });
    expect(later.expiringSoon).toEqual([]);
  });
});
