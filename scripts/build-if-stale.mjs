#!/usr/bin/env node
/**
 * `npm start` runs this before the app: dist/ is rebuilt only when a source is newer than the last
 * build (dist/.build-stamp, written by scripts/build.ts), so a start after `git pull` picks up the
 * change and every other start costs a directory walk (a few milliseconds), not a build.
 * Without the build tools (a production install) a stale dist/ is an error, never a silent old run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stamp = path.join(repo, "dist", ".build-stamp");

/** The newest modification time among the files the build reads. */
function newestSource() {
  let newest = 0;
  const visit = (entry) => {
    if (!existsSync(entry)) return;
    const stat = statSync(entry);
    if (stat.isDirectory()) {
      for (const name of readdirSync(entry)) visit(path.join(entry, name));
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  for (const source of ["src", "scripts/build.ts", "package-lock.json"]) visit(path.join(repo, source));
  return newest;
}

const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (builtAt > 0 && (!existsSync(path.join(repo, "src")) || builtAt >= newestSource())) process.exit(0);

const tsx = path.join(repo, "node_modules", ".bin", "tsx");
if (!existsSync(tsx)) {
  console.error(
    builtAt > 0
      ? "certdesk: src/ is newer than dist/, and the build tools are not installed (a production install). Build where the dev dependencies are (npm run build), or run npm install."
      : "certdesk: dist/ is missing and the build tools are not installed: run npm install (it builds).",
  );
  process.exit(1);
}
const built = spawnSync(tsx, ["scripts/build.ts"], { cwd: repo, stdio: "inherit" });
process.exit(built.status ?? 1);
