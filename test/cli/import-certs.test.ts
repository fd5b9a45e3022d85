import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { importCertificateFiles, summaryOf } from "../../src/cli/certificate-files.js";
import { orders } from "../../src/db/schema.js";
import { createImportCa } from "../support/certificates.js";
import { useTestDatabase } from "../support/database.js";
import { createAcmeClient } from "../support/fixtures.js";

const database = useTestDatabase();
const ca = createImportCa();
beforeEach(async () => {
  await createAcmeClient(database.current.db);
});

describe("npm run import-certs", () => {
  it("imports a folder of PEM files: with and without chains; skips keys and chain files; reports the rest", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "certdesk-import-"));
    const live = path.join(dir, "live", "www.example.com");
    await mkdir(live, { recursive: true });
    const www = ca.leaf(["www.example.com"]);
    await writeFile(path.join(live, "cert.pem"), www.pem);
    await writeFile(path.join(live, "chain.pem"), ca.intermediatePem);
    await writeFile(path.join(live, "fullchain.pem"), www.pem + ca.intermediatePem);
    await writeFile(path.join(live, "privkey.pem"), www.keyPem);
    await writeFile(path.join(dir, "shop.crt"), ca.leaf(["shop.example.com"]).pem + ca.intermediatePem);
    await writeFile(path.join(dir, "old.pem"), ca.leaf(["old.example.com"], { days: -5 }).pem);
    await writeFile(path.join(dir, "notes.pem"), "not a certificate");
    await writeFile(path.join(dir, "readme.txt"), "ignored");
    const { results, clientFound } = await importCertificateFiles(database.current.db, {
      paths: [dir],
      clientName: "acme ltd",
      clock: { now: () => new Date() },
    });
    expect(clientFound).toBe(true);
    const by = (name: string) => results.find((result) => result.file.endsWith(name));
    expect(by("cert.pem")?.outcome).toBe("imported");
    expect(by("fullchain.pem")?.outcome).toBe("already_tracked");
    expect(by("chain.pem")?.outcome).toBe("skipped");
    expect(by("privkey.pem")?.outcome).toBe("skipped");
    expect(by("shop.crt")?.outcome).toBe("imported");
    expect(by("old.pem")).toMatchObject({ outcome: "failed", message: expect.stringMatching(/expired on/) });
    expect(by("notes.pem")).toMatchObject({
      outcome: "failed",
      message: expect.stringMatching(/not a certificate/),
    });
    expect(by("readme.txt")).toBeUndefined();
    const summary = summaryOf(results);
    expect(summary).toContain("2 imported, 1 already tracked, 2 skipped, 2 failed.");
    expect(summary).not.toContain(www.keyPem.split("\n")[2]);
    expect(await database.current.db.select().from(orders)).toHaveLength(2);
  });

  it("needs a client that exists", async () => {
    const result = await importCertificateFiles(database.current.db, {
      paths: [],
      clientName: "Nobody",
      clock: { now: () => new Date() },
    });
    expect(result.clientFound).toBe(false);
  });
});
