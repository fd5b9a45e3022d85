import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { createTestDatabase, type TestDatabase, testDatabaseUrl } from "../support/database.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { TcpProxy } from "../support/tcp-proxy.js";

/**
 * PostgreSQL going away while certdesk runs: handlers say "temporarily unavailable", /healthz turns 503,
 * and everything works again, with nothing lost, when it comes back. Needs TEST_DATABASE_URL (the embedded
 * PGlite cannot go away); .ci/run sets it for its PostgreSQL pass.
 */
describe.skipIf(!testDatabaseUrl)("database outage (PostgreSQL)", () => {
  let owner: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    owner = await createTestDatabase();
    await createAcmeClient(owner.db);
    const direct = new URL(owner.url ?? "");
    proxy = await new TcpProxy(direct.hostname, Number(direct.port || 5432)).start();
    const proxied = new URL(direct);
    proxied.port = String(proxy.port);
    const handle = await openDatabase({ kind: "postgres", url: proxied.toString(), max: 2 });
    t = await startTestApp({ database: { ...handle, truncateAll: owner.truncateAll } });
  });

  afterAll(async () => {
    await t.stop();
    await t.database.close();
    await proxy.cut().catch(() => undefined);
    await owner.close();
  });

  async function clientsReply(): Promise<string> {
    t.slack.reset();
    await t.driver.slashCommand("clients");
    const reply = await t.slack.waitFor("response_url", () => true, 15_000);
    return String(reply.args.text ?? JSON.stringify(reply.args.blocks));
  }

  it("answers clearly while the database is away and recovers with nothing lost", async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect(await clientsReply()).toContain("Acme Ltd");

    await proxy.cut();
    const down = await fetch(`${t.url}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ db: "unavailable" });
    expect(await clientsReply()).toContain("database is temporarily unavailable, so nothing was changed");

    await proxy.restore();
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect(await clientsReply()).toContain("Acme Ltd");
  });
});
