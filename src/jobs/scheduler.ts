import type { Logger } from "@slack/logger";
import { type ScheduledTask, schedule } from "node-cron";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { DatabaseHandle } from "../db/client.js";
import type { CtWatch } from "../orders/ct-watch.js";
import { deleteStaleDrafts } from "../orders/drafts.js";
import type { ReissueService } from "../orders/reissue-service.js";
import type { RenewalWindows } from "../orders/renewal-windows.js";
import type { ServedProbe, ServedProbeSummary } from "../orders/served-probe.js";
import type { StatusService } from "../orders/status-service.js";
import type { ValidationService } from "../orders/validation-service.js";
import type { ProviderRegistry } from "../providers/registry.js";
import type { ChannelPoster } from "../slack/channel-poster.js";
import { createCtSightingPoster } from "../slack/ct-sighting-poster.js";
import { createExpiryAlertPoster } from "../slack/expiry-alert-poster.js";
import type { ForecastPoster } from "../slack/forecast-poster.js";
import { createAutoReissue } from "./auto-reissue.js";
import { type CtWatchSummary, createCtWatchJob } from "./ct-watch.js";
import { type AlertRecorder, createExpiryAlerts, type ScanSummary } from "./expiry-alerts.js";
import { createForecastJob, type ForecastPostSummary } from "./forecast.js";
import { createPoller, type PollSummary } from "./poller.js";

export interface ExpiryScanSummary extends ScanSummary {
  draftsDeleted: number;
  /** AUTO_REISSUE_DAYS: reissues sent, and those that failed (left to a person). */
  reissued: number;
  reissueFailed: number;
}

export interface Scheduler {
  /** Schedules POLL_CRON, EXPIRY_CRON, PROBE_CRON and, with SSL_CHANNEL, FORECAST_CRON and CT_CRON (in TZ). */
  start(): void;
  /** Unschedules, interrupts waits, and lets runs in progress end. */
  stop(): Promise<void>;
  /** One poll now; undefined when it is already running here or on another replica. */
  runPoll(): Promise<
    | (PollSummary & { stuckInValidation: number; askedToValidate: number; renewalWindowsOpened: number })
    | undefined
  >;
  /** One expiry scan now (alerts and draft clean-up); undefined when running here or elsewhere. */
  runExpiryScan(): Promise<ExpiryScanSummary | undefined>;
  /**
   * The forecast chart posted in SSL_CHANNEL now; undefined when running here or elsewhere, or when
   * there is nowhere to post it (no SSL_CHANNEL, no forecast poster).
   */
  runForecast(): Promise<ForecastPostSummary | undefined>;
  /**
   * What is served, looked at now (PROBE_CRON); undefined when running here or elsewhere, or when
   * there is no probe (benchmarks).
   */
  runProbe(): Promise<ServedProbeSummary | undefined>;
  /**
   * One Certificate Transparency watch now (search, then post what is new); undefined when running
   * here or elsewhere, or when there is nowhere to post (no SSL_CHANNEL, no watch).
   */
  runCtWatch(): Promise<CtWatchSummary | undefined>;
}

export interface SchedulerDeps {
  config: Config;
  database: DatabaseHandle;
  clock: Clock;
  logger: Logger;
  providers: ProviderRegistry;
  status: StatusService;
  reissues: ReissueService;
  /**
   * Before each poll, CAs that validate only when asked are asked where the records are in place;
   * after it, orders stuck in validation are told so in their threads.
   */
  validation: Pick<ValidationService, "noticeStuck" | "askWhereReady">;
  /** Paced channel posts (alerts, stuck-order notices), shared with the issue announcements. */
  poster: ChannelPoster;
  /**
   * After each poll: renewal windows of certificates whose CA gives them (ACME), told or renewed
   * when they open. Absent where no such provider can be enabled (benchmarks).
   */
  renewalWindows?: Pick<RenewalWindows, "run">;
  /** Told when each job is scheduled and each run ends, and each expiry alert posted (metrics, /readyz). */
  recorder?: JobRecorder & AlertRecorder;
  /** FORECAST_CRON's chart in SSL_CHANNEL; absent (benchmarks), the weekly forecast is not scheduled. */
  forecast?: ForecastPoster;
  /**
   * PROBE_CRON's served-certificate probe; absent (benchmarks), it is not scheduled. It runs whether
   * or not SSL_CHANNEL is set: its problems go to each order's own thread, and Details and App Home
   * show what it found.
   */
  probe?: Pick<ServedProbe, "run">;
  /** CT_CRON's Certificate Transparency watch; absent (benchmarks), it is not scheduled. */
  ctWatch?: CtWatch;
}

export type JobName = "poll" | "expiry" | "forecast" | "probe" | "ct";

/** A job's schedule, as start() made it. */
export interface JobSchedule {
  /** The variable it comes from, for messages: POLL_CRON, EXPIRY_CRON, FORECAST_CRON, PROBE_CRON, CT_CRON. */
  variable: string;
  cron: string;
  /** The longest gap between its next runs (in TZ), in milliseconds. */
  intervalMs: number;
  /** Every gap is the same (an "every 15 minutes" schedule rather than "weekdays at 9"). */
  regular: boolean;
}

/** A run that ended: here (ok, failed), or skipped because another replica held the job's lock. */
export interface JobRun {
  startedAt: Date;
  endedAt: Date;
  /** Measured on a monotonic clock. */
  durationSeconds: number;
  outcome: "ok" | "failed" | "elsewhere";
}

/** What the scheduler tells about its jobs; it never reads anything back. */
export interface JobRecorder {
  scheduled(job: JobName, schedule: JobSchedule, at: Date): void;
  ran(job: JobName, run: JobRun): void;
}

const NO_RECORDER: JobRecorder & AlertRecorder = {
  scheduled: () => undefined,
  ran: () => undefined,
  alertPosted: () => undefined,
};

/** Runs looked at to find a schedule's longest gap: enough to see a weekend or a month's end. */
const RUNS_FOR_INTERVAL = 12;

/** The longest gap between a scheduled task's next runs, and whether every gap is the same. */
export function scheduleOf(variable: string, task: ScheduledTask): JobSchedule {
  const runs = task.getNextRuns(RUNS_FOR_INTERVAL).map((run) => run.getTime());
  const gaps = runs.slice(1).map((time, index) => time - (runs[index] ?? time));
  const intervalMs = Math.max(0, ...gaps);
  return {
    variable,
    cron: task.getPattern(),
    intervalMs,
    regular: gaps.every((gap) => gap === intervalMs),
  };
}

/** PostgreSQL advisory lock keys: with several replicas on one database, each job runs on one. */
export const JOB_LOCK_KEYS: Record<JobName, number> = {
  poll: 727_101,
  expiry: 727_102,
  forecast: 727_103,
  probe: 727_104,
  ct: 727_105,
};
const LABELS: Record<JobName, string> = {
  poll: "pending-order poll",
  expiry: "expiry scan",
  forecast: "forecast post",
  probe: "served-certificate probe",
  ct: "Certificate Transparency watch",
};

const isAbort = (error: unknown) => error instanceof Error && error.name === "AbortError";

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { config, database, clock, logger } = deps;
  const db = database.db;
  const channel = config.channel;
  const { poster } = deps;
  const recorder = deps.recorder ?? NO_RECORDER;
  const stopping = new AbortController();

  const poller = createPoller({
    db,
    providers: deps.providers,
    status: deps.status,
    clock,
    logger,
    signal: stopping.signal,
  });
  const alerts = channel
    ? createExpiryAlerts({
        db,
        clock,
        logger,
        alerts: createExpiryAlertPoster({ poster, channel, logger }),
        thresholds: config.schedule.expiryDays,
        digest: config.schedule.expiryDigest,
        stuckAfterHours: config.stuckAfterHours,
        recorder,
      })
    : undefined;

  const autoReissue = createAutoReissue({
    db,
    clock,
    logger,
    reissues: deps.reissues,
    days: config.autoReissueDays,
    signal: stopping.signal,
  });

  const forecast =
    channel && deps.forecast
      ? createForecastJob({ poster: deps.forecast, channel, logger, signal: stopping.signal })
      : undefined;

  const ctWatch =
    channel && deps.ctWatch
      ? createCtWatchJob({
          watch: deps.ctWatch,
          poster: createCtSightingPoster({ poster, channel, searchUrl: config.ctSearchUrl }),
          logger,
          signal: stopping.signal,
        })
      : undefined;

  const running = new Map<JobName, Promise<unknown>>();

  function runJob<T>(name: JobName, job: () => Promise<T>): Promise<T | undefined> {
    if (running.has(name)) {
      logger.debug(`The ${LABELS[name]} is still running; this run is skipped.`);
      return Promise.resolve(undefined);
    }
    const startedAt = clock.now();
    const started = performance.now();
    let ranHere = false;
    const run = database
      .withAdvisoryLock(JOB_LOCK_KEYS[name], () => {
        ranHere = true;
        return job();
      })
      .then((result) => {
        if (result.ran) return result.value;
        logger.debug(`Another replica is running the ${LABELS[name]}; this one skips it.`);
        return undefined;
      });
    running.set(name, run);
    const ended = (outcome: JobRun["outcome"]) => {
      running.delete(name);
      const durationSeconds = (performance.now() - started) / 1_000;
      recorder.ran(name, { startedAt, endedAt: clock.now(), durationSeconds, outcome });
    };
    run.then(
      () => ended(ranHere ? "ok" : "elsewhere"),
      () => ended("failed"),
    );
    return run;
  }

  const runPoll = () =>
    runJob("poll", async () => {
      // First: a CA that validates only when asked (ACME) is asked for each order whose records
      // are in place, so the status checks below can already find some validated.
      const asked = await deps.validation.askWhereReady({ signal: stopping.signal });
      const polled = await poller.run();
      // After the poll, so an order validated meanwhile is not called stuck.
      const told = await deps.validation.noticeStuck({
        hours: config.stuckAfterHours,
        signal: stopping.signal,
      });
      for (const order of told) {
        logger.info(
          `${order.reference} has waited for validation over ${config.stuckAfterHours} hours; told in its thread.`,
        );
      }
      // After the poll, so a certificate issued this round has its window at once.
      const windows = await deps.renewalWindows?.run({ signal: stopping.signal });
      const summary = {
        ...polled,
        askedToValidate: asked.length,
        stuckInValidation: told.length,
        renewalWindowsOpened: windows?.opened ?? 0,
      };
      const busy =
        summary.issued +
          summary.failed +
          summary.flagged +
          summary.stuckInValidation +
          summary.renewalWindowsOpened >
        0;
      logger[busy ? "info" : "debug"](
        `Poll: ${summary.checked} checked, ${summary.issued} issued, ${summary.failed} failed, ` +
          `${summary.skipped} not due, ${summary.flagged} flagged as stuck, ${summary.askedToValidate} asked to validate, ` +
          `${summary.stuckInValidation} stuck in validation told, ${summary.renewalWindowsOpened} renewal windows opened.`,
      );
      return summary;
    });

  const runExpiryScan = () =>
    runJob("expiry", async () => {
      const draftsDeleted = await deleteStaleDrafts(db, clock.now());
      // Alerts first: nothing the automatic reissue meets holds them up.
      const alerted = (await alerts?.run()) ?? { posted: 0, skipped: 0, failed: 0 };
      const reissued = await autoReissue.run();
      const summary = {
        ...alerted,
        draftsDeleted,
        reissued: reissued.sent,
        reissueFailed: reissued.failed,
      };
      logger[
        summary.posted + summary.failed + summary.reissued + summary.reissueFailed > 0 ? "info" : "debug"
      ](
        `Expiry scan: ${summary.posted} alerts posted, ${summary.skipped} thresholds skipped, ` +
          `${summary.failed} left for the next scan, ${draftsDeleted} stale drafts deleted, ` +
          `${summary.reissued} reissued automatically (${summary.reissueFailed} failed).`,
      );
      return summary;
    });

  const runForecast = () =>
    forecast ? runJob("forecast", () => forecast.run()) : Promise.resolve(undefined);

  const { probe } = deps;
  const runProbe = () =>
    probe
      ? runJob("probe", async () => {
          const summary = await probe.run({ signal: stopping.signal });
          logger[summary.told > 0 ? "info" : "debug"](
            `Served-certificate probe: ${summary.certificates} certificates, ${summary.looked} names looked at, ` +
              `${summary.served} served, ${summary.different} serving a different certificate, ` +
              `${summary.notServed} not served, ${summary.told} problems told in threads.`,
          );
          return summary;
        })
      : Promise.resolve(undefined);
  const runCtWatch = () => (ctWatch ? runJob("ct", () => ctWatch.run()) : Promise.resolve(undefined));

  const tasks: ScheduledTask[] = [];

  function fromCron(name: JobName, run: () => Promise<unknown>) {
    return () =>
      run().catch((error: unknown) => {
        if (isAbort(error)) logger.info(`The ${LABELS[name]} stopped with certdesk.`);
        else logger.error(`The ${LABELS[name]} failed:`, error);
      });
  }

  return {
    runPoll,
    runExpiryScan,
    runForecast,
    runProbe,
    runCtWatch,
    start() {
      if (tasks.length > 0) return;
      if (!channel) {
        logger.info(
          "SSL_CHANNEL is not set: expiry alerts, issue announcements, the weekly forecast and the Certificate Transparency watch are off; pending orders are still polled.",
        );
      }
      const at = clock.now();
      /** One job on its cron (in TZ), named certdesk-<job>, and told to the recorder. */
      const add = (job: JobName, variable: string, cron: string, run: () => Promise<unknown>) => {
        const task = schedule(cron, fromCron(job, run), {
          name: `certdesk-${job}`,
          timezone: config.schedule.timeZone,
          noOverlap: true,
        });
        tasks.push(task);
        recorder.scheduled(job, scheduleOf(variable, task), at);
      };
      add("poll", "POLL_CRON", config.schedule.pollCron, runPoll);
      add("expiry", "EXPIRY_CRON", config.schedule.expiryCron, runExpiryScan);
      if (probe) add("probe", "PROBE_CRON", config.schedule.probeCron, runProbe);
      if (forecast) add("forecast", "FORECAST_CRON", config.schedule.forecastCron, runForecast);
      if (ctWatch) add("ct", "CT_CRON", config.schedule.ctCron, runCtWatch);
    },
    async stop() {
      await Promise.all(tasks.splice(0).map((task) => task.destroy()));
      stopping.abort();
      await Promise.allSettled(running.values());
    },
  };
}
