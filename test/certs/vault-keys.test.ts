import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createVault, keyIdOf, parseVaultKey, VaultError } from "../../src/certs/vault.js";
import { loadVaultKeys } from "../../src/certs/vault-keys.js";

function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), "certdesk-vault-keys-"));
}

function writeKeyFile(dataDir: string, key: Buffer, mode = 0o600): string {
  const keyPath = path.join(dataDir, "certdesk.key");
  writeFileSync(keyPath, `${key.toString("base64")}\n`, { mode });
  chmodSync(keyPath, mode); // the umask may have removed bits from the requested mode
  return keyPath;
}

async function load(options: { certdeskKey?: Buffer; oldKeys?: Buffer[]; dataDir: string }) {
  const warnings: string[] = [];
  const keys = await loadVaultKeys({
    certdeskKey: options.certdeskKey?.toString("base64"),
    oldKeys: (options.oldKeys ?? []).map((key) => key.toString("base64")),
    dataDir: options.dataDir,
    warn: (message) => warnings.push(message),
  });
  return { keys, warnings };
}

const ids = (keys: Buffer[]) => keys.map(keyIdOf);

describe("loadVaultKeys with CERTDESK_KEY set", () => {
  it("puts CERTDESK_KEY first, then CERTDESK_OLD_KEYS, and creates no key file", async () => {
    const dataDir = tempDataDir();
    const [current, old1, old2] = [randomBytes(32), randomBytes(32), randomBytes(32)];

    const { keys, warnings } = await load({ certdeskKey: current, oldKeys: [old1, old2], dataDir });

    expect(ids(keys)).toEqual(ids([current, old1, old2]));
    expect(warnings).toEqual([]);
    expect(existsSync(path.join(dataDir, "certdesk.key"))).toBe(false);
  });

  it("adds an existing key file that holds another key as an old key", async () => {
    const dataDir = tempDataDir();
    const [current, old, fileKey] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    writeKeyFile(dataDir, fileKey);
    const sealedByFileKey = createVault({ keys: [fileKey] }).encrypt("written before CERTDESK_KEY was set");

    const { keys, warnings } = await load({ certdeskKey: current, oldKeys: [old], dataDir });

    expect(ids(keys)).toEqual(ids([current, old, fileKey]));
    expect(warnings).toEqual([]);
    const vault = createVault({ keys });
    expect(vault.decrypt(sealedByFileKey)).toBe("written before CERTDESK_KEY was set");
    expect(vault.encrypt("x").split(".")[1]).toBe(keyIdOf(current));
  });

  it("lists each key once when the key file or an old key repeats CERTDESK_KEY", async () => {
    const dataDir = tempDataDir();
    const [current, old] = [randomBytes(32), randomBytes(32)];
    writeKeyFile(dataDir, current);

    const { keys } = await load({ certdeskKey: current, oldKeys: [current, old, old], dataDir });

    expect(ids(keys)).toEqual(ids([current, old]));
  });

  it("skips a corrupt key file with a warning instead of refusing to start", async () => {
    const dataDir = tempDataDir();
    const current = randomBytes(32);
    const keyPath = path.join(dataDir, "certdesk.key");
    writeFileSync(keyPath, "not a key\n", { mode: 0o600 });

    const { keys, warnings } = await load({ certdeskKey: current, dataDir });

    expect(ids(keys)).toEqual(ids([current]));
    expect(warnings).toEqual([expect.stringContaining(keyPath)]);
    expect(readFileSync(keyPath, "utf8")).toBe("not a key\n");
  });

  it("refuses an old key that is not a key, naming CERTDESK_OLD_KEYS and the entry but not its value", async () => {
    const bad = randomBytes(20).toString("base64");

    const error = await loadVaultKeys({
      certdeskKey: randomBytes(32).toString("base64"),
      oldKeys: [randomBytes(32).toString("base64"), bad],
      dataDir: tempDataDir(),
      warn: () => {},
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).message).toContain("CERTDESK_OLD_KEYS entry 2 of 2");
    expect((error as VaultError).message).not.toContain(bad);
  });
});

describe("loadVaultKeys without CERTDESK_KEY", () => {
  it("generates the key file with a warning and makes it the current key, CERTDESK_OLD_KEYS after it", async () => {
    const dataDir = path.join(tempDataDir(), "data");
    const old = randomBytes(32);

    const first = await load({ oldKeys: [old], dataDir });
    const keyPath = path.join(dataDir, "certdesk.key");
    const fileKey = parseVaultKey(readFileSync(keyPath, "utf8"));

    expect(ids(first.keys)).toEqual(ids([fileKey, old]));
    expect(first.warnings).toEqual([
      expect.stringContaining(`CERTDESK_KEY is not set: generated a key-encryption key in ${keyPath}`),
    ]);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);

    const second = await load({ oldKeys: [old], dataDir });
    expect(ids(second.keys)).toEqual(ids([fileKey, old]));
    expect(second.warnings).toEqual([]);
  });

  it("refuses a corrupt key file: it is the only copy of the current key", async () => {
    const dataDir = tempDataDir();
    writeFileSync(path.join(dataDir, "certdesk.key"), "not a key\n", { mode: 0o600 });

    await expect(load({ dataDir })).rejects.toThrow(VaultError);
  });
});

describe.skipIf(process.platform === "win32")("the key file's mode", () => {
  it.each([
    ["the current key", false],
    ["an old key beside CERTDESK_KEY", true],
  ])(
    "warns when a key file holding %s is readable by others, naming the path and mode",
    async (_role, withCertdeskKey) => {
      const dataDir = tempDataDir();
      const keyPath = writeKeyFile(dataDir, randomBytes(32), 0o644);

      const { warnings } = await load({
        dataDir,
        certdeskKey: withCertdeskKey ? randomBytes(32) : undefined,
      });

      expect(warnings).toEqual([
        `${keyPath} is readable by other users (mode 0644): run chmod 600 ${keyPath}. Anyone who can read it can decrypt the stored private keys.`,
      ]);
    },
  );

  it("does not warn about a 0600 key file", async () => {
    const dataDir = tempDataDir();
    writeKeyFile(dataDir, randomBytes(32), 0o600);

    expect((await load({ dataDir })).warnings).toEqual([]);
    expect((await load({ dataDir, certdeskKey: randomBytes(32) })).warnings).toEqual([]);
  });

  it("warns about group-only access too", async () => {
    const dataDir = tempDataDir();
    const keyPath = writeKeyFile(dataDir, randomBytes(32), 0o640);

    const { warnings } = await load({ dataDir });

    expect(warnings).toEqual([expect.stringContaining(`${keyPath} is readable by other users (mode 0640)`)]);
  });
});
