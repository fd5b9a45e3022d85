import { randomBytes } from "node:crypto";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe } from "vitest";
import { createVault } from "../../src/certs/vault.js";
import { loadConfig } from "../../src/config.js";
import { acmeOrders, sandboxOrders } from "../../src/db/schema.js";
import { buildProviders } from "../../src/providers/build.js";
import type { SslProvider } from "../../src/providers/types.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { startGoGetSslStub } from "../support/gogetssl-stub.js";
import { TestClock } from "../support/harness.js";
import { TestHttpFileServer } from "../support/http-file-server.js";
import { type PebbleServer, pebbleInstalled, startPebble } from "../support/pebble.js";
import { startSectigoStub } from "../support/sectigo-stub.js";
import { createTestCa, type TestCa } from "../support/test-ca.js";
import { describeProviderContract } from "./contract-suite.js";

/**
 * The SslProvider contract (contract-suite.ts) for each real provider, each built as certdesk
 * builds it: from environment variables, through its plug-in (loadConfig + buildProviders).
 */

const APPROVAL_SECONDS = 60;
const PASSWORD = "contract-Pa55word!";

/** PGlite takes seconds to start: one database for the file, emptied for every sandbox test. */
let database: TestDatabase;
let testCa: TestCa;

beforeAll(async () => {
  testCa = createTestCa();
  database = await createTestDatabase();
});

let pebble: { server: PebbleServer; site: TestHttpFileServer } | undefined;

afterAll(async () => {
  await pebble?.server.close();
  await pebble?.site.close();
  await database.close();
});

/** The one provider `env` enables, built from the environment like src/main.ts does. */
async function providerFromEnv(env: Record<string, string>, clock = new TestClock()): Promise<SslProvider> {
  const config = loadConfig({ SLACK_BOT_TOKEN: "xoxb-contract", SLACK_SIGNING_SECRET: "contract", ...env });
  const vault = createVault({ keys: [randomBytes(32)] });
  const [provider, ...others] = (await buildProviders(config.providers, { db: database.db, vault, clock }))
    .enabled;
  if (!provider || others.length > 0) throw new Error("expected exactly one provider");
  return provider;
}

describeProviderContract("sandbox", async () => {
  await database.truncateAll();
  const clock = new TestClock();
  const provider = await providerFromEnv(
    { SSL_PROVIDERS: "sandbox", SANDBOX_APPROVAL_SECONDS: String(APPROVAL_SECONDS) },
    clock,
  );
  const passApprovalTime = async () => clock.advance(APPROVAL_SECONDS * 1000);
  return {
    provider,
    rejectableDomain: "reject-www.example.com",
    unknownOrderId: "SBX-987654",
    issue: passApprovalTime,
    reject: passApprovalTime,
    async placementRequests() {
      const [row] = await database.db.select({ orders: count() }).from(sandboxOrders);
      return row?.orders ?? 0;
    },
    async close() {},
  };
});

describeProviderContract("sectigo", async () => {
  const stub = await startSectigoStub({
    loginPassword: PASSWORD,
    issueCertificate: (csrPem) => testCa.issueCertificate(csrPem),
  });
  const provider = await providerFromEnv({
    SSL_PROVIDERS: "sectigo",
    SECTIGO_LOGIN_NAME: "reseller",
    SECTIGO_LOGIN_PASSWORD: PASSWORD,
    SECTIGO_API_URL: stub.url,
  });
  return {
    provider,
    rejectableDomain: "www.example.com",
    unknownOrderId: "987654321",
    issue: async (orderNumber) => stub.state.issue(orderNumber),
    reject: async (orderNumber) => stub.state.reject(orderNumber),
    placementRequests: async () => stub.state.requestsTo("AutoApplySSL").length,
    close: () => stub.close(),
  };
});

describeProviderContract("gogetssl", async () => {
  const stub = await startGoGetSslStub({
    password: PASSWORD,
    issueCertificate: (csrPem) => testCa.issueCertificate(csrPem),
  });
  const provider = await providerFromEnv({
    SSL_PROVIDERS: "gogetssl",
    GOGETSSL_USER: "reseller@example.com",
    GOGETSSL_PASSWORD: PASSWORD,
    GOGETSSL_API_URL: stub.url,
  });
  return {
    provider,
    rejectableDomain: "www.example.com",
    unknownOrderId: "987654321",
    issue: async (orderId) => stub.state.issue(orderId),
    reject: async (orderId) => stub.state.reject(orderId),
    placementRequests: async () =>
      stub.state.requestsTo("addSslOrder").length + stub.state.requestsTo("addSslRenewOrder").length,
    close: () => stub.close(),
  };
});

/**
 * ACME against Pebble, Let's Encrypt's test CA (one Pebble for the file, the database emptied per
 * test so each test opens a new account). The "customer's site" is a local web server: issuing serves
 * each challenge's file there and asks the CA to validate; rejecting leaves it missing.
 */
describe.skipIf(!pebbleInstalled() && !process.env.CI)("acme (Pebble)", () => {
  describeProviderContract("acme", async () => {
    await database.truncateAll();
    if (!pebble) {
      const site = await TestHttpFileServer.start();
      pebble = { site, server: await startPebble({ httpPort: site.port }) };
    }
    const { server, site } = pebble;
    site.setRoutes({});
    const provider = await providerFromEnv({
      SSL_PROVIDERS: "acme",
      ACME_DIRECTORY_URL: server.directoryUrl,
      ACME_CA_BUNDLE: server.caBundlePath,
    });
    /** Asks the CA to validate, then polls (the CA works on its own) until `done` says so. */
    async function validate(providerOrderId: string, done: (status: string) => boolean): Promise<void> {
      const [row] = await database.db
        .select()
        .from(acmeOrders)
        .where(eq(acmeOrders.id, Number(providerOrderId.slice("ACME-".length))));
      if (!row) throw new Error(`no ACME order ${providerOrderId}`);
      await provider.recheckValidation?.({
        providerOrderId,
        reference: "SSL-0",
        csrPem: row.csr,
        domains: row.domains.map((domain) => ({ domain, method: "http" })),
      });
      const deadline = Date.now() + 15_000;
      for (;;) {
        const { status } = await provider.getStatus(providerOrderId);
        if (done(status)) return;
        if (Date.now() > deadline) throw new Error(`${providerOrderId} is still ${status}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    return {
      provider,
      rejectableDomain: "www.example.com",
      unknownOrderId: "ACME-987654",
      async issue(providerOrderId) {
        const [row] = await database.db
          .select()
          .from(acmeOrders)
          .where(eq(acmeOrders.id, Number(providerOrderId.slice("ACME-".length))));
        site.setRoutes(
          Object.fromEntries(
            (row?.challenges ?? []).map((challenge) => [
              `/.well-known/acme-challenge/${challenge.token}`,
              { status: 200, body: challenge.keyAuthorization ?? "" },
            ]),
          ),
        );
        await validate(providerOrderId, (status) => status === "issued");
      },
      reject: (providerOrderId) => validate(providerOrderId, (status) => status === "rejected"),
      async placementRequests() {
        const [row] = await database.db.select({ orders: count() }).from(acmeOrders);
        return row?.orders ?? 0;
      },
      async close() {},
    };
  });
});
