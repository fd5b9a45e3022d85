import { existsSync } from "node:fs";
import {
  and,
  asc,
  eq,
  getTableColumns,
  getTableName,
  gt,
  isNotNull,
  like,
  notLike,
  type SQL,
  sql,
} from "drizzle-orm";
import { createVault, keyIdOf, type Vault, VaultError } from "../certs/vault.js";
import { loadVaultKeys } from "../certs/vault-keys.js";
import { readVariableFiles } from "../config.js";
import { type Database, openDatabase } from "../db/client.js";
import { ENCRYPTED_COLUMNS, type EncryptedColumn } from "../db/encrypted-columns.js";
import { databaseTarget, runCli } from "./run-cli.js";

/**
 * `npm run rotate-key`: re-encrypts every stored secret (ENCRYPTED_COLUMNS) with CERTDESK_KEY, reading
 * the old ciphertexts with CERTDESK_OLD_KEYS and DATA_DIR/certdesk.key. Only the database and key
 * variables are read, so it runs where the Slack tokens are not configured. Each row is written back
 * only if it still holds the ciphertext that was read, so a replica writing meanwhile is never
 * overwritten; rows already under CERTDESK_KEY are not touched, so a second run changes nothing.
 * Exit code 1 when any row could not be decrypted (the others are re-encrypted all the same).
 */

const USAGE = `Usage: CERTDESK_KEY=<new key> CERTDESK_OLD_KEYS=<old key>[,<older key>…] npm run rotate-key

Re-encrypts every stored private key with CERTDESK_KEY (required: the new key, 32 random bytes in
base64, e.g. from "openssl rand -base64 32"). Old ciphertexts are decrypted with CERTDESK_OLD_KEYS
and with DATA_DIR/certdesk.key when that file exists. The database is DATABASE_URL, or the embedded
one in DATA_DIR/pglite: stop certdesk before rotating an embedded database.
Start every replica with the same CERTDESK_KEY and CERTDESK_OLD_KEYS first, so nothing new is
written under an old key; once this reports 0 failed, the old keys can be removed.`;

const BATCH_SIZE = 500;
/** Failed rows listed per column; the rest are counted. */
const LISTED_FAILURES = 20;

interface ColumnResult {
  label: string;
  reencrypted: number;
  alreadyCurrent: number;
  /** Rows rewritten by another process between our read and our write: left as that process wrote them. */
  changedMeanwhile: number;
  failed: number;
  /** The first LISTED_FAILURES failed rows, with why. */
  listed: { id: unknown; reason: string }[];
  /** Rows per key id that is not configured: the keys to look for. */
  unknownKeyIds: Map<string, number>;
}

async function main(): Promise<number> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  // NAME_FILE as the app reads it (compose secrets, systemd credentials): the same database and keys.
  const files = readVariableFiles(process.env, [
    "DATABASE_URL",
    "DATA_DIR",
    "CERTDESK_KEY",
    "CERTDESK_OLD_KEYS",
  ]);
  if (files.problems.length > 0) {
    process.stderr.write(`${files.problems.join("\n")}\n`);
    return 1;
  }
  const env = files.env;
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const certdeskKey = env.CERTDESK_KEY?.trim();
  if (!certdeskKey) {
    process.stderr.write(`CERTDESK_KEY is not set: it must be the new key to re-encrypt with.\n\n${USAGE}\n`);
    return 1;
  }
  const keys = await loadVaultKeys({
    certdeskKey,
    oldKeys: (env.CERTDESK_OLD_KEYS ?? "")
      .split(",")
      .map((key) => key.trim())
      .filter(Boolean),
    dataDir: env.DATA_DIR?.trim() || "./data",
    warn: (message) => process.stderr.write(`Warning: ${message}\n`),
  });
  const keyIds = keys.map(keyIdOf);
  const [current, ...old] = keyIds;
  process.stdout.write(
    `Re-encrypting with key id ${current}; ` +
      (old.length > 0 ? `decrypting with key ids ${old.join(", ")} too.\n` : "no old keys are configured.\n"),
  );

  const vault = createVault({ keys });
  const database = await openDatabase(databaseTarget(env));
  try {
    const results: ColumnResult[] = [];
    for (const column of ENCRYPTED_COLUMNS) {
      const result = await rotateColumn(database.db, column, vault, keyIds);
      process.stdout.write(report(result));
      results.push(result);
    }
    process.stdout.write(conclusion(results));
    return results.some((result) => result.failed > 0) ? 1 : 0;
  } finally {
    await database.close();
  }
}

/**
 * Walks the rows not under the current key in id order, one batch at a time: a row that fails stays
 * behind the cursor, so it is reported once and never read again in this run.
 */
async function rotateColumn(
  db: Database,
  column: EncryptedColumn,
  vault: Vault,
  keyIds: string[],
): Promise<ColumnResult> {
  const { table, id, encrypted } = column;
  const current = `v1.${keyIds[0]}.%`;
  const configuredKeyIds = new Set(keyIds);
  const [counted] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(table)
    .where(like(encrypted, current));
  const result: ColumnResult = {
    label: `${getTableName(table)}.${encrypted.name}`,
    reencrypted: 0,
    alreadyCurrent: Number(counted?.count ?? 0),
    changedMeanwhile: 0,
    failed: 0,
    listed: [],
    unknownKeyIds: new Map(),
  };
  const property = propertyOf(column);

  let after: unknown;
  for (;;) {
    const conditions: SQL[] = [isNotNull(encrypted), notLike(encrypted, current)];
    if (after !== undefined) conditions.push(gt(id, after));
    const batch = (await db
      .select({ id, sealed: encrypted })
      .from(table)
      .where(and(...conditions))
      .orderBy(asc(id))
      .limit(BATCH_SIZE)) as { id: unknown; sealed: string }[];
    const rewrites: { id: unknown; sealed: string; resealed: string }[] = [];
    for (const row of batch) {
      try {
        rewrites.push({ ...row, resealed: vault.encrypt(vault.decrypt(row.sealed)) });
      } catch (error) {
        if (!(error instanceof VaultError)) throw error;
        recordFailure(result, row, error, configuredKeyIds);
      }
    }
    // One commit per batch rather than per row (a flush each); the row locks last only for the batch.
    const written = await (rewrites.length === 0
      ? 0
      : db.transaction(async (tx) => {
          let count = 0;
          for (const rewrite of rewrites) {
            const updated = await tx
              .update(table)
              .set({ [property]: rewrite.resealed } as never)
              .where(and(eq(id, rewrite.id), eq(encrypted, rewrite.sealed)))
              .returning({ id });
            count += updated.length;
          }
          return count;
        }));
    result.reencrypted += written;
    result.changedMeanwhile += rewrites.length - written;
    if (batch.length < BATCH_SIZE) return result;
    after = batch.at(-1)?.id;
  }
}

/** The key drizzle's `set` expects for the encrypted column (its TypeScript name, not its SQL name). */
function propertyOf(column: EncryptedColumn): string {
  const entry = Object.entries(getTableColumns(column.table)).find(([, value]) => value === column.encrypted);
  if (!entry) throw new Error(`${column.encrypted.name} is not a column of ${getTableName(column.table)}`);
  return entry[0];
}

function recordFailure(
  result: ColumnResult,
  row: { id: unknown; sealed: string },
  error: VaultError,
  configuredKeyIds: ReadonlySet<string>,
): void {
  result.failed += 1;
  const [version, keyId] = row.sealed.split(".");
  const unknownKey =
    version === "v1" && keyId !== undefined && /^[0-9a-f]{16}$/.test(keyId) && !configuredKeyIds.has(keyId);
  if (unknownKey) result.unknownKeyIds.set(keyId, (result.unknownKeyIds.get(keyId) ?? 0) + 1);
  if (result.listed.length < LISTED_FAILURES) {
    // VaultError messages hold no key material, plaintext or ciphertext.
    result.listed.push({
      id: row.id,
      reason: unknownKey ? `encrypted with key id ${keyId}, which is not configured` : error.message,
    });
  }
}

function report(result: ColumnResult): string {
  const table = result.label.split(".")[0];
  const lines = [
    `${result.label}: ${result.reencrypted} re-encrypted, ${result.alreadyCurrent} already current, ` +
      `${result.failed} failed.`,
    ...result.listed.map((failure) => `  ${table} id ${String(failure.id)}: ${failure.reason}`),
  ];
  if (result.failed > result.listed.length) {
    lines.push(`  … and ${result.failed - result.listed.length} more failed rows in ${table}.`);
  }
  for (const [keyId, rows] of result.unknownKeyIds) {
    lines.push(`  key id ${keyId} (not configured): ${rows} row${rows === 1 ? "" : "s"}.`);
  }
  if (result.changedMeanwhile > 0) {
    lines.push(
      `  ${result.changedMeanwhile} row${result.changedMeanwhile === 1 ? " was" : "s were"} changed by another ` +
        "process while being re-encrypted and left as that process wrote them: run again to check them.",
    );
  }
  return `${lines.join("\n")}\n`;
}

function conclusion(results: ColumnResult[]): string {
  const failed = results.reduce((sum, result) => sum + result.failed, 0);
  const meanwhile = results.reduce((sum, result) => sum + result.changedMeanwhile, 0);
  if (failed > 0) {
    return (
      `${failed} secret${failed === 1 ? "" : "s"} could not be re-encrypted (see above). ` +
      "For a key id that is not configured, find the key whose id it is (the first 16 characters of " +
      "`printf %s KEY | base64 -d | sha256sum`), add it to CERTDESK_OLD_KEYS and run again. " +
      "Keep the old keys configured until this reports 0 failed.\n"
    );
  }
  if (meanwhile > 0) return "0 failed, but rows changed meanwhile: run again before removing any old key.\n";
  return "0 failed: every stored secret is under CERTDESK_KEY, so the old keys can be removed from CERTDESK_OLD_KEYS.\n";
}

runCli("rotate-key", main, [VaultError]);
