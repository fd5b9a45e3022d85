import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createVault, keyIdOf } from "../../src/certs/vault.js";
import { type DatabaseHandle, openDatabase } from "../../src/db/client.js";
import { acmeAccounts, orders, sandboxAuthority } from "../../src/db/schema.js";
import { insertOrder } from "../jobs/jobs-support.js";
import { createTestDatabase, testDatabaseUrl } from "../support/database.js";
import { createAcmeClient } from "../support/fixtures.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const tsxLoader = path.join(repo, "node_modules/tsx/dist/loader.mjs");
const cli = path.join(repo, "src/cli/rotate-key.ts");

function runCli(cwd: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", tsxLoader, cli], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? cwd, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

const privateKey = (name: string) =>
  `-----BEGIN PRIVATE KEY-----\n${Buffer.from(name).toString("base64")}\n-----END PRIVATE KEY-----\n`;

/**
 * The database the CLI will open: on PGlite a real DATA_DIR (PGlite serves one process, so the test
 * closes it before each run and reopens it to look); on PostgreSQL a fresh test database.
 */
interface Target {
  env: Record<string, string>;
  open(): Promise<DatabaseHandle>;
  /** Called after each open() once the test is done looking. */
  release(handle: DatabaseHandle): Promise<void>;
  dispose(): Promise<void>;
}

async function target(dataDir: string): Promise<Target> {
  if (!testDatabaseUrl) {
    return {
      env: { DATA_DIR: dataDir },
      open: () => openDatabase({ kind: "pglite", dataDir: path.join(dataDir, "pglite") }),
      release: (handle) => handle.close(),
      dispose: async () => {},
    };
  }
  const database = await createTestDatabase();
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: database.url ?? "" },
    open: async () => database,
    release: async () => {},
    dispose: () => database.close(),
  };
}

describe("npm run rotate-key", { timeout: 120_000 }, () => {
  it("re-encrypts every secret under an old key, reports the one it cannot read, and does nothing twice", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "certdesk-rotate-"));
    const dataDir = path.join(dir, "data");
    await mkdir(dataDir, { recursive: true });
    const [newKey, oldKey, fileKey, unknownKey] = [
      randomBytes(32),
      randomBytes(32),
      randomBytes(32),
      randomBytes(32),
    ];
    // The generated key of an embedded-database install, read as an old key once CERTDESK_KEY is set.
    await writeFile(path.join(dataDir, "certdesk.key"), `${fileKey.toString("base64")}\n`, { mode: 0o600 });
    const sealers = {
      old: createVault({ keys: [oldKey] }),
      file: createVault({ keys: [fileKey] }),
      new: createVault({ keys: [newKey] }),
      unknown: createVault({ keys: [unknownKey] }),
    };
    const db = await target(dataDir);

    const seeded = await db.open();
    const client = await createAcmeClient(seeded.db);
    const plaintexts = new Map<number, string>();
    const seed = async (domain: string, sealer: keyof typeof sealers) => {
      const order = await insertOrder(seeded.db, { clientId: client.id, domain });
      const plaintext = privateKey(domain);
      await seeded.db
        .update(orders)
        .set({ encryptedPrivateKey: sealers[sealer].encrypt(plaintext) })
        .where(eq(orders.id, order.id));
      plaintexts.set(order.id, plaintext);
      return order.id;
    };
    await seed("old-one.example", "old");
    await seed("old-two.example", "old");
    await seed("file-key.example", "file");
    await seed("current.example", "new");
    const unknownId = await seed("unknown.example", "unknown");
    const unknownSealed = sealers.unknown.encrypt(privateKey("unknown.example"));
    await seeded.db
      .update(orders)
      .set({ encryptedPrivateKey: unknownSealed })
      .where(eq(orders.id, unknownId));
    await insertOrder(seeded.db, { clientId: client.id, domain: "no-key.example" });
    const authorityKey = privateKey("sandbox authority");
    await seeded.db.insert(sandboxAuthority).values({
      id: 1,
      certificatePem: "-----BEGIN CERTIFICATE-----\n",
      encryptedPrivateKey: sealers.old.encrypt(authorityKey),
    });
    const accountKey = privateKey("acme account");
    await seeded.db.insert(acmeAccounts).values({
      directoryUrl: "https://acme.example/directory",
      accountUrl: "https://acme.example/acct/1",
      encryptedAccountKey: sealers.old.encrypt(accountKey),
    });
    await db.release(seeded);

    // The new key from a file, as compose secrets and systemd credentials give it (CERTDESK_KEY_FILE).
    const newKeyFile = path.join(dir, "new-key");
    writeFileSync(newKeyFile, `${newKey.toString("base64")}\n`);
    const env = {
      ...db.env,
      CERTDESK_KEY_FILE: newKeyFile,
      CERTDESK_OLD_KEYS: oldKey.toString("base64"),
    };
    try {
      const first = await runCli(dir, env);
      expect(first.output).toContain(`Re-encrypting with key id ${keyIdOf(newKey)}`);
      expect(first.output).toContain(
        "orders.encrypted_private_key: 3 re-encrypted, 1 already current, 1 failed.",
      );
      expect(first.output).toMatch(
        new RegExp(
          `^ {2}orders id ${unknownId}: .*key id ${keyIdOf(unknownKey)}, which is not configured`,
          "m",
        ),
      );
      expect(first.output).toContain(`  key id ${keyIdOf(unknownKey)} (not configured): 1 row.`);
      expect(first.output).toContain(
        "sandbox_authority.encrypted_private_key: 1 re-encrypted, 0 already current, 0 failed.",
      );
      expect(first.output).toContain(
        "acme_accounts.encrypted_account_key: 1 re-encrypted, 0 already current, 0 failed.",
      );
      for (const key of [newKey, oldKey, fileKey, unknownKey]) {
        expect(first.output).not.toContain(key.toString("base64"));
        expect(first.output).not.toContain(key.toString("hex"));
      }
      expect(first.output).not.toContain("PRIVATE KEY");
      expect(first.code).toBe(1);

      const after = await db.open();
      const onlyNewKey = createVault({ keys: [newKey] });
      const rows = await after.db.select().from(orders);
      for (const row of rows) {
        if (row.id === unknownId) {
          expect(row.encryptedPrivateKey).toBe(unknownSealed);
        } else if (row.encryptedPrivateKey === null) {
          expect(row.primaryDomain).toBe("no-key.example");
        } else {
          expect(row.encryptedPrivateKey.split(".")[1]).toBe(keyIdOf(newKey));
          expect(onlyNewKey.decrypt(row.encryptedPrivateKey)).toBe(plaintexts.get(row.id));
        }
      }
      const [authority] = await after.db.select().from(sandboxAuthority);
      expect(authority?.encryptedPrivateKey.split(".")[1]).toBe(keyIdOf(newKey));
      expect(onlyNewKey.decrypt(authority?.encryptedPrivateKey ?? "")).toBe(authorityKey);
      const [account] = await after.db.select().from(acmeAccounts);
      expect(onlyNewKey.decrypt(account?.encryptedAccountKey ?? "")).toBe(accountKey);
      await db.release(after);

      const second = await runCli(dir, env);
      expect(second.output).toContain(
        "orders.encrypted_private_key: 0 re-encrypted, 4 already current, 1 failed.",
      );
      expect(second.output).toContain(
        "sandbox_authority.encrypted_private_key: 0 re-encrypted, 1 already current, 0 failed.",
      );
      expect(second.code).toBe(1);

      const cleanup = await db.open();
      await cleanup.db.delete(orders).where(eq(orders.id, unknownId));
      await db.release(cleanup);

      const third = await runCli(dir, env);
      expect(third.output).toContain(
        "orders.encrypted_private_key: 0 re-encrypted, 4 already current, 0 failed.",
      );
      expect(third.output).toContain(
        "sandbox_authority.encrypted_private_key: 0 re-encrypted, 1 already current, 0 failed.",
      );
      expect(third.output).toContain("0 failed: every stored secret is under CERTDESK_KEY");
      expect(third.code).toBe(0);
    } finally {
      await db.dispose();
    }
  });

  it("requires CERTDESK_KEY, the new key, and says how to run it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "certdesk-rotate-"));

    const run = await runCli(dir, { DATA_DIR: path.join(dir, "data") });

    expect(run.code).toBe(1);
    expect(run.output).toContain("CERTDESK_KEY is not set");
    expect(run.output).toContain("Usage: CERTDESK_KEY=<new key> CERTDESK_OLD_KEYS=<old key>");
  });

  it("refuses a CERTDESK_KEY that is not a key without echoing it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "certdesk-rotate-"));

    const run = await runCli(dir, { DATA_DIR: path.join(dir, "data"), CERTDESK_KEY: "hunter2-not-a-key" });

    expect(run.code).toBe(1);
    expect(run.output).toContain("rotate-key stopped: CERTDESK_KEY must be 32 random bytes in base64");
    expect(run.output).not.toContain("hunter2");
  });
});
