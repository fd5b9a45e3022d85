import { mkdir } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { type DataDirLock, lockDataDir } from "./data-dir-lock.js";
import { openRemotePglite, type RemotePglite } from "./pglite-remote.js";
import type * as schema from "./schema.js";
import { exists, migrationsFolder, seedDirectory, seedFile } from "./seed.js";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  db: Database;
  kind: "pglite" | "postgres";
  /** Cheap round trip for /healthz. */
  ping(): Promise<void>;
  /**
   * Runs `fn` only while holding the PostgreSQL advisory lock `key`, so replicas sharing the database
   * never run it together; `ran: false` when another session holds it. PGlite serves one process only,
   * so there `fn` always runs.
   */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { kind: "pglite"; dataDir?: string }
  | { kind: "postgres"; url: string; max?: number };

export class DatabaseStartError extends Error {
  override name = "DatabaseStartError";
}

/** Arbitrary constant: replicas starting together migrate one at a time. */
const MIGRATION_LOCK_KEY = 727_001;

/** Opens the database and applies the committed drizzle-kit migrations. */
export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  return target.kind === "pglite" ? openPglite(target.dataDir) : openPostgres(target.url, target.max);
}

/**
 * drizzle and the schema, imported once the worker has been started rather than with this module:
 * main.ts imports this module before it can start the worker, and those imports (about 200 ms)
 * would hold the worker back; loaded while PGlite opens, they cost nothing (docs/benchmarks.md).
 */
const loadDrizzleForPglite = () =>
  Promise.all([import("drizzle-orm/pglite"), import("drizzle-orm/pglite/migrator"), import("./schema.js")]);

async function openPglite(dataDir: string | undefined): Promise<DatabaseHandle> {
  let drizzleForPglite: ReturnType<typeof loadDrizzleForPglite> | undefined;
  // A directory serves one process (data-dir-lock.ts); the in-memory database is private anyway.
  let lock: { release(): void } | undefined;
  if (dataDir) {
    let result: DataDirLock;
    try {
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      result = await lockDataDir(dataDir);
    } catch (error) {
      throw new DatabaseStartError(
        `The embedded database in ${dataDir} could not be opened (${errorText(error)}). ` +
          "Check that certdesk may create and write files there, or set DATABASE_URL to use PostgreSQL.",
      );
    }
    if (!result.acquired) {
      const where =
        result.host === hostname() ? `pid ${result.pid}` : `pid ${result.pid} on host ${result.host}`;
      throw new DatabaseStartError(
        `certdesk is running on this data directory (${where}): stop it first, or use DATABASE_URL ` +
          `to share a PostgreSQL database between processes. The data directory is ${dataDir}; if no certdesk ` +
          `runs as ${where} (pids are reused after a reboot), delete the lock file ${result.lockPath}.`,
      );
    }
    lock = result;
  }
  let client: RemotePglite;
  try {
    // A new database starts from the seed (seed.ts) when there is one, instead of initdb. PGlite
    // runs in a worker thread, so its queries never hold up the event loop (pglite-remote.ts).
    const isNew = !dataDir || !(await exists(join(dataDir, "PG_VERSION")));
    const [seed, seedDir] = isNew ? await Promise.all([seedFile(), seedDirectory()]).catch(() => []) : [];
    const opening = openRemotePglite({ dataDir, seedFile: seed, seedDirectory: seedDir });
    drizzleForPglite = loadDrizzleForPglite();
    drizzleForPglite.catch(() => {});
    client = await opening;
  } catch (error) {
    lock?.release();
    throw new DatabaseStartError(
      `The embedded database in ${dataDir ?? "memory"} could not be opened (${errorText(error)}). ` +
        "If DATA_DIR holds a damaged database, move it aside (nothing was deleted) or set DATABASE_URL to use PostgreSQL.",
    );
  }
  // The client implements the part of PGlite's interface that drizzle's pglite driver uses.
  const [{ drizzle: drizzlePglite }, { migrate: migratePglite }, schema] = await (drizzleForPglite ??
    loadDrizzleForPglite());
  const db = drizzlePglite(client as unknown as PGlite, { schema }) as unknown as Database;
  try {
    await migratePglite(db as never, { migrationsFolder });
  } catch (error) {
    await client.close().finally(() => lock?.release());
    throw new DatabaseStartError(`The embedded database could not be migrated: ${errorText(error)}.`);
  }
  return {
    db,
    kind: "pglite",
    ping: async () => {
      await client.query("select 1");
    },
    withAdvisoryLock: async (_key, fn) => ({ ran: true, value: await fn() }),
    close: () => client.close().finally(() => lock?.release()),
  };
}

async function openPostgres(url: string, max = 10): Promise<DatabaseHandle> {
  // Loaded here, not with the module: the embedded database's processes never need them (a few MB
  // of heap less at idle, bench/idle-rss.ts).
  const [{ default: postgres }, { drizzle: drizzlePostgres }, { migrate: migratePostgres }, schema, { sql }] =
    await Promise.all([
      import("postgres"),
      import("drizzle-orm/postgres-js"),
      import("drizzle-orm/postgres-js/migrator"),
      import("./schema.js"),
      import("drizzle-orm"),
    ]);
  const migrator = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await migrator`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres(migrator), { migrationsFolder });
    await migrator`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } catch (error) {
    throw new DatabaseStartError(
      `PostgreSQL at ${redactUrl(url)} could not be reached or migrated (${errorText(error)}). ` +
        "Check that it is running and that DATABASE_URL is right.",
    );
  } finally {
    await migrator.end({ timeout: 5 });
  }
  const client = postgres(url, { max, onnotice: () => {}, connect_timeout: 10 });
  const db = drizzlePostgres(client, { schema }) as unknown as Database;
  return {
    db,
    kind: "postgres",
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    // A session lock on a reserved connection rather than a transaction lock: jobs run for minutes
    // and call Slack and providers, which must not happen inside an open transaction.
    withAdvisoryLock: async (key, fn) => {
      const session = await client.reserve();
      try {
        const [row] = await session`select pg_try_advisory_lock(${key}) as locked`;
        if (!row?.locked) return { ran: false };
        try {
          return { ran: true, value: await fn() };
        } finally {
          await session`select pg_advisory_unlock(${key})`;
        }
      } finally {
        session.release();
      }
    },
    close: () => client.end({ timeout: 5 }),
  };
}

const CONNECTION_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01",
  "57P02",
  "57P03",
]);

/**
 * True when an error means the database could not be reached (as opposed to a bad query), so a
 * handler can say "temporarily unavailable" instead of "something went wrong". Drizzle wraps driver
 * errors, so the cause chain is walked.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_ERROR_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/postgres(ql)?:\/\/[^\s]+/g, (match) => redactUrl(match));
}
