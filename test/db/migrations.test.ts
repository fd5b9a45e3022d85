import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { asc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import * as schema from "../../src/db/schema.js";
import { testDatabaseUrl } from "../support/database.js";

/** Migrations applied to a database that already holds data, as an upgrade meets it. */

/** Each test runs initdb and every migration in WASM (no seed: it stops part-way): slow under load. */
const MIGRATION_TEST_TIMEOUT_MS = 90_000;
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
  it(
    "unlinks older duplicate live renewals, noting why, then refuses new duplicates",
    async () => {
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
    },
    MIGRATION_TEST_TIMEOUT_MS,
  );
});

/**
 * A database as the previous main left it, on the database the run uses (PGlite, or PostgreSQL with
 * TEST_DATABASE_URL): raw SQL through `query`, then the remaining migrations.
 */
async function previousMainDatabase(before: string) {
  const folder = await migrationsBefore(before);
  if (!testDatabaseUrl) {
    const client = new PGlite();
    const db = drizzle(client, { schema });
    await migrate(db, { migrationsFolder: folder });
    return {
      db,
      query: async (statement: string) => (await client.query<{ id: number }>(statement)).rows,
      upgrade: () => migrate(db, { migrationsFolder: MIGRATIONS }),
      close: () => client.close(),
    };
  }
  const name = `certdesk_migration_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(testDatabaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  const sqlClient = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const db = drizzlePostgres(sqlClient, { schema });
  await migratePostgres(db, { migrationsFolder: folder });
  return {
    db,
    query: async (statement: string) => (await sqlClient.unsafe(statement)) as unknown as { id: number }[],
    upgrade: () => migratePostgres(db, { migrationsFolder: MIGRATIONS }),
    close: async () => {
      await sqlClient.end();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

describe("0005_certificates", () => {
  it(
    "turns each issued order into an order with one certificate, keys and history kept",
    async () => {
      const old = await previousMainDatabase("0005_certificates");
      try {
        const [client] = await old.query(`insert into clients (name) values ('Acme') returning id`);
        const insert = async (
          status: string,
          key: string,
          certificate: string | null,
          renewalOf = "null",
        ) => {
          const [row] = await old.query(`insert into orders (client_id, provider, product_id, product_name,
            period_months, server_type, dcv_method, primary_domain, sans, contact, requested_by, approved_by,
            status, idempotency_key, csr, encrypted_private_key, key_algorithm, certificate, chain, not_before,
            not_after, renewal_of_id)
          values (${client?.id}, 'sandbox', 'positivessl', 'PositiveSSL', 24, 'apache', 'dns', 'www.example.com',
            '["shop.example.com"]', '{"firstName":"J","lastName":"D","email":"j@example.com","phone":"+1","title":""}',
            'U0ANN', 'U0BOB', '${status}', '${key}', 'CSR-PEM', 'v1:sealed-key', 'ec-p256',
            ${certificate ? `'${certificate}'` : "null"}, '["CHAIN"]',
            ${certificate ? "'2026-01-31T10:00:00Z'" : "null"}, ${certificate ? "'2026-08-18T10:00:00Z'" : "null"},
            ${renewalOf}) returning id`);
          return row?.id ?? 0;
        };
        const issued = await insert("issued", "a", "CERT-PEM");
        const renewal = await insert("expired", "b", "CERT-2", String(issued));
        const pending = await insert("pending", "c", null);
        await old.query(
          `insert into order_events (order_id, actor, kind) values (${issued}, 'U0ANN', 'requested')`,
        );
        await old.query(`insert into sandbox_orders (product_id, common_name, domains, csr, period_months, dcv_method,
          status, placed_at, issue_at, certificate_pem, not_before, not_after)
        values ('positivessl', 'www.example.com', '["www.example.com"]', 'CSR-PEM', 12, 'dns', 'issued',
          '2026-01-31T09:00:00Z', '2026-01-31T09:00:00Z', 'CERT-PEM', '2026-01-31T10:00:00Z', '2026-08-18T10:00:00Z')`);

        await old.upgrade();

        const rows = await old.db
          .select()
          .from(schema.certificates)
          .orderBy(asc(schema.certificates.orderId));
        expect(rows.map((row) => [row.orderId, row.number, row.reason, row.status])).toEqual([
          [issued, 1, "initial", "issued"],
          [renewal, 1, "renewal", "issued"],
        ]);
        expect(rows[0]).toMatchObject({
          requestedBy: "U0ANN",
          approvedBy: "U0BOB",
          keySource: "generated",
          keyAlgorithm: "ec-p256",
          csr: "CSR-PEM",
          encryptedPrivateKey: "v1:sealed-key",
          domains: ["www.example.com", "shop.example.com"],
          dcvMethod: "dns",
          certificate: "CERT-PEM",
          chain: ["CHAIN"],
          notBefore: new Date("2026-01-31T10:00:00Z"),
          notAfter: new Date("2026-08-18T10:00:00Z"),
        });
        const orders = await old.db.select().from(schema.orders).orderBy(asc(schema.orders.id));
        // 24 months after the first certificate's start; month ends as date-fns' addMonths counts them.
        expect(orders.map((order) => order.coverageEndsAt)).toEqual([
          new Date("2028-01-31T10:00:00Z"),
          new Date("2028-01-31T10:00:00Z"),
          null,
        ]);
        expect(orders.find((order) => order.id === pending)?.encryptedPrivateKey).toBe("v1:sealed-key");
        expect(orders.find((order) => order.id === issued)?.encryptedPrivateKey).toBe("v1:sealed-key");
        // The sandbox's own orders learn their coverage too, so its reissues stop at the same date.
        const [sandboxOrder] = await old.db.select().from(schema.sandboxOrders);
        expect(sandboxOrder).toMatchObject({
          coverageEndsAt: new Date("2027-01-31T10:00:00Z"),
          issuedCount: 1,
        });
        const events = await old.db.select().from(schema.orderEvents);
        expect(events).toMatchObject([{ orderId: issued, kind: "requested" }]);
      } finally {
        await old.close();
      }
    },
    MIGRATION_TEST_TIMEOUT_MS,
  );
});
