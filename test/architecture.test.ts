import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The import rules of docs/architecture.md (its folders table), checked on the code itself: a change that
 * breaks them (a view reading the database, the domain importing Slack) fails here with the file
 * and the import, instead of drifting from the table.
 */

const SRC = resolve(import.meta.dirname, "../src");

/** Which of our top-level parts of src/ each part may import (files at the top are parts too). */
const MAY_IMPORT: Record<string, string[]> = {
  domain: [],
  clock: [],
  log: [],
  "in-flight": [],
  // axios's CommonJS copy, the one Bolt loads (src/axios.ts).
  axios: [],
  views: ["domain"],
  certs: ["domain"],
  db: ["domain"],
  config: ["providers", "domain", "checks"],
  // "Will it issue?": DNS and HTTP from outside; knows nothing of orders, Slack or the database.
  checks: ["domain", "axios"],
  // build.ts reads the validated settings' type from config.
  providers: ["domain", "certs", "db", "clock", "config", "axios"],
  orders: ["domain", "db", "providers", "certs", "clock", "checks"],
  slack: ["domain", "views", "orders", "providers", "db", "clock", "config"],
  commands: ["domain", "views", "orders", "providers", "certs", "db", "clock", "config", "slack"],
  jobs: ["domain", "orders", "providers", "db", "clock", "config", "slack"],
  cli: ["domain", "orders", "db", "certs", "clock", "config", "log", "providers"],
  // /metrics and /readyz: prom-client registry per app, the provider wrapper, readiness rules; the
  // other parts never import it (they take small recorder interfaces that app.ts fills from it).
  metrics: ["domain", "db", "orders", "providers", "clock"],
};
/** The composition roots: they wire everything together. */
const ROOTS = new Set(["app", "main", "lifecycle"]);

/** Which Slack packages each part may use; a part not listed may use none. */
const SLACK_PACKAGES: Record<string, string[]> = {
  views: ["@slack/types"],
  commands: ["@slack/bolt", "@slack/types", "@slack/logger"],
  slack: ["@slack/web-api", "@slack/types", "@slack/logger"],
  jobs: ["@slack/logger"],
  log: ["@slack/logger"],
  app: ["@slack/bolt", "@slack/logger"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "migrations" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function partOf(path: string): string {
  const [first] = relative(SRC, path).split("/");
  return (first ?? "").replace(/\.(ts|js)$/, "");
}

function importsOf(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((match) => match[1] ?? "");
}

const files = sourceFiles(SRC);

describe("architecture", () => {
  it("knows every part of src/", () => {
    const parts = new Set(files.map(partOf));
    const unknown = [...parts].filter((part) => !(part in MAY_IMPORT) && !ROOTS.has(part));
    expect(unknown).toEqual([]);
  });

  it("keeps each part to the imports the Architecture table allows", () => {
    const broken: string[] = [];
    for (const file of files) {
      const from = partOf(file);
      if (ROOTS.has(from)) continue;
      for (const specifier of importsOf(file).filter((spec) => spec.startsWith("."))) {
        const to = partOf(resolve(dirname(file), specifier));
        if (to !== from && !MAY_IMPORT[from]?.includes(to)) {
          broken.push(`${relative(SRC, file)} imports ${specifier} (${from} may not import ${to})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("lets only the Slack module hold a Web API client, and keeps Slack out of the domain", () => {
    const broken: string[] = [];
    for (const file of files) {
      const from = partOf(file);
      for (const specifier of importsOf(file).filter((spec) => spec.startsWith("@slack/"))) {
        const allowed = SLACK_PACKAGES[from] ?? [];
        if (!allowed.some((name) => specifier === name || specifier.startsWith(`${name}/`))) {
          broken.push(`${relative(SRC, file)} imports ${specifier}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("loads one copy of axios: values come from src/axios.ts, only types from the package", () => {
    const importing = files
      .filter((file) => /^import (?!type )[^;]*from "axios";/m.test(readFileSync(file, "utf8")))
      .map((file) => relative(SRC, file));
    expect(importing).toEqual([]);
  });

  it("has views import nothing of ours but the domain and other views", () => {
    // Already covered by the table; said on its own because it is the rule most easily broken.
    const views = files.filter((file) => partOf(file) === "views");
    expect(views.length).toBeGreaterThan(10);
    const reaching = views.flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith("../") && !spec.startsWith("../domain/"))
        .map((spec) => `${relative(SRC, file)} imports ${spec}`),
    );
    expect(reaching).toEqual([]);
  });

  it("keeps no mutable state at module level, so test files can share a worker (isolate: false)", () => {
    // Module-level `let`s and collections made empty to be filled outlive one app: a second app in
    // the same process (a replica in a test, the next test file in the worker) would see the first
    // one's state. Constant lookup sets (`new Set([...])`) are fine. Allowed, with the reason:
    const allowed = new Set([
      "views/countries.ts: let groups", // the country list, computed once: the same for every app
      "db/data-dir-lock.ts: const heldHere", // directories this process holds: process-wide by design
      "views/date-formats.ts: const FORMATS", // Intl formatters, immutable once made: the same for every app
      "orders/clients.ts: const CLIENT_BY_NAME", // keyed by each app's own database object: nothing shared
    ]);
    const stateful = files.flatMap((file) =>
      [
        ...readFileSync(file, "utf8").matchAll(
          /^(?:export )?(let \w+|const \w+)(?::[^=]+)? = new (?:Map|WeakMap|Set)(?:<[^>]*>)?\(\)/gm,
        ),
      ]
        .map((match) => `${relative(SRC, file)}: ${match[1]}`)
        .filter((found) => !allowed.has(found)),
    );
    const lets = files.flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/^(?:export )?(let \w+)/gm)]
        .map((match) => `${relative(SRC, file)}: ${match[1]}`)
        .filter((found) => !allowed.has(found)),
    );
    expect([...stateful, ...lets]).toEqual([]);
  });
});
