/**
 * What a build of dist/ was made from: every input file's path, size and modification time, as
 * one hash. `npm start` rebuilds when it differs from the hash the last build wrote into
 * dist/.build-stamp — so an edited, added or deleted source, a changed migration, tsconfig or
 * lock file, and files unpacked with older times (a release archive, rsync -a) all count.
 * Plain JavaScript: scripts/build-if-stale.mjs runs it with node alone.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

export const BUILD_INPUTS = ["src", "scripts/build.ts", "package.json", "package-lock.json", "tsconfig.json"];

export function buildInputsHash(repo) {
  const hash = createHash("sha256");
  const visit = (relative) => {
    const full = path.join(repo, relative);
    if (!existsSync(full)) return;
    const stat = statSync(full);
    if (stat.isDirectory()) {
      for (const name of readdirSync(full).sort()) visit(path.join(relative, name));
    } else {
      hash.update(`${relative}\0${stat.size}\0${Math.trunc(stat.mtimeMs)}\n`);
    }
  };
  for (const input of BUILD_INPUTS) visit(input);
  return hash.digest("hex");
}
