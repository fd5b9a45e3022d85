import { readFile } from "node:fs/promises";
import type { Worker } from "node:worker_threads";
import { messages, PGlite, type QueryOptions, TransactionAbortedError, types } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "../../src/db/client.js";
import { violates } from "../../src/db/errors.js";
import { createRemotePglite, type RemotePglite, startPgliteWorker } from "../../src/db/pglite-remote.js";
import { clients } from "../../src/db/schema.js";
import { seedFile } from "../../src/db/seed.js";
import { testDatabaseUrl, useTestDatabase } from "../support/database.js";

/**
 * The embedded database runs in a worker thread (src/db/pglite-remote.ts): the main thread, which
 * acks Slack, keeps turning while a query runs; a transaction stays its own; and the client answers
 * exactly as PGlite in one thread does, errors included.
 */

/** PGlite's execute answers `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/** What a failed promise failed with. */
function failure(promise: PromiseLike<unknown>): Promise<Error & Record<string, unknown>> {
  return Promise.resolve(promise).then(
    () => {
      throw new Error("expected a failure");
    },
    (error: Error & Record<string, unknown>) => error,
  );
}

/** A query that keeps PGlite busy for a while (a tenth of a second and more), with no sleep. */
const SLOW = "select count(*)::int as n from generate_series(1, 1500000)";

// The PostgreSQL pass (TEST_DATABASE_URL) has no embedded database to test here.
describe.skipIf(testDatabaseUrl !== undefined)("the embedded database through drizzle", () => {
  const database = useTestDatabase();

  it("opens PostgreSQL with 16 MB of shared buffers, not the server default of 128 MB", async () => {
    const shown = await database.current.db.execute(sql`show shared_buffers`);
    expect(rowsOf<{ shared_buffers: string }>(shown)).toEqual([{ shared_buffers: "16MB" }]);
  });

  it("runs queries in a worker thread: the event loop keeps turning while one runs", async () => {
    let done = false;
    let turns = 0;
    let timerFiredDuringQuery = false;
    const spin = () => {
      if (done) return;
      turns += 1;
      setImmediate(spin);
    };
    setTimeout(() => {
      timerFiredDuringQuery = !done;
    }, 1);
    const query = database.current.db.execute(sql.raw(SLOW)).finally(() => {
      done = true;
    });
    setImmediate(spin);
    const result = await query;

    expect(rowsOf<{ n: number }>(result)).toEqual([{ n: 1_500_000 }]);
    // In one thread the query blocks the loop from start to end: no timer, a turn or two at most.
    expect(timerFiredDuringQuery).toBe(true);
    expect(turns).toBeGreaterThan(20);
  });

  it("keeps a transaction to itself: a query from outside waits for it and is not part of it", async () => {
    const { db } = database.current;
    let outsideDone = false;
    let outside: Promise<void> | undefined;
    const rolledBack = db.transaction(async (tx) => {
      await tx.insert(clients).values({ name: "Inside Ltd" });
      outside = db
        .insert(clients)
        .values({ name: "Outside Ltd" })
        .then(() => {
          outsideDone = true;
        });
      // The worker got the outside insert before this select: it waits for the transaction to end.
      expect((await tx.select().from(clients)).map((client) => client.name)).toEqual(["Inside Ltd"]);
      expect(outsideDone).toBe(false);
      throw new Error("roll back");
    });
    await expect(rolledBack).rejects.toThrow("roll back");
    await outside;
    expect((await db.select().from(clients)).map((client) => client.name)).toEqual(["Outside Ltd"]);
  });

  it("runs a nested transaction as a savepoint, and commits what the outer one did", async () => {
    const { db } = database.current;
    await db.transaction(async (tx) => {
      await tx.insert(clients).values({ name: "Kept Ltd" });
      await expect(
        tx.transaction(async (nested) => {
          await nested.insert(clients).values({ name: "Undone Ltd" });
          throw new Error("undo the savepoint");
        }),
      ).rejects.toThrow("undo the savepoint");
    });
    expect((await db.select().from(clients)).map((client) => client.name)).toEqual(["Kept Ltd"]);
  });

  it("keeps PGlite's error and its fields across the thread: SQLSTATE, constraint, detail", async () => {
    const { db } = database.current;
    await db.insert(clients).values({ name: "Acme" });
    const error = await failure(db.insert(clients).values({ name: "ACME" }));

    expect(violates(error, "clients_name_lower_idx")).toBe(true);
    expect(isDatabaseUnavailable(error)).toBe(false);
    const cause = error.cause as Error & Record<string, unknown>;
    expect(cause).toBeInstanceOf(messages.DatabaseError);
    expect(cause).toMatchObject({
      message: 'duplicate key value violates unique constraint "clients_name_lower_idx"',
      code: "23505",
      severity: "ERROR",
      table: "clients",
      constraint: "clients_name_lower_idx",
      detail: "Key (lower(name))=(acme) already exists.",
    });
    // Where it was called from here, then where PGlite threw in the worker.
    expect(cause.stack).toMatch(/pglite-remote\.test\.ts[\s\S]*in the database worker:\n\s+at /);
  });
});

describe("the worker's client beside PGlite in this thread", () => {
  let local: PGlite;
  let worker: Worker;
  let remote: RemotePglite;
  beforeAll(async () => {
    const seed = await seedFile();
    worker = startPgliteWorker({ seedFile: seed });
    remote = createRemotePglite(worker);
    local = new PGlite({ loadDataDir: new Blob([await readFile(seed)]) });
    await Promise.all([remote.waitReady, local.waitReady]);
    const setup = `create table sample (id int primary key, b bytea, j jsonb, at timestamptz, d date,
      n numeric, big int8, ats timestamptz[], span interval, note text)`;
    const row = [
      1,
      new Uint8Array([0, 1, 255]),
      JSON.stringify({ a: [1, "two"] }),
      new Date("2026-03-15T10:00:00.123Z"),
      "2026-03-15",
      "12.50",
      9_007_199_254_740_993n,
      ["2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"],
      "1 day 02:00:00",
      null,
    ];
    for (const client of [local, remote]) {
      await client.exec(setup);
      await client.query("insert into sample values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", row);
    }
  });
  afterAll(async () => {
    await Promise.all([local?.close(), remote?.close()]);
  });

  /** drizzle's options (drizzle-orm/pglite/session.js): timestamps, dates and intervals as text. */
  const drizzleParsers = {
    [types.TIMESTAMP]: (value: string) => value,
    [types.TIMESTAMPTZ]: (value: string) => value,
    [types.INTERVAL]: (value: string) => value,
    [types.DATE]: (value: string) => value,
    1231: (value: string) => value,
    1115: (value: string) => value,
    1185: (value: string) => value,
    1187: (value: string) => value,
    1182: (value: string) => value,
  };

  it("answers every query with the same rows, fields and counts", async () => {
    const cases: [string, unknown[], QueryOptions | undefined][] = [
      ["select * from sample", [], undefined],
      ["select * from sample", [], { rowMode: "array", parsers: drizzleParsers }],
      ["select * from sample", [], { rowMode: "object", parsers: drizzleParsers }],
      // A parser of one's own runs on this side, on the text PGlite would have handed it.
      [
        "select id, at, note from sample",
        [],
        { parsers: { [types.INT4]: (text: string, type?: number) => `${type}:${text}` } },
      ],
      // Two columns of one name: the object keeps the last, parsed by its type.
      ["select 1 as a, 'x' as a", [], { parsers: { [types.TEXT]: (text: string) => text.toUpperCase() } }],
      ["select $1::timestamptz as at, $2::bytea as b", [new Date(0), new Uint8Array([7])], undefined],
      ["select $1::text as t", [42], { paramTypes: [types.TEXT] }],
      ["update sample set n = n + 1 returning n", [], undefined],
      ["select * from sample where id = -1", [], undefined],
    ];
    for (const [query, params, options] of cases) {
      expect(await remote.query(query, params, options), query).toEqual(
        await local.query(query, params, options),
      );
    }
    const script = "select 1 as one; select 'a' as a, at from sample; update sample set note = 'x'";
    expect(await remote.exec(script, { parsers: drizzleParsers })).toEqual(
      await local.exec(script, { parsers: drizzleParsers }),
    );
  });

  it("fails with the same error: class, message, SQLSTATE and every other field", async () => {
    const options = { rowMode: "array" as const, parsers: drizzleParsers };
    for (const query of [
      "select 1/0",
      "insert into sample (id) values (1)",
      "select nope from sample",
      "selec",
    ]) {
      const [here, there] = await Promise.all([
        failure(local.query(query, [], options)),
        failure(remote.query(query, [], options)),
      ]);
      expect(Object.getPrototypeOf(there)).toBe(Object.getPrototypeOf(here));
      expect({ ...there, message: there.message }).toEqual({ ...here, message: here.message });
      expect(there.queryOptions).toBe(options);
    }
    // A transaction whose statement failed rolls back at COMMIT: PGlite's TransactionAbortedError.
    const aborted = async (client: PGlite | RemotePglite) =>
      failure(
        (client as RemotePglite).transaction(async (tx) => {
          await tx.query("select 1/0").catch(() => {});
        }),
      );
    const [here, there] = await Promise.all([aborted(local), aborted(remote)]);
    expect(here).toBeInstanceOf(TransactionAbortedError);
    expect(there).toBeInstanceOf(TransactionAbortedError);
    expect(there.message).toBe(here.message);
  });

  it("has transactions that roll back on an error or on rollback(), and refuse work once closed", async () => {
    await expect(
      remote.transaction(async (tx) => {
        await tx.query("update sample set note = 'thrown'");
        throw new Error("no");
      }),
    ).rejects.toThrow("no");
    const value = await remote.transaction(async (tx) => {
      await tx.query("update sample set note = 'rolled back'");
      await tx.rollback();
      expect(tx.closed).toBe(true);
      await expect(tx.query("select 1")).rejects.toThrow("Transaction is closed");
      return "result";
    });
    expect(value).toBe("result");
    await remote.transaction(async (tx) => {
      await tx.exec("update sample set note = 'committed'");
    });
    expect((await remote.query("select note from sample")).rows).toEqual([{ note: "committed" }]);
  });

  it("rejects every waiting and later call with a database-unavailable error when its worker dies", async () => {
    const waiting = failure(remote.query(SLOW));
    await worker.terminate();
    const error = await waiting;
    expect(error.code).toBe("CONNECTION_CLOSED");
    expect(error.message).toMatch(/^The embedded database is not available: its worker thread stopped/);
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(isDatabaseUnavailable(await failure(remote.query("select 1")))).toBe(true);
    expect(remote.closed).toBe(true);
    await remote.close();
  });
});
