import path from "node:path";
import { DatabaseStartError, type DatabaseTarget } from "../db/client.js";
import { redactSecrets } from "../log.js";

/** What every CLI shares: the database main.ts would open, and how a run ends. */

/** The same database main.ts opens, from the two variables that choose it. */
export function databaseTarget(env: NodeJS.ProcessEnv): DatabaseTarget {
  const url = env.DATABASE_URL?.trim();
  if (url) return { kind: "postgres", url, max: 1 };
  return { kind: "pglite", dataDir: path.resolve(env.DATA_DIR?.trim() || "./data", "pglite") };
}

/**
 * Runs a CLI's main: its result is the exit code; an error whose message is the whole story (the
 * database could not be opened, and `expected`) is printed alone, anything else with its stack,
 * secrets redacted.
 */
export function runCli(
  name: string,
  main: () => Promise<number>,
  expected: (abstract new (...args: never[]) => Error)[] = [],
): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const message = [DatabaseStartError, ...expected].some((kind) => error instanceof kind)
        ? (error as Error).message
        : redactSecrets(String((error as Error)?.stack ?? error));
      process.stderr.write(`${name} stopped: ${message}\n`);
      process.exitCode = 1;
    },
  );
}
