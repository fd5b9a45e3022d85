import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/** Always safe to show: messages never hold key material, plaintext or ciphertext. */
export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VaultError";
  }
}

export interface Vault {
  encrypt(plaintext: string): string;
  decrypt(ciphertext: string): string;
}

export interface LoadedKeyFile {
  key: Buffer;
  created: boolean;
  path: string;
}

const FORMAT_VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_FILE_NAME = "certdesk.key";

/** keys[0] encrypts; every key decrypts, so old keys stay usable after a rotation. */
export function createVault(options: { keys: Buffer[] }): Vault {
  const [currentKey] = options.keys;
  if (!currentKey) throw new VaultError("No encryption key configured: set CERTDESK_KEY.");
  for (const key of options.keys) assertKeyLength(key);
  const keysById = new Map(options.keys.map((key) => [keyIdOf(key), key]));
  const currentKeyId = keyIdOf(currentKey);

  return {
    encrypt(plaintext) {
      const header = `${FORMAT_VERSION}.${currentKeyId}`;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", currentKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(header));
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [header, iv, cipher.getAuthTag(), ciphertext].map(encodePart).join(".");
    },
    decrypt(sealed) {
      const { header, keyId, iv, tag, ciphertext } = splitSealed(sealed);
      const key = keysById.get(keyId);
      if (!key) {
        throw new VaultError(
          `A stored private key was encrypted with key id ${keyId}, which is not configured: ` +
            "set CERTDESK_KEY to it, or add it to CERTDESK_OLD_KEYS if it is an earlier key " +
            "(a key's id is the first 16 characters of `printf %s KEY | base64 -d | sha256sum`).",
        );
      }
      return openSealed(key, { header, iv, tag, ciphertext });
    },
  };
}

/** The first 16 hex characters of SHA-256(key): names a key without revealing it. */
export function keyIdOf(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

export function parseVaultKey(base64: string): Buffer {
  const text = base64.trim();
  const key = Buffer.from(text, "base64");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== KEY_BYTES) {
    throw new VaultError(
      `CERTDESK_KEY must be ${KEY_BYTES} random bytes in base64 (44 characters, e.g. the output of ` +
        `\`openssl rand -base64 32\`); the value given is ${text.length} characters long and is not that.`,
    );
  }
  return key;
}

/** Where the generated key lives in a data directory. */
export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, KEY_FILE_NAME);
}

/** The key file in `dataDir` if there is one; never creates it. */
export async function readExistingKeyFile(dataDir: string): Promise<LoadedKeyFile | undefined> {
  const keyPath = keyFilePath(dataDir);
  const key = await readKeyFile(keyPath);
  return key ? { key, created: false, path: keyPath } : undefined;
}

/** Never overwrites or deletes an existing file: losing the key loses every stored private key. */
export async function loadOrCreateKeyFile(dataDir: string): Promise<LoadedKeyFile> {
  const keyPath = keyFilePath(dataDir);
  const existing = await readKeyFile(keyPath);
  if (existing) return { key: existing, created: false, path: keyPath };
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  try {
    await writeFile(keyPath, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if (errorCode(error) === "EEXIST") return loadOrCreateKeyFile(dataDir);
    throw new VaultError(
      `Could not create the key file ${keyPath} (${errorCode(error) ?? "write failed"}). ` +
        "Make the data directory writable, or set CERTDESK_KEY instead.",
    );
  }
  return { key, created: true, path: keyPath };
}

async function readKeyFile(keyPath: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(keyPath, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw new VaultError(
      `Could not read the key file ${keyPath} (${errorCode(error) ?? "read failed"}). ` +
        "Check its permissions, or set CERTDESK_KEY to the same key.",
    );
  }
  try {
    return parseVaultKey(text);
  } catch {
    throw new VaultError(
      `The key file ${keyPath} does not hold a valid key (${KEY_BYTES} bytes in base64). It was left untouched. ` +
        "Restore it from a backup, or set CERTDESK_KEY to the original key; do not delete it, " +
        "because the stored private keys cannot be decrypted without that key.",
    );
  }
}

interface SealedParts {
  header: string;
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function splitSealed(sealed: string): SealedParts {
  const parts = sealed.split(".");
  const [version, keyId, iv, tag, ciphertext] = parts;
  if (
    parts.length !== 5 ||
    version !== FORMAT_VERSION ||
    !keyId ||
    !/^[0-9a-f]{16}$/.test(keyId) ||
    iv === undefined ||
    tag === undefined ||
    ciphertext === undefined
  ) {
    throw new VaultError(
      "A stored private key is not in the vault format (v1.<keyId>.<iv>.<tag>.<ciphertext>); " +
        "the database value was altered or truncated. Check the row; CERTDESK_KEY is not the cause.",
    );
  }
  return {
    header: `${version}.${keyId}`,
    keyId,
    iv: Buffer.from(iv, "base64url"),
    tag: Buffer.from(tag, "base64url"),
    ciphertext: Buffer.from(ciphertext, "base64url"),
  };
}

function openSealed(key: Buffer, sealed: Omit<SealedParts, "keyId">): string {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(sealed.header));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new VaultError(
      "A stored private key failed its integrity check: the encrypted value was modified or corrupted. " +
        "CERTDESK_KEY is the right key for it (the key id matches), so check the database row and restore " +
        "it from a backup.",
    );
  }
}

function encodePart(part: string | Buffer): string {
  return typeof part === "string" ? part : part.toString("base64url");
}

function assertKeyLength(key: Buffer): void {
  if (key.length !== KEY_BYTES) {
    throw new VaultError(
      `A vault key is ${key.length} bytes; CERTDESK_KEY must decode to ${KEY_BYTES} bytes (base64 of 32 random bytes).`,
    );
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}
