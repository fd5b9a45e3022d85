/**
 * Open time and memory of the embedded database (PGlite) per option set: how a new data directory
 * gets its files (the seed as PGlite's gzip tarball through `loadDataDir`, as a plain tar, as a data
 * directory copied file by file, or initdb), Postgres settings passed at start (shared_buffers, ...)
 * and node flags. (PGlite's `initialMemory` cannot go below the WASM module's own 128 MB minimum:
 * instantiation fails with a LinkError, so no variant lowers it.)
 * Each sample is a fresh node process (bench/pglite-start-child.ts, compiled, under `npm start`'s
 * node flags plus the variant's) that imports PGlite and drizzle, opens the directory, runs the drizzle
 * migration as certdesk does, then a small workload (DDL, 20,000 inserts (--rows), an index, 500 point
 * reads, an aggregate, a rolled-back update) to show a setting neither breaks Postgres nor slows it
 * down. PGlite runs in this process's main thread here, as in certdesk's worker thread.
 * "fresh" is a new data directory, "restart" reopens one a previous process closed. Variants are
 * interleaved run by run so load on the machine hits them alike; medians are printed.
 *
 * Run: npx tsx bench/pglite-start.ts [runs=5] [--rows 20000] [--only part-of-name,…] [--list]
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { PGlite } from "@electric-sql/pglite";
import { compile } from "../scripts/build.js";
import { ensureSeed } from "../src/db/seed.js";
import { productionNodeFlags } from "../test/support/start-command.js";
import type { PgliteStartJob, PgliteStartReport } from "./pglite-start-child.js";

interface Variant {
  name: string;
  /** How a fresh data directory is made (a restart always opens the existing one). */
  seed: "gzip" | "tar" | "copy" | "initdb";
  settings?: string[];
  nodeFlags?: string[];
  /** PGlite's initialMemory; 128 (MB) or more, see above. */
  initialMemoryMb?: number;
}

/** certdesk's setting (src/db/pglite-worker.ts); PGlite's own default is PostgreSQL's 128MB. */
const CERTDESK = ["shared_buffers=16MB"];
const VARIANTS: Variant[] = [
  { name: "gzip seed, PGlite defaults (128MB)", seed: "gzip" },
  { name: "gzip seed, 16MB (certdesk)", seed: "gzip", settings: CERTDESK },
  { name: "tar seed, 16MB", seed: "tar", settings: CERTDESK },
  { name: "seed dir copy, 16MB", seed: "copy", settings: CERTDESK },
  { name: "seed dir copy, 32MB", seed: "copy", settings: ["shared_buffers=32MB"] },
  { name: "seed dir copy, 8MB", seed: "copy", settings: ["shared_buffers=8MB"] },
  {
    name: "seed dir copy, 16MB, small wal/temp/work mem",
    seed: "copy",
    settings: [
      ...CERTDESK,
      "wal_buffers=512kB",
      "temp_buffers=2MB",
      "work_mem=2MB",
      "maintenance_work_mem=16MB",
    ],
  },
  { name: "seed dir copy, 16MB, liftoff", seed: "copy", settings: CERTDESK, nodeFlags: ["--liftoff-only"] },
  { name: "initdb (no seed), 16MB", seed: "initdb", settings: CERTDESK },
];

const COMPILED = "node_modules/.cache/certdesk-bench-pglite-start";
const args = process.argv.slice(2);
if (args.includes("--list")) {
  for (const variant of VARIANTS) console.log(variant.name);
  process.exit(0);
}
const runs = Number(args.find((arg, index) => /^\d+$/.test(arg) && args[index - 1] !== "--rows") ?? 5);
const onlyArg = args[args.indexOf("--only") + 1];
const only = args.includes("--only") && onlyArg ? onlyArg.split(",") : undefined;
const variants = only ? VARIANTS.filter((v) => only.some((name) => v.name.includes(name))) : VARIANTS;
const rowsArg = args[args.indexOf("--rows") + 1];
const WORKLOAD_ROWS = args.includes("--rows") && rowsArg ? Number(rowsArg) : 20_000;

const root = await mkdtemp(path.join(tmpdir(), "certdesk-pglite-start-"));
const repo = fileURLToPath(new URL("..", import.meta.url));
try {
  const [gzipSeed, flags] = await Promise.all([
    ensureSeed(),
    productionNodeFlags(),
    compile({ entryPoints: ["bench/pglite-start-child.ts"], outdir: COMPILED, outbase: "." }),
  ]);
  // The same seed three ways: PGlite's tar.gz (what certdesk uses), the tar inside it, and the data
  // directory it unpacks to (opened and closed once, as a copy of it would be).
  const tarSeed = path.join(root, "seed.tar");
  await writeFile(tarSeed, gunzipSync(await readFile(gzipSeed)));
  const dirSeed = path.join(root, "seed-dir");
  const unpack = new PGlite({ dataDir: dirSeed, loadDataDir: new Blob([await readFile(gzipSeed)]) });
  await unpack.waitReady;
  await unpack.close();

  const child = fileURLToPath(new URL(`../${COMPILED}/bench/pglite-start-child.js`, import.meta.url));
  const migrationsFolder = path.join(repo, COMPILED, "src/db/migrations");
  const sample = async (variant: Variant, job: PgliteStartJob): Promise<PgliteStartReport> => {
    const worker = fork(child, {
      execArgv: [...flags, ...(variant.nodeFlags ?? [])],
      env: { PATH: process.env.PATH ?? "", PGLITE_START_JOB: JSON.stringify(job) },
    });
    const exited = once(worker, "exit").then(([code]) => {
      throw new Error(`${variant.name}: the child exited (${code}) without a report`);
    });
    const [report] = (await Promise.race([once(worker, "message"), exited])) as [PgliteStartReport];
    await once(worker, "exit").catch(() => {});
    return report;
  };

  const results = new Map(
    variants.map((v) => [v.name, { fresh: [] as PgliteStartReport[], restart: [] as PgliteStartReport[] }]),
  );
  const loadBefore = loadavg()[0] ?? 0;
  for (let run = 0; run < runs; run += 1) {
    for (const variant of variants) {
      const dataDir = path.join(root, `run-${run}`, variant.name.replace(/\W+/g, "-"));
      await mkdir(path.dirname(dataDir), { recursive: true });
      const seedPath = { gzip: gzipSeed, tar: tarSeed, copy: dirSeed, initdb: undefined }[variant.seed];
      const base = {
        dataDir,
        settings: variant.settings ?? [],
        initialMemoryMb: variant.initialMemoryMb,
        migrationsFolder,
        workloadRows: WORKLOAD_ROWS,
      };
      const entry = results.get(variant.name);
      entry?.fresh.push(await sample(variant, { ...base, seed: variant.seed, seedPath }));
      entry?.restart.push(await sample(variant, { ...base, seed: "existing" }));
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  const loadAfter = loadavg()[0] ?? 0;

  const median = (values: number[]) =>
    values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const ms = (reports: PgliteStartReport[], pick: (r: PgliteStartReport) => number) =>
    median(reports.map(pick)).toFixed(0);
  console.log(
    `PGlite open, medians of ${runs} (a fresh node process each); node ${flags.join(" ")}; ` +
      `load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}; ${WORKLOAD_ROWS} rows; Node ${process.version}; ms and MB`,
  );
  const header = [
    "variant",
    "case",
    "seed",
    "open",
    "migrate",
    "ready",
    "workload",
    "RSS idle",
    "RSS after work",
    "peak RSS",
    "heap",
    "external",
    "wasm mem",
    "shared_buffers",
  ];
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  for (const variant of variants) {
    for (const [label, reports] of Object.entries(results.get(variant.name) ?? {})) {
      const row = [
        `${variant.name}${variant.nodeFlags ? ` (${variant.nodeFlags.join(" ")})` : ""}`,
        label,
        ms(reports, (r) => r.seed),
        ms(reports, (r) => r.open),
        ms(reports, (r) => r.migrate),
        ms(reports, (r) => r.ready),
        ms(reports, (r) => r.workload),
        ms(reports, (r) => r.idle.rss),
        ms(reports, (r) => r.afterWorkload.rss),
        ms(reports, (r) => r.afterWorkload.peakRss),
        ms(reports, (r) => r.idle.heapUsed),
        ms(reports, (r) => r.idle.external),
        ms(reports, (r) => r.idle.wasmMemory),
        reports[0]?.sharedBuffers ?? "?",
      ];
      console.log(`| ${row.join(" | ")} |`);
    }
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
