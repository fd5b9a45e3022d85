import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../src/db/client.js";

/**
 * One database per test file: an in-memory PGlite by default, or, with TEST_DATABASE_URL, a fresh
 * PostgreSQL database created for the file and dropped after it, so parallel runs never collide.
 */
export interface TestDatabase extends DatabaseHandle {
  /** Empties every table between tests (cheaper than a new database). */
  truncateAll(): Promise<void>;
  /** The postgres:// URL of this file's database, when on PostgreSQL. */
  url?: string;
}

export const testDatabaseUrl = process.env.TEST_DATABASE_URL;

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!testDatabaseUrl) return withTruncate(await openDatabase({ kind: "pglite" }));
  const name = `certdesk_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(testDatabaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`create database "${name}"`);
  } catch (error) {
    throw new Error(
      `TEST_DATABASE_URL is set but PostgreSQL could not create a test database: ${(error as Error).message}`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ kind: "postgres", url: url.toString(), max: 5 });
  const result = withTruncate(handle);
  result.url = url.toString();
  result.close = async () => {
    await handle.close();
    const dropper = postgres(testDatabaseUrl, { max: 1, onnotice: () => {} });
    await dropper.unsafe(`drop database if exists "${name}" with (force)`);
    await dropper.end();
  };
  return result;
}

function withTruncate(handle: DatabaseHandle): TestDatabase {
  return {
    ...handle,
    async truncateAll() {
      await handle.db.execute(
        sql.raw(
          "truncate table access_refusals, certificates, domain_validations, order_events, alerts_sent, orders, contacts, clients, order_drafts, sandbox_orders, sandbox_authority restart identity cascade",
        ),
      );
      await handle.db.execute(sql.raw("alter sequence order_reference_seq restart with 1001"));
    },
  };
}

/**
 * One test database for the file, emptied before each test (the usual set-up of a file that tests
 * the domain without the app): `const database = useTestDatabase();` then `database.current.db`.
 */
export function useTestDatabase(): { readonly current: TestDatabase } {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database?.truncateAll();
  });
  return {
    get current() {
      if (!database) throw new Error("useTestDatabase: the database is made in beforeAll");
      return database;
    },
  };
}
