/**
 * Peak memory of one pending-order poll: 10,000 Sectigo orders pending, answered by the local
 * Sectigo stub (one in ten issued there, so the issue path and its channel post run too).
 * Target: peak RSS < 250 MB. The poll runs in a child process as production runs it: src/ compiled
 * by the build step, under `npm start`'s node flags (read from package.json); this process seeds the
 * database and serves the stub and the Slack API fake, as the real provider and Slack are elsewhere.
 * The database is a fresh one on TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
 * dropped afterwards; with --pglite it is the embedded database in a temporary DATA_DIR.
 * Run: npx tsx bench/poll-memory.ts [orders=10000] [--pglite]
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { compile } from "../scripts/build.js";
import { type Database, openDatabase } from "../src/db/client.js";
import { orders } from "../src/db/schema.js";
import { createAcmeClient } from "../test/support/fixtures.js";
import { type SectigoStubOrder, startSectigoStub } from "../test/support/sectigo-stub.js";
import { startSlackApiFake } from "../test/support/slack-api-fake.js";
import { productionNodeFlags } from "../test/support/start-command.js";
import { createTestCa, createTestCsr } from "../test/support/test-ca.js";
import type { PollMemoryReport } from "./poll-memory-child.js";

const ISSUED_EVERY = 10;
const COMPILED = "node_modules/.cache/certdesk-bench";
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const args = process.argv.slice(2);
const total = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 10_000);
const pglite = args.includes("--pglite");

async function seedPendingOrders(db: Database): Promise<void> {
  const clientId = (await createAcmeClient(db)).id;
  await db.execute(sql`
    insert into ${orders} (client_id, provider, provider_order_id, product_id, product_name, period_months,
      server_type, dcv_method, primary_domain, contact, status, requested_by, idempotency_key)
    select ${clientId}, 'sectigo', (5000000 + g)::text, '287', 'PositiveSSL', 12, '-1', 'email',
      'www.example.com', '{"firstName":"Jane","lastName":"Doe","email":"j@example.com","phone":"1","title":""}',
      'pending', 'U0BENCH', 'bench-' || g
    from generate_series(0, ${total - 1}) g`);
}

/** The provider's side: the same orders, one in ten issued. */
async function startStub() {
  const ca = createTestCa();
  const stub = await startSectigoStub({
    loginName: "reseller",
    loginPassword: "stub-password",
    issueCertificate: (csrPem) => ca.issueCertificate(csrPem),
  });
  const csrPem = createTestCsr("www.example.com");
  for (let index = 0; index < total; index += 1) {
    const orderNumber = String(5_000_000 + index);
    const order: SectigoStubOrder = {
      orderNumber,
      certificateID: String(9_000_000 + index),
      product: "287",
      days: 365,
      csrPem,
      commonName: "www.example.com",
      multiDomain: false,
      domains: [{ name: "www.example.com", dcvMethod: "EMAIL", dcvStatus: "Awaiting Validation" }],
      uniqueValue: `bench${index}`,
      test: false,
      state: "pending",
      awaitingPayment: false,
      dcvEmailsSent: 1,
      form: {},
    };
    stub.state.orders.set(orderNumber, order);
    if (index % ISSUED_EVERY === 0) stub.state.issue(orderNumber);
  }
  return stub;
}

/** A seeded database for the child: a fresh PostgreSQL database, or a PGlite DATA_DIR. */
async function prepareDatabase(): Promise<{ env: Record<string, string>; cleanUp: () => Promise<void> }> {
  if (pglite) {
    const dataDir = await mkdtemp(path.join(tmpdir(), "certdesk-poll-"));
    const handle = await openDatabase({ kind: "pglite", dataDir });
    await seedPendingOrders(handle.db);
    await handle.close();
    return { env: { DATA_DIR: dataDir }, cleanUp: () => rm(dataDir, { recursive: true, force: true }) };
  }
  process.env.TEST_DATABASE_URL ??= "postgres://postgres@127.0.0.1:5432/test";
  const { createTestDatabase } = await import("../test/support/database.js");
  const database = await createTestDatabase();
  await seedPendingOrders(database.db);
  return { env: { DATABASE_URL: database.url ?? "" }, cleanUp: () => database.close() };
}

const [stub, slack, database, flags] = await Promise.all([
  startStub(),
  startSlackApiFake(),
  prepareDatabase(),
  productionNodeFlags(),
  compile({ entryPoints: ["src/**/*.ts", "bench/poll-memory-child.ts"], outdir: COMPILED, outbase: "." }),
]);
try {
  const child = fork(fileURLToPath(new URL(`../${COMPILED}/bench/poll-memory-child.js`, import.meta.url)), {
    execArgv: flags,
    env: { PATH: process.env.PATH ?? "", STUB_URL: stub.url, SLACK_API_URL: slack.apiUrl, ...database.env },
  });
  const [report] = (await once(child, "message")) as [PollMemoryReport];
  console.log(
    `${pglite ? "PGlite" : "PostgreSQL"}; ${total} pending orders, 1 in ${ISSUED_EVERY} issued at the stub; ` +
      `node ${flags.join(" ")}`,
  );
  console.log(`poll summary: ${JSON.stringify(report.summary)}`);
  console.log(
    `CollectSSL requests: ${stub.state.requestsTo("CollectSSL").length}; ` +
      `channel posts: ${slack.callsTo("chat.postMessage").length}`,
  );
  console.log(`time: ${report.seconds.toFixed(1)} s (${Math.round(total / report.seconds)} orders/s)`);
  console.log(
    `RSS: ${mb(report.baselineRss)} before the poll, peak ${mb(report.peakRss)} (target < 250 MB); ` +
      `heap used: ${mb(report.baselineHeap)} before, peak ${mb(report.peakHeap)}`,
  );
} finally {
  await Promise.all([stub.close(), slack.stop(), database.cleanUp()]);
}
