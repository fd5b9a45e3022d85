import { randomBytes } from "node:crypto";
import { getTableName, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, inject } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../src/db/client.js";
import * as schema from "../../src/db/schema.js";

/**
 * A test database: an in-memory PGlite by default, or, with TEST_DATABASE_URL, a PostgreSQL database
 * of its own, so parallel workers never collide. Both start from the migrated empty database the
 * global setup made (global-setup.ts), and `close()` hands the database back, emptied, for the
 * next test file of the same worker to reuse: test files share workers (`isolate: false`), so a
 * worker opens a database once, not once per file.
 */
export interface TestDatabase extends DatabaseHandle {
  /** Empties every table between tests (cheaper than a new database). */
  truncateAll(): Promise<void>;
  /** The postgres:// URL of this database, when on PostgreSQL. */
  url?: string;
}

export const testDatabaseUrl = process.env.TEST_DATABASE_URL;

/** More idle databases than a file uses at once only hold memory (a PGlite is ~100 MB). */
const MAX_IDLE = 2;

interface Pool {
  idle: PooledDatabase[];
  made: number;
}

// On globalThis rather than in this module: with `isolate: false` a worker keeps its globals from
// one test file to the next, which is the point.
const shared = globalThis as { __certdeskTestDatabases?: Pool };
shared.__certdeskTestDatabases ??= { idle: [], made: 0 };
const pool: Pool = shared.__certdeskTestDatabases;

export async function createTestDatabase(): Promise<TestDatabase> {
  const handle = pool.idle.pop() ?? (await shaped(await openFresh()));
  let returned = false;
  return {
    ...handle,
    async close() {
      if (returned) return;
      returned = true;
      await giveBack(handle);
    },
  };
}

async function giveBack(handle: PooledDatabase): Promise<void> {
  if (pool.idle.length < MAX_IDLE) {
    try {
      // A test that added a trigger or a table (to inject a fault) changed the schema: not reused.
      if ((await schemaShape(handle)) === handle.shape) {
        await handle.truncateAll();
        pool.idle.push(handle);
        return;
      }
    } catch {
      // A database a test broke (or cut off) is not reused.
    }
  }
  await handle.close();
}

interface PooledDatabase extends TestDatabase {
  /** schemaShape() when it was opened. */
  shape: string;
}

/** What a test could add to the schema: its relations, functions and triggers, counted. */
async function schemaShape(handle: DatabaseHandle): Promise<string> {
  const rows = await handle.db.execute<Record<string, unknown>>(
    sql.raw(`select
      (select count(*) from pg_class where relnamespace = 'public'::regnamespace) as relations,
      (select count(*) from pg_proc where pronamespace = 'public'::regnamespace) as functions,
      (select count(*) from pg_trigger where not tgisinternal) as triggers`),
  );
  return JSON.stringify((rows as unknown as { rows?: unknown[] }).rows ?? rows);
}

/** The global setup's values, or nothing when this runs outside vitest's workers. */
function provided(key: "postgresTemplate" | "postgresPrefix"): string {
  try {
    return inject(key) ?? "";
  } catch {
    return "";
  }
}

async function shaped(handle: TestDatabase): Promise<PooledDatabase> {
  return Object.assign(handle, { shape: await schemaShape(handle) });
}

async function openFresh(): Promise<TestDatabase> {
  pool.made += 1;
  if (!testDatabaseUrl) {
    return withTruncate(await openDatabase({ kind: "pglite" }));
  }
  const template = provided("postgresTemplate");
  const prefix = provided("postgresPrefix") || "certdesk_test_";
  const name = `${prefix}${process.pid}_${pool.made}_${randomBytes(2).toString("hex")}`;
  const admin = postgres(testDatabaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`create database "${name}"${template ? ` template "${template}"` : ""}`);
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

/** Every table of the schema, so a new table is emptied between tests without being listed here. */
const ALL_TABLES = (Object.values(schema) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => `"${getTableName(table)}"`)
  .join(", ");

function withTruncate(handle: DatabaseHandle): TestDatabase {
  return {
    ...handle,
    async truncateAll() {
      await handle.db.execute(sql.raw(`truncate table ${ALL_TABLES} restart identity cascade`));
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
