import { readFile } from "node:fs/promises";
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import {
  messages,
  PGlite,
  type QueryOptions,
  type Transaction,
  TransactionAbortedError,
} from "@electric-sql/pglite";
import type {
  PgliteWorkerData,
  WireError,
  WireQueryOptions,
  WorkerReply,
  WorkerRequest,
} from "./pglite-remote.js";
import { copySeedDirectory } from "./seed.js";

/**
 * The worker thread that owns the embedded database (PGlite): it opens it, answers the requests of
 * pglite-remote.ts (the PGlite-shaped client on the main thread, where the why is written) and
 * keeps each transaction open, by id, until the main thread commits or rolls it back.
 */

/**
 * PostgreSQL's default 128 MB of shared buffers is sized for a server with many connections; the
 * embedded database has one, and its working set (orders, clients, events) is a few megabytes. In
 * WASM those buffers are memory PGlite allocates and touches at every start: with 16 MB an existing
 * database opened in 252 ms instead of 661 ms and the process held 253 MB instead of 375 MB
 * (a standalone open, 2026-12-04; bench/idle-rss.ts has the app's figures). Given on the command
 * line rather than PGlite's `postgresqlconf`, which writes a postgresql.conf into the data
 * directory: a directory certdesk refuses to open (damaged, someone else's) stays as it was.
 */
const POSTGRES_SETTINGS = ["-c", "shared_buffers=16MB"];

/**
 * A new database's files: the seed directory copied into the data directory when there is one
 * (seed.ts), else the seed's dump for PGlite to load, else nothing (PGlite runs initdb).
 */
async function seedFor(data: PgliteWorkerData): Promise<Blob | undefined> {
  if (data.dataDir && data.seedDirectory) {
    try {
      await copySeedDirectory(data.seedDirectory, data.dataDir);
      return undefined;
    } catch {
      // No seed directory (a cache made before there was one): the dump. PG_VERSION is copied last,
      // so a copy that failed part way leaves nothing PGlite would take for a database.
    }
  }
  const seed = data.seedFile ? await readFile(data.seedFile).catch(() => undefined) : undefined;
  return seed ? new Blob([seed]) : undefined;
}

/** The callback's way out when the main thread's transaction failed: PGlite rolls back on a throw. */
const ROLLBACK = Symbol("rollback");

interface OpenTransaction {
  tx: Transaction;
  finish(commit: boolean): void;
  /** Settles when PGlite has committed or rolled back. */
  done: Promise<void>;
}

if (parentPort) void serve(parentPort, workerData as PgliteWorkerData);

async function serve(port: MessagePort, data: PgliteWorkerData): Promise<void> {
  const reply = (message: WorkerReply) => {
    try {
      port.postMessage(message);
    } catch (error) {
      // A value structured clone cannot copy: the caller gets why, not silence.
      port.postMessage({ id: message.id, ok: false, error: toWire(error) } satisfies WorkerReply);
    }
  };

  let pglite: PGlite;
  try {
    pglite = new PGlite({
      dataDir: data.dataDir,
      loadDataDir: await seedFor(data),
      startParams: [...PGlite.defaultStartParams, ...POSTGRES_SETTINGS],
    });
    await pglite.waitReady;
  } catch (error) {
    reply({ id: 0, ok: false, error: toWire(error) });
    return;
  }

  const transactions = new Map<number, OpenTransaction>();
  /** PGlite's parsers for the type ids the main thread parses itself: the text, untouched. */
  const rawParsers = new Map<string, QueryOptions["parsers"]>();
  const queryOptions = (wire: WireQueryOptions): QueryOptions => {
    const { rawTypes, ...options } = wire;
    if (!rawTypes) return options;
    const key = rawTypes.join(",");
    let parsers = rawParsers.get(key);
    if (!parsers) {
      parsers = Object.fromEntries(rawTypes.map((type) => [type, (text: string) => text]));
      rawParsers.set(key, parsers);
    }
    return { ...options, parsers };
  };
  const target = (txId: number | undefined): PGlite | Transaction => {
    if (txId === undefined) return pglite;
    const open = transactions.get(txId);
    if (!open) throw new Error("Transaction is closed");
    return open.tx;
  };

  const begin = (txId: number) =>
    new Promise<void>((resolve, reject) => {
      let finish: (commit: boolean) => void = () => {};
      const decided = new Promise<boolean>((settle) => {
        finish = settle;
      });
      const committed = pglite.transaction(async (tx) => {
        transactions.set(txId, { tx, finish, done });
        resolve();
        if (!(await decided)) throw ROLLBACK;
      });
      const done = committed.then(
        () => {},
        (error: unknown) => {
          if (error !== ROLLBACK) throw error;
        },
      );
      // Awaited by "end"; until then a failed COMMIT must not count as an unhandled rejection.
      done.catch(() => {});
      // BEGIN itself failed: the callback never ran.
      committed.catch(reject);
    });

  const run = async (request: WorkerRequest): Promise<unknown> => {
    switch (request.op) {
      case "query":
        return target(request.txId).query(request.sql, request.params, queryOptions(request.options));
      case "exec":
        return target(request.txId).exec(request.sql, queryOptions(request.options));
      case "begin":
        return begin(request.txId);
      case "rollback": {
        const open = transactions.get(request.txId);
        if (!open) throw new Error("Transaction is closed");
        return open.tx.rollback();
      }
      case "end": {
        const open = transactions.get(request.txId);
        if (!open) throw new Error("Transaction is closed");
        transactions.delete(request.txId);
        open.finish(request.commit);
        return open.done;
      }
      case "close":
        return pglite.close();
    }
  };

  port.on("message", (request: WorkerRequest) => {
    run(request).then(
      (value) => reply({ id: request.id, ok: true, value }),
      (error: unknown) => reply({ id: request.id, ok: false, error: toWire(error) }),
    );
  });
  reply({ id: 0, ok: true });
}

/** PGlite's error with every field that structured clone can carry (functions, such as parsers, cannot). */
function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { kind: "Error", name: "Error", message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === "queryOptions") {
      // The worker's copy holds its own parsers; the main thread puts the caller's options back.
      fields[key] = undefined;
      continue;
    }
    try {
      fields[key] = structuredClone(value);
    } catch {
      // Not cloneable: left out.
    }
  }
  // TransactionAbortedError (a COMMIT that rolled back) is a DatabaseError: asked first.
  const kind =
    error instanceof TransactionAbortedError
      ? "TransactionAbortedError"
      : error instanceof messages.DatabaseError
        ? "DatabaseError"
        : "Error";
  return { kind, name: error.name, message: error.message, stack: error.stack, fields };
}
