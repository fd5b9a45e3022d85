#!/usr/bin/env node
/**
 * `npm start` runs this before the app: dist/ is rebuilt only when its inputs changed since the
 * last build (scripts/build-inputs.mjs; the hash in dist/.build-stamp), so a start after
 * `git pull` picks up the change and every other start costs a directory walk (milliseconds).
 * A tree without src/ (a production install) runs what it has. Without the build tools, a stale
 * dist/ is an error, never a silent old run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildInputsHash } from "./build-inputs.mjs";

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stamp = path.join(repo, "dist", ".build-stamp");
const built = existsSync(stamp) ? readFileSync(stamp, "utf8").trim() : "";

if (built && !existsSync(path.join(repo, "src"))) process.exit(0);
if (built && built === buildInputsHash(repo)) process.exit(0);

const tsx = path.join(repo, "node_modules", ".bin", "tsx");
if (!existsSync(tsx)) {
  console.error(
    built
      ? "certdesk: the sources changed since dist/ was built, and the build tools are not installed (a production install). Build where the dev dependencies are (npm run build), or run npm install."
      : "certdesk: dist/ is missing and the build tools are not installed: run npm install (it builds).",
  );
  process.exit(1);
}
const run = spawnSync(tsx, ["scripts/build.ts"], { cwd: repo, stdio: "inherit" });
process.exit(run.status ?? 1);
