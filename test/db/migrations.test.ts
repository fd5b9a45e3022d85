import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { asc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { afterAll, describe, expect, it } from "vitest";
import * as schema from "../../src/db/schema.js";

/** Migrations applied to a database that already holds data, as an upgrade meets it. */

const MIGRATIONS = fileURLToPath(new URL("../../src/db/migrations", import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A copy of the migrations folder that stops before `tag`. */
async function migrationsBefore(tag: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "certdesk-migrations-"));
  dirs.push(dir);
  await cp(MIGRATIONS, dir, { recursive: true });
  const journalPath = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(await readFile(journalPath, "utf8")) as { entries: { tag: string }[] };
  const index = journal.entries.findIndex((entry) => entry.tag === tag);
  expect(index).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, index);
  await writeFile(journalPath, JSON.stringify(journal));
  return dir;
}

describe("0003_one_live_renewal", () => {
  it("unlinks older duplicate live renewals, noting why, then refuses new duplicates", async () => {
    const client = new PGlite();
    const db = drizzle(client, { schema });
    await migrate(db, { migrationsFolder: await migrationsBefore("0003_one_live_renewal") });
    // Raw SQL with only the columns of that time: later migrations' columns do not exist yet.
    const insert = async (statement: string): Promise<number> => {
      const { rows } = await client.query<{ id: number }>(statement);
      return rows[0]?.id ?? 0;
    };
    const clientId = await insert(`insert into clients (name) values ('Acme') returning id`);
    const order = (status: string, key: string, renewalOf: number | null) =>
      insert(`insert into orders (client_id, provider, product_id, product_name, period_months, server_type,
          dcv_method, primary_domain, contact, requested_by, status, idempotency_key, renewal_of_id)
        values (${clientId}, 'sandbox', 'positivessl', 'PositiveSSL', 12, 'apache', 'dns', 'www.example.com',
          '{"firstName":"J","lastName":"D","email":"j@example.com","phone":"+1","title":""}', 'U0ANN',
          '${status}', '${key}', ${renewalOf ?? "null"}) returning id`);
    const renewalOfId = await order("issued", "o", null);
    const older = await order("pending", "r1", renewalOfId);
    await order("failed", "r2", renewalOfId);
    await order("pending", "r3", renewalOfId);

    await migrate(db, { migrationsFolder: MIGRATIONS });

    const renewals = await db.select().from(schema.orders).orderBy(asc(schema.orders.id));
    expect(renewals.map((order) => [order.idempotencyKey, order.renewalOfId])).toEqual([
      ["o", null],
      ["r1", null],
      ["r2", renewalOfId],
      ["r3", renewalOfId],
    ]);
    const unlinked = await db
      .select()
      .from(schema.orderEvents)
      .where(eq(schema.orderEvents.kind, "renewal_unlinked"));
    expect(unlinked).toMatchObject([{ orderId: older, actor: "system", detail: { renewalOfId } }]);
    await expect(order("awaiting_approval", "r4", renewalOfId)).rejects.toThrow(
      /orders_one_live_renewal_idx/,
    );
    await client.close();
  });
});
