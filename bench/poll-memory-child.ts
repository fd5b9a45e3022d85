/**
 * The measured side of bench/poll-memory.ts: one pending-order poll, run as production runs (compiled
 * JavaScript under `npm start`'s node flags), reporting its own peak memory to the parent over IPC.
 * Environment: DATABASE_URL or DATA_DIR (already seeded), STUB_URL (Sectigo stub), SLACK_API_URL.
 */
import { randomBytes } from "node:crypto";
import { createVault } from "../src/certs/vault.js";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/client.js";
import { createScheduler } from "../src/jobs/scheduler.js";
import { createLogger, LogLevel } from "../src/log.js";
import { createReissueService } from "../src/orders/reissue-service.js";
import { createStatusService } from "../src/orders/status-service.js";
import { createProviderRegistry } from "../src/providers/registry.js";
import { SectigoProvider } from "../src/providers/sectigo/provider.js";
import { createSlackClients } from "../src/slack/clients.js";
import { createSlack } from "../src/slack/slack.js";

export interface PollMemoryReport {
  summary: unknown;
  seconds: number;
  baselineRss: number;
  peakRss: number;
  baselineHeap: number;
  peakHeap: number;
}

const env = process.env;
const database = await openDatabase(
  env.DATABASE_URL ? { kind: "postgres", url: env.DATABASE_URL } : { kind: "pglite", dataDir: env.DATA_DIR },
);
const config = loadConfig({
  SLACK_BOT_TOKEN: "xoxb-bench",
  SLACK_SIGNING_SECRET: "bench",
  SLACK_API_URL: env.SLACK_API_URL,
  SSL_CHANNEL: "C0BENCH",
});
const clock = { now: () => new Date() };
const providers = createProviderRegistry([
  new SectigoProvider({ loginName: "reseller", loginPassword: "stub-password", apiUrl: env.STUB_URL ?? "" }),
]);
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
  // AUTO_REISSUE_DAYS is off here (0): the service is there because the scheduler always has it.
  reissues: createReissueService({
    db: database.db,
    providers,
    catalogue: { snapshot: () => [] },
    vault: createVault({ keys: [randomBytes(32)] }),
    clock,
    observer,
    requireApproval: false,
  }),
  // The orders are fresh (placed at the bench's start), so none is stuck in validation.
  validation: { noticeStuck: async () => [], askWhereReady: async () => [] },
  poster: createSlack({
    clients: createSlackClients({
      botToken: config.slack.botToken,
      apiUrl: config.slack.apiUrl,
      logger: createLogger(LogLevel.WARN),
    }),
    logger: createLogger(LogLevel.WARN),
    // Channel pacing is not what is measured: its waits pass at once.
    sleeper: {
      now: () => virtualMs,
      sleep: async (ms: number) => {
        virtualMs += ms;
      },
    },
  }).background,
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
await scheduler.stop();
await database.close();
const report: PollMemoryReport = {
  summary,
  seconds,
  baselineRss: baseline.rss,
  peakRss,
  baselineHeap: baseline.heapUsed,
  peakHeap,
};
process.send?.(report, () => process.exit(0));
