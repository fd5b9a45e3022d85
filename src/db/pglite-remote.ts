import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import {
  messages,
  type QueryOptions,
  type Results,
  type RowMode,
  TransactionAbortedError,
} from "@electric-sql/pglite";

/**
 * The embedded database (PGlite) in a worker thread, behind a client shaped like PGlite itself, so
 * `drizzle(client, { schema })` from `drizzle-orm/pglite`, its migrator and the rest of src/ use it
 * unchanged while the main thread, which answers Slack, does none of the database's work.
 *
 * Why in a worker at all: PGlite is PostgreSQL compiled to WASM, and every query runs synchronously in
 * the thread that calls it. On the main thread each query stalled the event loop, and with it every
 * Slack ack queued behind it (ack p99 about ten times a minimal Bolt app's at 100 commands/s).
 *
 * Why not what exists:
 * - PGlite's own `PGliteWorker` is built on browser APIs (Web Workers, BroadcastChannel, Web Locks
 *   for leader election) that Node 20 lacks.
 * - drizzle's `pg-proxy` driver sends every statement, `begin` and `commit` included, through one
 *   callback with nothing saying which transaction it belongs to. PGlite has one connection, so a
 *   query from another request, sent while a transaction is open, would run inside that transaction
 *   (and be committed or rolled back with it).
 *
 * So this client implements exactly the part of PGlite's interface that drizzle's pglite driver
 * (node_modules/drizzle-orm/pglite/session.js), its migrator and src/ use: `query(sql, params,
 * options)`, `exec`, `transaction(fn)` whose `tx` has `query`, `exec` and `rollback`, `close` and
 * `waitReady`. A transaction has an identity across the boundary: `begin` makes the worker call
 * `pglite.transaction(…)` and keep it open; queries tagged with its id run on that transaction; the
 * worker commits or rolls back when told. A query without the id goes to `pglite.query`, which waits
 * on PGlite's transaction mutex until the open transaction ends, exactly as it does in one thread.
 *
 * What cannot cross the boundary is rebuilt on this side:
 * - Parsers are functions. drizzle passes `parsers` that keep timestamps, dates and intervals as
 *   PostgreSQL's text; the worker is told only which type ids have a parser, returns those columns as
 *   the raw text (which is what PGlite hands a parser), and this side calls the caller's parser on
 *   them. Any parser gives the same value as in one thread, not only drizzle's.
 * - Errors: PGlite's `DatabaseError` carries the SQLSTATE `code`, `detail`, `constraint`, `table`,
 *   `severity`… The worker sends every field and this side makes an error of the same class with the
 *   same fields (and `queryOptions` set back to the caller's options), so errors.ts and
 *   `isDatabaseUnavailable` see what they saw before.
 * - Values: rows travel by structured clone, which keeps Uint8Array (bytea), Date, bigint, jsonb's
 *   objects and null as they are.
 * Serializers and `onNotice` (functions that would have to run in the worker) are refused rather
 * than silently ignored; nothing here uses them.
 *
 * A worker that dies (or was closed) rejects every pending and later call with an error whose `code`
 * is CONNECTION_CLOSED, which `isDatabaseUnavailable` (client.ts) counts as "database unavailable".
 * The worker is referenced (keeps the process alive) only while a call is waiting for it, as a
 * PGlite in this thread would hold nothing open.
 */

/** What the worker is started with (its `workerData`). */
export interface PgliteWorkerData {
  dataDir?: string;
  /** A PGlite dump (seed.ts) to load instead of running initdb; only for a new database. */
  seedFile?: string;
  /** The seed as a data directory (seed.ts), copied into a new `dataDir` in preference to the dump. */
  seedDirectory?: string;
}

/** The query options that cross: parsers are reduced to the type ids they apply to. */
export interface WireQueryOptions {
  rowMode?: RowMode;
  paramTypes?: number[];
  /** Type ids whose values the worker returns as PostgreSQL's text, for this side's parsers. */
  rawTypes?: number[];
  blob?: Blob;
}

export type WorkerRequest =
  | { id: number; op: "query"; sql: string; params: unknown[]; options: WireQueryOptions; txId?: number }
  | { id: number; op: "exec"; sql: string; options: WireQueryOptions; txId?: number }
  | { id: number; op: "begin"; txId: number }
  | { id: number; op: "end"; txId: number; commit: boolean }
  | { id: number; op: "rollback"; txId: number }
  | { id: number; op: "close" };

/** `id` 0 answers the start: PGlite open, or why not. */
export type WorkerReply =
  | { id: number; ok: true; value?: unknown }
  | { id: number; ok: false; error: WireError };

export interface WireError {
  /** Which of PGlite's error classes to remake, or a plain Error. */
  kind: "DatabaseError" | "TransactionAbortedError" | "Error";
  name: string;
  message: string;
  stack?: string;
  /** Every other own field that survives structured clone (code, detail, constraint, query, params…). */
  fields: Record<string, unknown>;
}

/** Numbers parsed to values by the caller's parser functions, keyed by type id. */
type Parsers = Record<number, (value: string, typeId: number) => unknown>;

export interface RemoteTransaction {
  query<T>(query: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(query: string, options?: QueryOptions): Promise<Results[]>;
  rollback(): Promise<void>;
  readonly closed: boolean;
}

export interface RemotePglite {
  query<T>(query: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(query: string, options?: QueryOptions): Promise<Results[]>;
  transaction<T>(callback: (tx: RemoteTransaction) => Promise<T>): Promise<T>;
  /** Closes PGlite in the worker (after the calls sent before), then ends the worker. */
  close(): Promise<void>;
  readonly waitReady: Promise<void>;
  readonly ready: boolean;
  readonly closed: boolean;
}

/** Starts the worker and opens PGlite in it; rejects with PGlite's own error when it cannot open. */
export async function openRemotePglite(data: PgliteWorkerData): Promise<RemotePglite> {
  const worker = startPgliteWorker(data);
  const client = createRemotePglite(worker);
  try {
    await client.waitReady;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return client;
}

/**
 * Under tsx (tests, `npx tsx`) this module is src/db/pglite-remote.ts and its worker a .ts file that
 * Node 20 cannot load by itself: tsx's loader is not applied to a worker's entry even with the
 * parent's `--import` flags, so a small bootstrap registers it in the worker (tsx/esm/api) and then
 * imports the entry. Compiled (dist/, scripts/build.ts: one .js per module, same layout), the worker is
 * the plain dist/db/pglite-worker.js beside this file.
 */
export function startPgliteWorker(data: PgliteWorkerData): Worker {
  const options = { workerData: data, name: "certdesk-pglite" };
  if (!import.meta.url.endsWith(".ts"))
    return new Worker(new URL("./pglite-worker.js", import.meta.url), options);
  const entry = new URL("./pglite-worker.ts", import.meta.url).href;
  const tsxApi = tsxEsmApi();
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** tsx's ESM register API (its CommonJS build, which `require.resolve` finds, cannot register ESM hooks). */
function tsxEsmApi(): string {
  if (typeof import.meta.resolve === "function") return import.meta.resolve("tsx/esm/api");
  // vitest's module runner has no import.meta.resolve: read the export from tsx's manifest.
  const manifestPath = createRequire(import.meta.url).resolve("tsx/package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
    exports: { "./esm/api": { import: { default: string } } };
  };
  return pathToFileURL(path.join(path.dirname(manifestPath), manifest.exports["./esm/api"].import.default))
    .href;
}

/** The client for a worker from startPgliteWorker (tests hold the worker to stop it under the client). */
export function createRemotePglite(worker: Worker): RemotePglite {
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  let nextTxId = 1;
  let stopped: Error | undefined;
  let closing: Promise<void> | undefined;
  let ready = false;

  const fail = (error: Error): void => {
    stopped ??= error;
    for (const call of pending.values()) call.reject(stopped);
    pending.clear();
    worker.unref();
  };
  worker.on("message", (reply: WorkerReply) => {
    const call = pending.get(reply.id);
    if (!call) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.ok) call.resolve(reply.value);
    else call.reject(new WorkerFailure(reply.error));
  });
  // An uncaught error in the worker ends it; 'exit' follows and finds nothing left to reject.
  worker.on("error", (error) => fail(unavailable(`its worker thread failed: ${error.message}`, error)));
  worker.on("messageerror", (error) => {
    fail(unavailable(`a message from its worker thread could not be read: ${error.message}`, error));
    void worker.terminate();
  });
  worker.on("exit", (code) => fail(unavailable(`its worker thread stopped (exit code ${code})`)));

  const call = (request: DistributiveOmit<WorkerRequest, "id">, id = nextId++): Promise<unknown> => {
    if (stopped) return Promise.reject(stopped);
    return new Promise((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve, reject });
      try {
        worker.postMessage({ ...request, id });
      } catch (error) {
        // A parameter structured clone cannot copy (a function, a class instance with private state).
        pending.delete(id);
        if (pending.size === 0) worker.unref();
        reject(error);
      }
    });
  };

  // id 0: the worker answers it once PGlite is open (pglite-worker.ts).
  const started = new Promise<unknown>((resolve, reject) => {
    worker.ref();
    pending.set(0, { resolve, reject });
  });
  const waitReady = rethrowHere(started, undefined).then(() => {
    ready = true;
  });
  waitReady.catch(() => {});

  const query = async <T>(
    sql: string,
    params: unknown[] | undefined,
    options: QueryOptions | undefined,
    txId: number | undefined,
  ): Promise<Results<T>> => {
    const wire = toWireOptions(options);
    const result = (await rethrowHere(
      call({ op: "query", sql, params: params ?? [], options: wire, txId }),
      options,
    )) as Results<T>;
    if (wire.rawTypes) parse(result as Results, options?.parsers as Parsers, wire.rowMode);
    return result;
  };
  const exec = async (sql: string, options: QueryOptions | undefined, txId: number | undefined) => {
    const wire = toWireOptions(options);
    const results = (await rethrowHere(call({ op: "exec", sql, options: wire, txId }), options)) as Results[];
    if (wire.rawTypes) for (const result of results) parse(result, options?.parsers as Parsers, wire.rowMode);
    return results;
  };

  return {
    query: (sql, params, options) => query(sql, params, options, undefined),
    exec: (sql, options) => exec(sql, options, undefined),
    async transaction<T>(callback: (tx: RemoteTransaction) => Promise<T>): Promise<T> {
      const txId = nextTxId++;
      await rethrowHere(call({ op: "begin", txId }), undefined);
      // Mirrors PGlite's transaction: the callback's result commits, its error rolls back and is
      // rethrown; after rollback() or the end, the tx refuses further work.
      let closed = false;
      const open = () => {
        if (closed) throw new Error("Transaction is closed");
      };
      const tx: RemoteTransaction = {
        query: async (sql, params, options) => {
          open();
          return query(sql, params, options, txId);
        },
        exec: async (sql, options) => {
          open();
          return exec(sql, options, txId);
        },
        rollback: async () => {
          open();
          await rethrowHere(call({ op: "rollback", txId }), undefined);
          closed = true;
        },
        get closed() {
          return closed;
        },
      };
      let result: T;
      try {
        result = await callback(tx);
      } catch (error) {
        closed = true;
        await rethrowHere(call({ op: "end", txId, commit: false }), undefined);
        throw error;
      }
      closed = true;
      await rethrowHere(call({ op: "end", txId, commit: true }), undefined);
      return result;
    },
    close() {
      closing ??= (async () => {
        try {
          if (!stopped) await rethrowHere(call({ op: "close" }), undefined);
        } finally {
          fail(unavailable("it was closed"));
          await worker.terminate();
        }
      })();
      return closing;
    },
    waitReady,
    get ready() {
      return ready && !stopped;
    },
    get closed() {
      return stopped !== undefined;
    },
  };
}

/** Omit over each member of a union (the built-in one would merge them). */
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

function toWireOptions(options: QueryOptions | undefined): WireQueryOptions {
  if (!options) return {};
  if (options.serializers || options.onNotice) {
    throw new TypeError(
      "The embedded database runs in a worker thread: query options with functions to run there (serializers, onNotice) are not supported",
    );
  }
  const wire: WireQueryOptions = {};
  if (options.rowMode) wire.rowMode = options.rowMode;
  if (options.paramTypes) wire.paramTypes = options.paramTypes;
  if (options.blob) wire.blob = options.blob;
  if (options.parsers) {
    const types = Object.keys(options.parsers).map(Number);
    if (types.length > 0) wire.rawTypes = types;
  }
  return wire;
}

/** Runs the caller's parsers on the columns the worker left as text, as PGlite would have. */
function parse(result: Results, parsers: Parsers, rowMode: RowMode | undefined): void {
  const columns: { key: number | string; typeId: number; parser: Parsers[number] }[] = [];
  result.fields.forEach((field, index) => {
    const parser = parsers[field.dataTypeID];
    if (!parser) return;
    if (rowMode === "array") columns.push({ key: index, typeId: field.dataTypeID, parser });
    // An object row keeps the last of several columns of one name, so that one's type applies.
    else if (result.fields.findLastIndex((other) => other.name === field.name) === index) {
      columns.push({ key: field.name, typeId: field.dataTypeID, parser });
    }
  });
  if (columns.length === 0) return;
  for (const row of result.rows as Record<string | number, unknown>[]) {
    for (const { key, typeId, parser } of columns) {
      const value = row[key];
      if (value !== null && value !== undefined) row[key] = parser(value as string, typeId);
    }
  }
}

/** A call the worker answered with an error: rethrowHere turns it into the error PGlite threw. */
class WorkerFailure extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
  }
}

/**
 * Awaits a call and, when it failed in the worker, throws the error PGlite threw there, made here:
 * its stack shows the caller's frames (V8's async stack traces follow these awaits) and below them
 * the worker's, where PGlite threw.
 */
async function rethrowHere(reply: Promise<unknown>, options: QueryOptions | undefined): Promise<unknown> {
  try {
    return await reply;
  } catch (error) {
    if (error instanceof WorkerFailure) throw fromWire(error.wire, options);
    throw error;
  }
}

/**
 * An error of the class PGlite threw (its DatabaseError, TransactionAbortedError, or Error), with
 * every field it had (code, detail, constraint, …) and `queryOptions`, as PGlite sets it, back to
 * the caller's options.
 */
function fromWire(wire: WireError, options?: QueryOptions): Error {
  const error = new Error(wire.message);
  if (wire.kind === "DatabaseError") Object.setPrototypeOf(error, messages.DatabaseError.prototype);
  else if (wire.kind === "TransactionAbortedError")
    Object.setPrototypeOf(error, TransactionAbortedError.prototype);
  Object.assign(error, wire.fields);
  if ("queryOptions" in wire.fields) Object.assign(error, { queryOptions: options });
  error.name = wire.name;
  const here: { stack?: string } = {};
  Error.captureStackTrace(here, fromWire);
  error.stack = [
    `${wire.name}: ${wire.message}`,
    ...frames(here.stack),
    "    --- in the database worker:",
    ...frames(wire.stack),
  ].join("\n");
  return error;
}

function frames(stack: string | undefined): string[] {
  return (stack ?? "").split("\n").filter((line) => line.startsWith("    at "));
}

function unavailable(reason: string, cause?: unknown): Error {
  return Object.assign(new Error(`The embedded database is not available: ${reason}`, { cause }), {
    code: "CONNECTION_CLOSED",
  });
}
