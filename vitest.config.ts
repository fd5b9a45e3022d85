import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Test files share a worker process one after another instead of each starting a new one
    // (node, the module graph and PGlite's WASM again): most of what a file cost was that start.
    // Files still get their own apps and emptied databases (test/support/database.ts), and src
    // keeps no module-level state that could leak between files (test/architecture.test.ts).
    isolate: false,
    // vitest's default (one fewer than the cores) is a single worker on CI's 2-core machines; the
    // tests wait on sockets and child processes often enough that one per core is the right count.
    maxWorkers: Math.max(2, availableParallelism()),
    // The migrated empty database every test database starts from, made once.
    globalSetup: ["test/support/global-setup.ts"],
  },
});
