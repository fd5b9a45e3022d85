import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { accessRefusals } from "../../src/db/schema.js";
import { createRefusalAudit } from "../../src/orders/access-audit.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { TestClock } from "../support/harness.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});
beforeEach(async () => {
  await database.truncateAll();
});

describe("access audit", () => {
  it("stores a user's refusals up to the limit, says once that more were not stored, and starts again later", async () => {
    const lines: string[] = [];
    const clock = new TestClock();
    const audit = createRefusalAudit({
      db: database.db,
      clock,
      logger: { info: (...parts: unknown[]) => lines.push(parts.join(" ")) },
      limit: { perUser: 3, windowMs: 60_000 },
    });
    const refuse = (actor: string) =>
      audit.record({
        actor,
        action: "approve",
        subject: "SSL-1001",
        reason: "not in SSL_APPROVERS",
        at: clock.now(),
      });

    for (let i = 0; i < 10; i += 1) await refuse("U0SPAM");
    await refuse("U0OTHER");
    const rows = await database.db.select().from(accessRefusals);
    expect(rows.filter((row) => row.actor === "U0SPAM")).toHaveLength(3);
    expect(rows.filter((row) => row.actor === "U0OTHER")).toHaveLength(1);
    expect(lines.filter((line) => line.includes("refused more than"))).toEqual([
      "Access refused: U0SPAM was refused more than 3 times in 1 minute; further refusals are refused as before but not stored in access_refusals for now.",
    ]);

    clock.advance(60_001);
    await refuse("U0SPAM");
    expect(
      (await database.db.select().from(accessRefusals)).filter((row) => row.actor === "U0SPAM"),
    ).toHaveLength(4);
  });
});
