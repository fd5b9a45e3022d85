import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { systemClock } from "../clock.js";
import { readVariableFiles } from "../config.js";
import { openDatabase } from "../db/client.js";
import { importCertificateFiles, summaryOf } from "./certificate-files.js";
import { databaseTarget, runCli } from "./run-cli.js";

/**
 * `npm run import-certs -- --client "Acme Ltd" <file-or-folder>…`: tracks certificates certdesk did
 * not order (cli/certificate-files.ts), as `/ssl import` does, for one client per run. Only the
 * database settings are read (NAME_FILE too), so it runs where the Slack tokens are not configured;
 * nothing is posted in Slack (the expiry alerts cover the certificates from the next scan on).
 * Exit code 1 when any file failed (the others are imported all the same).
 */

const USAGE =
  'Usage: npm run import-certs -- --client "<client name>" <file-or-folder>...\n' +
  "Each file holds one certificate (PEM) with its chain; folders are read with their subfolders (.pem, .crt, .cer, .cert).";

async function main(): Promise<number> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  let args: { client?: string; positionals: string[] };
  try {
    const parsed = parseArgs({ options: { client: { type: "string" } }, allowPositionals: true });
    args = { client: parsed.values.client, positionals: parsed.positionals };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 1;
  }
  if (!args.client?.trim() || args.positionals.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  // npm runs scripts from the package root; the paths were typed relative to where the user was.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const paths = args.positionals.map((given) => path.resolve(cwd, given));
  const files = readVariableFiles(process.env, ["DATABASE_URL", "DATA_DIR"]);
  if (files.problems.length > 0) {
    process.stderr.write(`${files.problems.join("\n")}\n`);
    return 1;
  }
  const database = await openDatabase(databaseTarget(files.env));
  try {
    const { results, clientFound } = await importCertificateFiles(database.db, {
      paths,
      clientName: args.client.trim(),
      clock: systemClock,
    });
    if (!clientFound) {
      process.stderr.write(
        `No client named "${args.client.trim()}" (npm run import-clients adds clients).\n`,
      );
      return 1;
    }
    process.stdout.write(summaryOf(results));
    return results.some((result) => result.outcome === "failed") ? 1 : 0;
  } finally {
    await database.close();
  }
}

runCli("import-certs", main);
