import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { readVariableFiles } from "../config.js";
import { openDatabase } from "../db/client.js";
import { CSV_COLUMNS, type ImportResult, importClients } from "../orders/client-import.js";
import { databaseTarget, runCli } from "./run-cli.js";

/**
 * `npm run import-clients -- clients.csv`: imports or updates client accounts from a CSV file.
 * Only the database settings are read, so it runs where the Slack tokens are not configured.
 * Exit code 1 when any row failed (the good rows are imported all the same).
 */

const USAGE = `Usage: npm run import-clients -- clients.csv\nThe first line must be the header: ${CSV_COLUMNS.join(",")}`;

async function main(): Promise<number> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const file = process.argv[2];
  if (!file) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  // npm runs scripts from the package root; the file name was typed relative to where the user was.
  const csvPath = path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
  let csv: Buffer;
  try {
    csv = await readFile(csvPath);
  } catch (error) {
    process.stderr.write(`Cannot read ${csvPath}: ${(error as Error).message}\n`);
    return 1;
  }
  // NAME_FILE as the app reads it (compose secrets, systemd credentials): the same database.
  const files = readVariableFiles(process.env, ["DATABASE_URL", "DATA_DIR"]);
  if (files.problems.length > 0) {
    process.stderr.write(`${files.problems.join("\n")}\n`);
    return 1;
  }
  const database = await openDatabase(databaseTarget(files.env));
  try {
    const result = await importClients(database.db, csv);
    process.stdout.write(summary(result, path.basename(csvPath)));
    return result.errors.length > 0 ? 1 : 0;
  } finally {
    await database.close();
  }
}

function summary(result: ImportResult, fileName: string): string {
  const lines = [
    `${fileName}: ${result.imported} client${result.imported === 1 ? "" : "s"} imported, ${result.updated} updated, ` +
      `${result.errors.length} row${result.errors.length === 1 ? "" : "s"} failed.`,
    ...result.errors.map((error) => `line ${error.line}: ${error.message}`),
  ];
  return `${lines.join("\n")}\n`;
}

runCli("import-clients", main);
