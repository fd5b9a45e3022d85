/**
 * Compiles src/ to dist/ for `npm start`: plain JavaScript run by node, without tsx's loader, which
 * costs about 95 MB of RSS in a long-running process (Node 20 runs loader hooks in a second thread
 * with its own heap) and transforms every module at each start. One file per module, not a bundle,
 * so stack traces name the same files as the sources. Takes about a second.
 */
import { cp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { ensureSeed } from "../src/db/seed.js";
import { buildInputsHash } from "./build-inputs.mjs";

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Compiles `entryPoints` (globs relative to the repository) into `outdir`, keeping src/'s layout below `outbase`. */
export async function compile(options: { entryPoints: string[]; outdir: string; outbase: string }) {
  const outdir = path.resolve(repo, options.outdir);
  await rm(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: repo,
    entryPoints: options.entryPoints,
    outbase: options.outbase,
    outdir,
    platform: "node",
    format: "esm",
    // 20.10 is the first Node 20 with import attributes (the country names JSON).
    target: "node20.10",
    sourcemap: true,
    logLevel: "warning",
  });
  // The migrator reads the committed SQL migrations from beside the compiled db client.
  const srcOut = path.join(outdir, path.relative(options.outbase, "src"));
  await cp(path.join(repo, "src/db/migrations"), path.join(srcOut, "db/migrations"), { recursive: true });
  // What `npm start` compares the sources with (scripts/build-if-stale.mjs).
  await writeFile(path.join(outdir, ".build-stamp"), `${buildInputsHash(repo)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await compile({ entryPoints: ["src/**/*.ts"], outdir: "dist", outbase: "src" });
  // A new DATA_DIR then starts from the migrated empty database instead of initdb (src/db/seed.ts).
  await ensureSeed();
}
