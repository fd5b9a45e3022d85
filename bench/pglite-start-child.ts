/**
 * The measured side of bench/pglite-start.ts: opens one PGlite data directory the way the variant
 * says, migrates it with drizzle as certdesk does, runs a small workload, and reports its timings and
 * memory to the parent over IPC. Compiled and run by plain node (no tsx loader, whose second thread
 * would add to the RSS), one process per sample.
 */
import { constants } from "node:fs";
import { copyFile, mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";

export interface PgliteStartJob {
  dataDir: string;
  /** How a new database gets its files; `existing` opens what is there (a restart). */
  seed: "existing" | "gzip" | "tar" | "copy" | "initdb";
  /** The seed: a .tar.gz or .tar for `gzip`/`tar`, a data directory for `copy`. */
  seedPath?: string;
  /** Postgres settings added to PGlite's default start parameters (`-c name=value` each). */
  settings: string[];
  /** PGlite's initialMemory in MB (the WASM module's own minimum is 128). */
  initialMemoryMb?: number;
  migrationsFolder: string;
  /** Rows the workload inserts (0: no workload). */
  workloadRows: number;
}

export interface PgliteStartReport {
  /** ms: import of @electric-sql/pglite, of drizzle; seed preparation (copy or read); open = new PGlite → waitReady. */
  importPglite: number;
  importDrizzle: number;
  seed: number;
  open: number;
  migrate: number;
  /** Sum of the above: what a start spends before the database is usable. */
  ready: number;
  /** ms for the workload (inserts, an index, point reads, an aggregate, a rolled-back update). */
  workload: number;
  /** MB, 1 s after the migration (idle) and after the workload. */
  idle: MemoryReport;
  afterWorkload: MemoryReport;
  sharedBuffers: string;
}

interface MemoryReport {
  rss: number;
  peakRss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  wasmMemory: number;
}

const MB = 1024 * 1024;
const job = JSON.parse(process.env.PGLITE_START_JOB ?? "{}") as PgliteStartJob;

async function memory(pg: { mod?: { wasmMemory?: { buffer: ArrayBuffer } } }): Promise<MemoryReport> {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const status = await readFile("/proc/self/status", "utf8").catch(() => "");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  const usage = process.memoryUsage();
  return {
    rss: usage.rss / MB,
    peakRss: kb("VmHWM") / 1024,
    heapUsed: usage.heapUsed / MB,
    external: usage.external / MB,
    arrayBuffers: usage.arrayBuffers / MB,
    wasmMemory: (pg.mod?.wasmMemory?.buffer.byteLength ?? Number.NaN) / MB,
  };
}

/** As the proposed seed.ts copies the seed directory: files in parallel, a reflink where the filesystem has them. */
async function copyTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o700 });
  const entries = await readdir(from, { withFileTypes: true });
  await Promise.all(
    entries.map((entry) =>
      entry.isDirectory()
        ? copyTree(path.join(from, entry.name), path.join(to, entry.name))
        : copyFile(path.join(from, entry.name), path.join(to, entry.name), constants.COPYFILE_FICLONE),
    ),
  );
}

let mark = performance.now();
const lap = () => {
  const now = performance.now();
  const elapsed = now - mark;
  mark = now;
  return elapsed;
};

const { PGlite } = await import("@electric-sql/pglite");
const importPglite = lap();
const { drizzle } = await import("drizzle-orm/pglite");
const { migrate } = await import("drizzle-orm/pglite/migrator");
const importDrizzle = lap();

let loadDataDir: Blob | undefined;
if (job.seed === "gzip" || job.seed === "tar") loadDataDir = new Blob([await readFile(job.seedPath ?? "")]);
if (job.seed === "copy") await copyTree(job.seedPath ?? "", job.dataDir);
const seed = lap();

// PGlite's own start parameters are replaced by `startParams`, so the settings go after its defaults.
const defaults = (PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams;
if (job.settings.length > 0 && !Array.isArray(defaults)) throw new Error("PGlite.defaultStartParams is gone");
const pg = new PGlite({
  dataDir: job.dataDir,
  loadDataDir,
  initialMemory: job.initialMemoryMb ? job.initialMemoryMb * MB : undefined,
  startParams:
    job.settings.length > 0 ? [...(defaults ?? []), ...job.settings.flatMap((s) => ["-c", s])] : undefined,
});
await pg.waitReady;
const open = lap();
await migrate(drizzle(pg), { migrationsFolder: job.migrationsFolder });
const migrateMs = lap();
const ready = importPglite + importDrizzle + seed + open + migrateMs;
const sharedBuffers =
  (await pg.query<{ shared_buffers: string }>("show shared_buffers")).rows[0]?.shared_buffers ?? "?";
const idle = await memory(pg as never);

lap();
if (job.workloadRows > 0) {
  // A migration-like DDL, bulk writes, an index, point reads, an aggregate and a rolled-back update:
  // enough to see whether a setting breaks Postgres or slows it down.
  await pg.exec(
    "create table bench_orders (id serial primary key, domain text not null, status text, n int)",
  );
  await pg.query(
    "insert into bench_orders (domain, status, n) select 'host' || g || '.example.com', (array['pending','issued','expired'])[g % 3 + 1], g from generate_series(1, $1) g",
    [job.workloadRows],
  );
  await pg.exec("create index bench_orders_status_idx on bench_orders (status, n)");
  for (let i = 1; i <= 500; i += 1) {
    await pg.query("select * from bench_orders where id = $1", [(i * 7919) % job.workloadRows]);
  }
  const counted = await pg.query<{ count: number }>(
    "select count(*)::int as count from bench_orders where status = 'issued' and n > $1",
    [job.workloadRows / 2],
  );
  if (!counted.rows[0] || counted.rows[0].count <= 0)
    throw new Error("the workload's aggregate found nothing");
  await pg
    .transaction(async (tx) => {
      await tx.query("update bench_orders set status = 'revoked' where n % 10 = 0");
      throw new Error("rollback");
    })
    .catch((error: unknown) => {
      if ((error as Error).message !== "rollback") throw error;
    });
  const revoked = await pg.query<{ count: number }>(
    "select count(*)::int as count from bench_orders where status = 'revoked'",
  );
  if (revoked.rows[0]?.count !== 0) throw new Error("the rolled-back update is visible");
  await pg.exec("drop table bench_orders");
}
const workload = lap();
const afterWorkload = await memory(pg as never);
await pg.close();

const report: PgliteStartReport = {
  importPglite,
  importDrizzle,
  seed,
  open,
  migrate: migrateMs,
  ready,
  workload,
  idle,
  afterWorkload,
  sharedBuffers,
};
process.send?.(report);
