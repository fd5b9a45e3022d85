import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildInputsHash } from "../../scripts/build-inputs.mjs";

/**
 * `npm start`'s first step (scripts/build-if-stale.mjs) in a tree without the build tools, as a
 * production install is: it runs what is built when nothing changed, and refuses — never runs old
 * code — when an input changed since the build, however its file times look.
 */

const repo = fileURLToPath(new URL("../..", import.meta.url));

function tree(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "certdesk-stale-"));
  mkdirSync(path.join(dir, "scripts"));
  mkdirSync(path.join(dir, "src", "db", "migrations"), { recursive: true });
  mkdirSync(path.join(dir, "dist"));
  for (const script of ["build-if-stale.mjs", "build-inputs.mjs"]) {
    copyFileSync(path.join(repo, "scripts", script), path.join(dir, "scripts", script));
  }
  writeFileSync(path.join(dir, "src", "main.ts"), "export {};\n");
  writeFileSync(path.join(dir, "src", "db", "migrations", "0000.sql"), "select 1;\n");
  writeFileSync(path.join(dir, "package.json"), "{}\n");
  writeFileSync(path.join(dir, "dist", ".build-stamp"), `${buildInputsHash(dir)}\n`);
  return dir;
}

function start(dir: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, ["scripts/build-if-stale.mjs"], { cwd: dir, encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("npm start's staleness check (no build tools installed)", () => {
  it("runs the build as it is when nothing changed", () => {
    const dir = tree();
    expect(start(dir)).toEqual({ status: 0, output: "" });
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses when a source was edited, added or deleted, or a migration or the package changed", () => {
    const changes: ((dir: string) => void)[] = [
      (dir) => writeFileSync(path.join(dir, "src", "main.ts"), "export const changed = 1;\n"),
      (dir) => writeFileSync(path.join(dir, "src", "new.ts"), "export {};\n"),
      (dir) => rmSync(path.join(dir, "src", "main.ts")),
      (dir) => writeFileSync(path.join(dir, "src", "db", "migrations", "0001.sql"), "select 2;\n"),
      (dir) => writeFileSync(path.join(dir, "package.json"), '{"version":"2"}\n'),
    ];
    for (const change of changes) {
      const dir = tree();
      change(dir);
      const result = start(dir);
      expect(result.status).toBe(1);
      expect(result.output).toContain("the sources changed since dist/ was built");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs what is built in a production tree (no src/), and says to install when nothing is built", () => {
    const dir = tree();
    rmSync(path.join(dir, "src"), { recursive: true });
    expect(start(dir).status).toBe(0);
    rmSync(path.join(dir, "dist"), { recursive: true });
    const missing = start(dir);
    expect(missing.status).toBe(1);
    expect(missing.output).toContain("dist/ is missing");
    rmSync(dir, { recursive: true, force: true });
  });
});
