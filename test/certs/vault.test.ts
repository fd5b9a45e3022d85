import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  createVault,
  keyIdOf,
  loadOrCreateKeyFile,
  parseVaultKey,
  VaultError,
} from "../../src/certs/vault.js";

const PLAINTEXT =
  "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";

function caught(action: () => unknown): VaultError {
  try {
    action();
  } catch (error) {
    if (error instanceof VaultError) return error;
    throw error;
  }
  throw new Error("expected a VaultError");
}

function expectNoSecrets(error: VaultError, secrets: string[]): void {
  const renderings = [String(error), error.message, JSON.stringify(error), error.stack ?? ""];
  for (const secret of secrets) {
    for (const rendering of renderings) expect(rendering).not.toContain(secret);
  }
}

function replacePart(sealed: string, index: number, replace: (part: string) => string): string {
  return sealed
    .split(".")
    .map((part, i) => (i === index ? replace(part) : part))
    .join(".");
}

function flipFirstCharacter(part: string): string {
  return `${part[0] === "A" ? "B" : "A"}${part.slice(1)}`;
}

describe("createVault", () => {
  it("round-trips text in the v1.<keyId>.<iv>.<tag>.<ct> format with a fresh IV each time", () => {
    const key = randomBytes(32);
    const vault = createVault({ keys: [key] });

    const first = vault.encrypt(PLAINTEXT);
    const second = vault.encrypt(PLAINTEXT);

    expect(first).toMatch(/^v1\.[0-9a-f]{16}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(first.split(".")[1]).toBe(keyIdOf(key));
    expect(first).not.toBe(second);
    expect(vault.decrypt(first)).toBe(PLAINTEXT);
    expect(vault.decrypt(second)).toBe(PLAINTEXT);
  });

  it("encrypts with the newest key and still decrypts with old keys after a rotation", () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const sealedBeforeRotation = createVault({ keys: [oldKey] }).encrypt(PLAINTEXT);
    const rotated = createVault({ keys: [newKey, oldKey] });

    const sealedAfterRotation = rotated.encrypt(PLAINTEXT);

    expect(rotated.decrypt(sealedBeforeRotation)).toBe(PLAINTEXT);
    expect(sealedAfterRotation.split(".")[1]).toBe(keyIdOf(newKey));
    expect(createVault({ keys: [newKey] }).decrypt(sealedAfterRotation)).toBe(PLAINTEXT);
    expect(() => createVault({ keys: [oldKey] }).decrypt(sealedAfterRotation)).toThrow(VaultError);
  });

  it.each([
    ["iv", 2],
    ["tag", 3],
    ["ciphertext", 4],
  ])("refuses a value whose %s was tampered with", (_part, index) => {
    const key = randomBytes(32);
    const vault = createVault({ keys: [key] });
    const sealed = vault.encrypt(PLAINTEXT);

    const error = caught(() => vault.decrypt(replacePart(sealed, index, flipFirstCharacter)));

    expect(error.message).toMatch(/integrity check/);
    expect(error.message).toContain("CERTDESK_KEY");
    expectNoSecrets(error, [key.toString("base64"), key.toString("hex"), PLAINTEXT, sealed]);
  });

  it("refuses a value whose key id was swapped for another configured key", () => {
    const [first, second] = [randomBytes(32), randomBytes(32)];
    const vault = createVault({ keys: [first, second] });
    const sealed = vault.encrypt(PLAINTEXT);

    expect(() => vault.decrypt(replacePart(sealed, 1, () => keyIdOf(second)))).toThrow(/integrity check/);
  });

  it("refuses a value sealed with a key that is not configured, without leaking anything", () => {
    const rightKey = randomBytes(32);
    const wrongKey = randomBytes(32);
    const sealed = createVault({ keys: [rightKey] }).encrypt(PLAINTEXT);

    const error = caught(() => createVault({ keys: [wrongKey] }).decrypt(sealed));

    expect(error.message).toContain("CERTDESK_KEY");
    expect(error.message).toContain(keyIdOf(rightKey));
    expect(error.message).toMatch(/not configured/);
    expectNoSecrets(error, [
      rightKey.toString("base64"),
      wrongKey.toString("base64"),
      rightKey.toString("hex"),
      wrongKey.toString("hex"),
      PLAINTEXT,
      sealed,
      sealed.split(".")[4] ?? "",
    ]);
  });

  it("decrypts what any configured old key encrypted, and encrypts only with the first key", () => {
    const [current, older, oldest] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const underOlder = createVault({ keys: [older] }).encrypt(`${PLAINTEXT}older`);
    const underOldest = createVault({ keys: [oldest] }).encrypt(`${PLAINTEXT}oldest`);
    const vault = createVault({ keys: [current, older, oldest] });

    expect(vault.decrypt(underOlder)).toBe(`${PLAINTEXT}older`);
    expect(vault.decrypt(underOldest)).toBe(`${PLAINTEXT}oldest`);
    expect(vault.encrypt(PLAINTEXT).split(".")[1]).toBe(keyIdOf(current));
  });

  it("names the unknown key id and CERTDESK_OLD_KEYS, and no key bytes, when the key is not configured", () => {
    const formerKey = randomBytes(32);
    const [current, other] = [randomBytes(32), randomBytes(32)];
    const sealed = createVault({ keys: [formerKey] }).encrypt(PLAINTEXT);

    const error = caught(() => createVault({ keys: [current, other] }).decrypt(sealed));

    expect(error.message).toContain(`key id ${keyIdOf(formerKey)}, which is not configured`);
    expect(error.message).toContain("set CERTDESK_KEY to it, or add it to CERTDESK_OLD_KEYS");
    expectNoSecrets(
      error,
      [formerKey, current, other].flatMap((key) => [
        key.toString("base64"),
        key.toString("base64url"),
        key.toString("hex"),
      ]),
    );
  });

  it("refuses a value that is not in the vault format", () => {
    const vault = createVault({ keys: [randomBytes(32)] });

    for (const value of [
      "",
      "plain text",
      "v2.0123456789abcdef.a.b.c",
      "v1.nothex.a.b.c",
      "v1.0123456789abcdef.a.b",
    ]) {
      expect(() => vault.decrypt(value)).toThrow(/not in the vault format/);
    }
  });

  it("refuses keys that are not 32 bytes and an empty key list", () => {
    expect(() => createVault({ keys: [] })).toThrow(VaultError);
    expect(() => createVault({ keys: [randomBytes(16)] })).toThrow(/32 bytes/);
  });
});

describe("parseVaultKey", () => {
  it("accepts 32 bytes of base64, surrounding whitespace included", () => {
    const key = randomBytes(32);

    expect(parseVaultKey(` ${key.toString("base64")}\n`)).toEqual(key);
  });

  it.each([
    ["16 bytes", randomBytes(16).toString("base64")],
    ["64 bytes", randomBytes(64).toString("base64")],
    ["not base64", "this is not a key at all!!!"],
    ["empty", ""],
  ])("refuses %s with a message that names CERTDESK_KEY but not the value", (_case, value) => {
    const error = caught(() => parseVaultKey(value));

    expect(error.message).toContain("CERTDESK_KEY");
    expect(error.message).toContain("32");
    if (value) expectNoSecrets(error, [value]);
  });
});

describe("loadOrCreateKeyFile", () => {
  it("creates a 0600 key file in a new 0700 directory, then reuses it", async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), "certdesk-vault-")), "data");

    const created = await loadOrCreateKeyFile(dataDir);
    const reused = await loadOrCreateKeyFile(dataDir);

    expect(created.created).toBe(true);
    expect(created.path).toBe(path.join(dataDir, "certdesk.key"));
    expect(created.key).toHaveLength(32);
    expect(statSync(created.path).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(parseVaultKey(readFileSync(created.path, "utf8"))).toEqual(created.key);
    expect(reused).toEqual({ key: created.key, created: false, path: created.path });
  });

  it("refuses a corrupt key file, names it and CERTDESK_KEY, and leaves it untouched", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "certdesk-vault-"));
    const keyPath = path.join(dataDir, "certdesk.key");
    const corrupt = `${randomBytes(20).toString("base64")}\n`;
    writeFileSync(keyPath, corrupt, { mode: 0o600 });

    const error = await loadOrCreateKeyFile(dataDir).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(VaultError);
    if (!(error instanceof VaultError)) return;
    expect(error.message).toContain(keyPath);
    expect(error.message).toContain("CERTDESK_KEY");
    expectNoSecrets(error, [corrupt.trim()]);
    expect(readFileSync(keyPath, "utf8")).toBe(corrupt);
  });
});
