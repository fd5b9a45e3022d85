import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { ORDER_STATUSES } from "../domain/order.js";
import { countExpiringCertificates, countOrdersByStatus } from "../orders/order-queries.js";

/**
 * certdesk's Prometheus metrics (GET /metrics), one Registry per app: nothing is registered in
 * prom-client's global registry, so two apps in one process (replicas in a test) never share a
 * count. The parts that do the work never import this: each declares a small recorder interface
 * (jobs/scheduler.ts, jobs/expiry-alerts.ts, slack/clients.ts, metrics/providers.ts) and app.ts
 * hands them the recorders below. What lives in the database (orders by status, certificates near
 * expiry) is read when Prometheus scrapes, with the queries of orders/order-queries.ts.
 */

/** The windows of certdesk_certificates_expiring, in days. */
export const EXPIRING_WITHIN_DAYS = [7, 30] as const;
/** A scrape waits no longer than this for the database; its gauges are then left out. */
const SCRAPE_QUERY_TIMEOUT_MS = 2_000;
/** Provider calls: from a cached catalogue (milliseconds) to a CA validating while asked (a minute). */
const PROVIDER_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

type JobOutcome = "ok" | "failed" | "elsewhere";

/** A job's schedule as the scheduler reports it (jobs/scheduler.ts JobSchedule). */
export interface TrackedSchedule {
  variable: string;
  cron: string;
  intervalMs: number;
  regular: boolean;
}

/** What is known of one scheduled job, for /readyz. */
export interface JobState {
  job: string;
  schedule: TrackedSchedule;
  scheduledAt: Date;
  /** The last run that ended, here or (outcome "elsewhere") on the replica that held the lock. */
  last?: { startedAt: Date; endedAt: Date; outcome: JobOutcome };
}

export interface Metrics {
  /** The text exposition format's content type. */
  readonly contentType: string;
  /** Every metric, with the database's gauges read now. */
  scrape(): Promise<string>;
  /** For the provider wrapper (metrics/providers.ts). */
  readonly providerCalls: {
    call(provider: string, method: string, seconds: number, error?: unknown): void;
  };
  /** For the Slack clients and the paced poster (slack/clients.ts SlackCallRecorder). */
  readonly slack: {
    apiError(client: string, method: string, code: string): void;
    rateLimited(client: string, method: string): void;
    rateLimitWait(client: string, seconds: number): void;
  };
  /** For the scheduler and the expiry scan (jobs/scheduler.ts JobRecorder, jobs/expiry-alerts.ts AlertRecorder). */
  readonly jobs: {
    scheduled(job: string, schedule: TrackedSchedule, at: Date): void;
    ran(
      job: string,
      run: { startedAt: Date; endedAt: Date; durationSeconds: number; outcome: JobOutcome },
    ): void;
    alertPosted(kind: string): void;
  };
  /** The scheduled jobs and their last runs, for /readyz. */
  jobStates(): JobState[];
}

export interface MetricsDeps {
  db: Database;
  clock: Clock;
  /** The enabled providers: each gets its zeros in certdesk_orders. */
  providerIds: readonly string[];
  /** Socket Mode only: whether the socket to Slack is connected now. */
  socketConnected?: () => boolean;
}

const seconds = (date: Date) => date.getTime() / 1_000;

export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  const registers = [registry];

  const orders = new Gauge({
    name: "certdesk_orders",
    help: "Orders by status and provider, counted in the database when scraped.",
    labelNames: ["status", "provider"] as const,
    registers,
  });
  const expiring = new Gauge({
    name: "certdesk_certificates_expiring",
    help: "Issued certificates, not replaced by an issued renewal, that end within this many days (not yet expired).",
    labelNames: ["within_days"] as const,
    registers,
  });
  const databaseUp = new Gauge({
    name: "certdesk_database_up",
    help: "1 when the database answered this scrape's queries; 0 when it did not (the database gauges are then absent).",
    registers,
  });
  const providerDuration = new Histogram({
    name: "certdesk_provider_call_duration_seconds",
    help: "Calls to a provider's API by provider and method, failed ones included, and how long each took.",
    labelNames: ["provider", "method"] as const,
    buckets: PROVIDER_BUCKETS,
    registers,
  });
  const providerErrors = new Counter({
    name: "certdesk_provider_call_errors_total",
    help: "Provider calls that failed, by provider, method and error class (ProviderUnavailableError, ProviderInputError…).",
    labelNames: ["provider", "method", "error"] as const,
    registers,
  });
  const slackErrors = new Counter({
    name: "certdesk_slack_api_errors_total",
    help: "Slack Web API calls that failed (after retries), by client, method and Slack's error code; rate limits are counted apart.",
    labelNames: ["client", "method", "error"] as const,
    registers,
  });
  const slackRateLimited = new Counter({
    name: "certdesk_slack_rate_limited_total",
    help: "Slack Web API answers 429 (rate limited), by client and method.",
    labelNames: ["client", "method"] as const,
    registers,
  });
  const slackRateLimitWait = new Counter({
    name: "certdesk_slack_rate_limit_wait_seconds_total",
    help: "Seconds spent waiting out Slack rate limits (Retry-After), by client.",
    labelNames: ["client"] as const,
    registers,
  });
  const jobRuns = new Counter({
    name: "certdesk_job_runs_total",
    help: "Scheduled job runs by outcome: ok, failed, or elsewhere (another replica held the job's lock).",
    labelNames: ["job", "outcome"] as const,
    registers,
  });
  const jobLastRun = new Gauge({
    name: "certdesk_job_last_run_timestamp_seconds",
    help: "When the job's last run on this replica started (Unix time), whatever its outcome.",
    labelNames: ["job"] as const,
    registers,
  });
  const jobLastDuration = new Gauge({
    name: "certdesk_job_last_run_duration_seconds",
    help: "How long the job's last run on this replica took.",
    labelNames: ["job"] as const,
    registers,
  });
  const jobLastSuccess = new Gauge({
    name: "certdesk_job_last_success_timestamp_seconds",
    help: "When the job's last successful run on this replica started (Unix time).",
    labelNames: ["job"] as const,
    registers,
  });
  const alertsPosted = new Counter({
    name: "certdesk_expiry_alerts_posted_total",
    help: "Expiry alerts Slack accepted, alone or as lines of a digest, by kind (expiring, expired).",
    labelNames: ["kind"] as const,
    registers,
  });
  for (const kind of ["expiring", "expired"]) alertsPosted.inc({ kind }, 0);
  if (deps.socketConnected) {
    const connected = deps.socketConnected;
    new Gauge({
      name: "certdesk_slack_socket_connected",
      help: "Socket Mode: 1 while the socket to Slack is connected.",
      registers,
      collect() {
        this.set(connected() ? 1 : 0);
      },
    });
  }

  const jobs = new Map<string, JobState>();

  async function readDatabase(): Promise<void> {
    const now = deps.clock.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timeout")), SCRAPE_QUERY_TIMEOUT_MS);
      timer.unref();
    });
    try {
      const [byStatus, near] = await Promise.race([
        Promise.all([
          countOrdersByStatus(deps.db),
          countExpiringCertificates(deps.db, now, EXPIRING_WITHIN_DAYS),
        ]),
        timeout,
      ]);
      orders.reset();
      expiring.reset();
      const providers = new Set([...deps.providerIds, ...byStatus.map((row) => row.provider)]);
      for (const provider of providers)
        for (const status of ORDER_STATUSES) orders.set({ status, provider }, 0);
      for (const row of byStatus) orders.set({ status: row.status, provider: row.provider }, row.count);
      for (const row of near) expiring.set({ within_days: String(row.days) }, row.count);
      databaseUp.set(1);
    } catch {
      // The scrape still answers (Slack, jobs, providers); what the database holds is left out
      // rather than shown stale. /readyz says what is wrong with the database.
      orders.reset();
      expiring.reset();
      databaseUp.set(0);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    contentType: registry.contentType,
    async scrape() {
      await readDatabase();
      return registry.metrics();
    },
    providerCalls: {
      call(provider, method, duration, error) {
        providerDuration.observe({ provider, method }, duration);
        if (error !== undefined) providerErrors.inc({ provider, method, error: errorClass(error) });
      },
    },
    slack: {
      apiError: (client, method, code) => slackErrors.inc({ client, method, error: code }),
      rateLimited: (client, method) => slackRateLimited.inc({ client, method }),
      rateLimitWait: (client, waited) => slackRateLimitWait.inc({ client }, waited),
    },
    jobs: {
      scheduled(job, schedule, at) {
        const known = jobs.get(job);
        jobs.set(job, { job, schedule, scheduledAt: at, last: known?.last });
      },
      ran(job, run) {
        jobRuns.inc({ job, outcome: run.outcome });
        const state = jobs.get(job);
        if (state) state.last = { startedAt: run.startedAt, endedAt: run.endedAt, outcome: run.outcome };
        if (run.outcome === "elsewhere") return;
        jobLastRun.set({ job }, seconds(run.startedAt));
        jobLastDuration.set({ job }, run.durationSeconds);
        if (run.outcome === "ok") jobLastSuccess.set({ job }, seconds(run.startedAt));
      },
      alertPosted: (kind) => alertsPosted.inc({ kind }),
    },
    jobStates: () => [...jobs.values()].map((state) => ({ ...state })),
  };
}

/** An error's class for a label: ProviderInputError, ProviderUnavailableError, TypeError…; bounded by the code's classes. */
function errorClass(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name || "Error";
  return "unknown";
}
