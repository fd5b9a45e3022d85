/**
 * Peak memory of one pending-order poll: 10,000 Sectigo orders pending in PostgreSQL, answered by
 * the local Sectigo stub (one in ten issued there, so the issue path and its channel post run too).
 * Target: peak RSS < 250 MB. The stub and the Slack API fake run in a child process, as the real
 * provider and Slack are elsewhere; channel pacing is not waited for. The database is a fresh one
 * on TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), dropped afterwards;
 * with --pglite it is the embedded database, inside this process.
 * Run: npx tsx bench/poll-memory.ts [orders=10000] [--pglite]
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { loadConfig } from "../src/config.js";
import { orders } from "../src/db/schema.js";
import { createScheduler } from "../src/jobs/scheduler.js";
import { createLogger, LogLevel } from "../src/log.js";
import { createStatusService } from "../src/orders/status-service.js";
import { createProviderRegistry } from "../src/providers/registry.js";
import { SectigoProvider } from "../src/providers/sectigo.js";
import { type SectigoStubOrder, startSectigoStub } from "../test/support/sectigo-stub.js";
import { createTestCa, createTestCsr } from "../test/support/sectigo-test-ca.js";
import { startSlackApiFake } from "../test/support/slack-api-fake.js";

const ISSUED_EVERY = 10;
const LOGIN = { loginName: "reseller", loginPassword: "stub-password" };
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

interface Fixtures {
  stubUrl: string;
  slackApiUrl: string;
}

/** Child process: the provider stub holding `total` orders, and the Slack API fake. */
async function serveFixtures(total: number): Promise<void> {
  const ca = createTestCa();
  const stub = await startSectigoStub({
    ...LOGIN,
    issueCertificate: (csrPem) => ca.issueCertificate(csrPem),
  });
  const slack = await startSlackApiFake();
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
  process.on("message", async (message) => {
    if (message === "report") {
      process.send?.({
        collect: stub.state.requestsTo("CollectSSL").length,
        posts: slack.callsTo("chat.postMessage").length,
      });
      return;
    }
    await Promise.all([stub.close(), slack.stop()]);
    process.exit(0);
  });
  process.send?.({ stubUrl: stub.url, slackApiUrl: slack.apiUrl } satisfies Fixtures);
}

async function main(total: number, pglite: boolean): Promise<void> {
  if (!pglite) process.env.TEST_DATABASE_URL ??= "postgres://postgres@127.0.0.1:5432/test";
  const child = fork(fileURLToPath(import.meta.url), ["--serve", String(total)], {
    execArgv: process.execArgv,
  });
  const { createTestDatabase } = await import("../test/support/database.js");
  const { createAcmeClient } = await import("../test/support/fixtures.js");
  const database = await createTestDatabase();
  const clientId = (await createAcmeClient(database.db)).id;
  await database.db.execute(sql`
    insert into ${orders} (client_id, provider, provider_order_id, product_id, product_name, period_months,
      server_type, dcv_method, primary_domain, contact, status, requested_by, idempotency_key)
    select ${clientId}, 'sectigo', (5000000 + g)::text, '287', 'PositiveSSL', 12, '-1', 'email',
      'www.example.com', '{"firstName":"Jane","lastName":"Doe","email":"j@example.com","phone":"1","title":""}',
      'pending', 'U0BENCH', 'bench-' || g
    from generate_series(0, ${total - 1}) g`);
  const [fixtures] = (await once(child, "message")) as [Fixtures];

  const config = loadConfig({
    SLACK_BOT_TOKEN: "xoxb-bench",
    SLACK_SIGNING_SECRET: "bench",
    SLACK_API_URL: fixtures.slackApiUrl,
    SSL_CHANNEL: "C0BENCH",
  });
  const clock = { now: () => new Date() };
  const providers = createProviderRegistry([new SectigoProvider({ ...LOGIN, apiUrl: fixtures.stubUrl })]);
  // The order threads' Slack side belongs to the observer, measured with the app; here only the poller runs.
  const observer = { orderChanged: async () => {} };
  let virtualMs = 0;
  const scheduler = createScheduler({
    config,
    database,
    clock,
    logger: createLogger(LogLevel.WARN),
    providers,
    status: createStatusService({ db: database.db, providers, clock, observer }),
    sleeper: {
      now: () => virtualMs,
      sleep: async (ms) => {
        virtualMs += ms;
      },
    },
  });

  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const sampler = setInterval(sample, 20);
  const started = performance.now();
  const summary = await scheduler.runPoll();
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sample();

  child.send("report");
  const [counts] = (await once(child, "message")) as [{ collect: number; posts: number }];
  console.log(`database: ${database.kind}; ${total} pending orders, 1 in ${ISSUED_EVERY} issued at the stub`);
  console.log(`poll summary: ${JSON.stringify(summary)}`);
  console.log(`CollectSSL requests: ${counts.collect}; channel posts: ${counts.posts}`);
  console.log(`time: ${seconds.toFixed(1)} s (${Math.round(total / seconds)} orders/s)`);
  console.log(
    `RSS: ${mb(baseline.rss)} before the poll, peak ${mb(peakRss)} (target < 250 MB); ` +
      `heap used: ${mb(baseline.heapUsed)} before, peak ${mb(peakHeap)}`,
  );
  await scheduler.stop();
  child.send("exit");
  await database.close();
}

const [first, second] = process.argv.slice(2);
if (first === "--serve") await serveFixtures(Number(second));
else {
  const args = process.argv.slice(2);
  await main(Number(args.find((arg) => /^\d+$/.test(arg)) ?? 10_000), args.includes("--pglite"));
}
