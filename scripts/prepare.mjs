#!/usr/bin/env node
/**
 * `npm install` / `npm ci` run this (package.json "prepare"). With the dev dependencies installed
 * it builds dist/ (scripts/build.ts: esbuild, about a second) and the PGlite seed. Without them
 * (`npm ci --omit=dev` on a tree that was built before, as the container image does) it only makes
 * the seed from the built dist/, with node alone: production needs no build tools.
 * Plain JavaScript on purpose: tsx is a dev dependency.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tsx = path.join(repo, "node_modules", ".bin", "tsx");

if (existsSync(tsx) && existsSync(path.join(repo, "src"))) {
  const built = spawnSync(tsx, ["scripts/build.ts"], { cwd: repo, stdio: "inherit" });
  process.exit(built.status ?? 1);
}
const seed = path.join(repo, "dist", "db", "seed.js");
if (existsSync(seed)) {
  const { ensureSeed } = await import(pathToFileURL(seed).href);
  await ensureSeed();
} else {
  console.error(
    "certdesk: no dist/ and no build tools (npm ci --omit=dev): run `npm run build` where the dev dependencies are installed.",
  );
  process.exit(1);
}
