import type { Clock } from "../clock.js";
import type { JobState } from "./metrics.js";

/**
 * GET /readyz: whether this replica should be sent work. /healthz stays the liveness check (the
 * process answers and its database pings); ready asks more:
 * - the database answers a ping within 2 seconds;
 * - Socket Mode: the socket to Slack is connected (HTTP mode has no connection to hold: events
 *   arrive as requests, so there is nothing to check there, and the body says so);
 * - no scheduled job is overdue: a job is overdue when its last run ended (or, before any run,
 *   the scheduler started) longer ago than two of its cron intervals. The interval is the longest
 *   gap between the expression's next runs in TZ (15 minutes for "*\/15 * * * *", 24 hours for
 *   "0 9 * * *", 72 hours for "0 9 * * 1-5" over a weekend). A run skipped because another replica
 *   held the job's lock counts as a run: the job ran, there.
 */

export interface ReadinessDeps {
  clock: Clock;
  ping(): Promise<void>;
  /** Socket Mode: whether the socket is connected now. Absent in HTTP mode. */
  socketConnected?: () => boolean;
  jobs(): JobState[];
  pingTimeoutMs?: number;
}

export interface ReadinessReport {
  status: "ready" | "not ready";
  /** What is wrong, one line each, naming the part first ("database: …", "slack: …", "poll: …"). */
  problems: string[];
  /** Each part as it is, also when fine. */
  checks: Record<string, string>;
}

const PING_TIMEOUT_MS = 2_000;
/** A job is overdue after this many of its intervals without a run. */
export const OVERDUE_INTERVALS = 2;
const HTTP_MODE = "HTTP mode: no connection to hold (events arrive as requests)";

export function createReadiness(deps: ReadinessDeps): { check(): Promise<ReadinessReport> } {
  const pingTimeoutMs = deps.pingTimeoutMs ?? PING_TIMEOUT_MS;

  async function database(): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        deps.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${pingTimeoutMs / 1_000} s`)),
            pingTimeoutMs,
          );
          timer.unref();
        }),
      ]);
      return undefined;
    } catch (error) {
      return describeError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async check() {
      const problems: string[] = [];
      const checks: Record<string, string> = {};

      const dbProblem = await database();
      checks.database = dbProblem ?? "ok";
      if (dbProblem) problems.push(`database: ${dbProblem}`);

      if (!deps.socketConnected) checks.slack = HTTP_MODE;
      else if (deps.socketConnected()) checks.slack = "socket connected";
      else {
        checks.slack = "socket not connected";
        problems.push("slack: socket not connected");
      }

      const now = deps.clock.now();
      for (const state of deps.jobs()) {
        const { overdue, text } = describeJob(state, now);
        checks[state.job] = text;
        if (overdue) problems.push(`${state.job}: ${text}`);
      }

      return { status: problems.length === 0 ? "ready" : "not ready", problems, checks };
    },
  };
}

function describeJob(state: JobState, now: Date): { overdue: boolean; text: string } {
  const { schedule, last } = state;
  const since = last?.endedAt ?? state.scheduledAt;
  const overdue = now.getTime() - since.getTime() > OVERDUE_INTERVALS * schedule.intervalMs;
  const every = schedule.regular
    ? `every ${duration(schedule.intervalMs)}`
    : `up to ${duration(schedule.intervalMs)} apart`;
  const when = last
    ? `last run ${last.endedAt.toISOString()}${last.outcome === "ok" ? "" : ` (${last.outcome === "elsewhere" ? "on another replica" : "failed"})`}`
    : `no run since start ${state.scheduledAt.toISOString()}`;
  return { overdue, text: `${when}${overdue ? ", overdue" : ""} (${schedule.variable} ${every})` };
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** 15 min, 24 h, 3 days, 30 s. */
export function duration(ms: number): string {
  if (ms >= 2 * DAY_MS && ms % DAY_MS === 0) return `${ms / DAY_MS} days`;
  if (ms >= HOUR_MS && ms % HOUR_MS === 0) return `${ms / HOUR_MS} h`;
  if (ms >= MINUTE_MS && ms % MINUTE_MS === 0) return `${ms / MINUTE_MS} min`;
  return `${Math.round(ms / 1_000)} s`;
}

/** The first line of an error's message, short: a driver's reason ("connect ECONNREFUSED …"), never a URL's password. */
function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  const line = (message.split("\n")[0] ?? "").replace(/\/\/[^@/\s]*@/g, "//***@").slice(0, 200);
  const text = line || (typeof code === "string" ? code : "unavailable");
  return typeof code === "string" && !text.includes(code) ? `${text} (${code})` : text;
}
