import { stat } from "node:fs/promises";
import path from "node:path";
import {
  keyFilePath,
  keyIdOf,
  loadOrCreateKeyFile,
  parseVaultKey,
  readExistingKeyFile,
  VaultError,
} from "./vault.js";

/** The settings that choose the vault's keys, as plain values so scripts can pass them without a Config. */
export interface VaultKeySources {
  /** CERTDESK_KEY (base64), when set. */
  certdeskKey?: string;
  /** CERTDESK_OLD_KEYS (base64 each). */
  oldKeys: string[];
  /** DATA_DIR, home of the generated key file. */
  dataDir: string;
  warn(message: string): void;
}

/**
 * The keys for `createVault`: the current key first, then every key that only decrypts.
 *
 * - CERTDESK_KEY set: it is current; CERTDESK_OLD_KEYS follow, and so does `DATA_DIR/certdesk.key`
 *   when it exists and holds another key, so an embedded-database install that moves to
 *   CERTDESK_KEY still reads what the generated key encrypted.
 * - CERTDESK_KEY unset: the key file is current (generated on first start), then CERTDESK_OLD_KEYS.
 *
 * A key file that other users can read is reported through `warn`; duplicates are dropped.
 */
export async function loadVaultKeys(sources: VaultKeySources): Promise<Buffer[]> {
  const dataDir = path.resolve(sources.dataDir);
  const oldKeys = sources.oldKeys.map((value, index) => parseOldKey(value, index, sources.oldKeys.length));
  let keys: Buffer[];
  if (sources.certdeskKey) {
    const current = parseVaultKey(sources.certdeskKey);
    const fileKey = await readFileKeyBesideCertdeskKey(dataDir, sources.warn);
    keys = [current, ...oldKeys, ...(fileKey ? [fileKey] : [])];
  } else {
    const { key, created, path: keyPath } = await loadOrCreateKeyFile(dataDir);
    if (created) {
      sources.warn(
        `CERTDESK_KEY is not set: generated a key-encryption key in ${keyPath} (mode 0600). ` +
          "Back it up, and keep that copy apart from the database backups: without it the stored private keys cannot be decrypted; with both, anyone can.",
      );
    }
    keys = [key, ...oldKeys];
  }
  await warnIfExposed(keyFilePath(dataDir), sources.warn);
  return withoutDuplicates(keys);
}

function parseOldKey(value: string, index: number, count: number): Buffer {
  try {
    return parseVaultKey(value);
  } catch {
    throw new VaultError(
      `CERTDESK_OLD_KEYS entry ${index + 1} of ${count} is not a key: each entry must be a former ` +
        "CERTDESK_KEY (32 bytes in base64, 44 characters), separated by commas.",
    );
  }
}

/**
 * With CERTDESK_KEY set the key file is only a decryption key, so a file that cannot be read or
 * parsed is reported and skipped rather than stopping the start: CERTDESK_KEY is what counts.
 */
async function readFileKeyBesideCertdeskKey(
  dataDir: string,
  warn: (message: string) => void,
): Promise<Buffer | undefined> {
  try {
    return (await readExistingKeyFile(dataDir))?.key;
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    warn(
      `${error.message} CERTDESK_KEY is set, so certdesk starts without it; private keys it encrypted ` +
        "cannot be decrypted until it is readable again.",
    );
    return undefined;
  }
}

/** Group or other bits on the key file: anyone able to read it can decrypt every stored private key. */
async function warnIfExposed(keyPath: string, warn: (message: string) => void): Promise<void> {
  if (process.platform === "win32") return;
  let mode: number;
  try {
    mode = (await stat(keyPath)).mode & 0o777;
  } catch {
    return;
  }
  if ((mode & 0o077) === 0) return;
  const access = mode & 0o044 ? "readable" : "writable";
  warn(
    `${keyPath} is ${access} by other users (mode ${mode.toString(8).padStart(4, "0")}): ` +
      `run chmod 600 ${keyPath}. Anyone who can read it can decrypt the stored private keys.`,
  );
}

function withoutDuplicates(keys: Buffer[]): Buffer[] {
  const seen = new Set<string>();
  return keys.filter((key) => {
    const id = keyIdOf(key);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
