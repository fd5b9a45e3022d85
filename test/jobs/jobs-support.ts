import type { Config } from "../../src/config.js";
import { createScheduler, type Scheduler } from "../../src/jobs/scheduler.js";
import { createLogger, LogLevel } from "../../src/log.js";
import type { Sleeper } from "../../src/slack/channel-poster.js";
import { createSlackClients } from "../../src/slack/clients.js";
import { createForecastPoster } from "../../src/slack/forecast-poster.js";
import { createSlack } from "../../src/slack/slack.js";
import type { TestApp } from "../support/harness.js";

export const DAY_MS = 86_400_000;

/** Virtual time for channel pacing and Retry-After waits: sleeping moves it, nothing waits. */
export class FakeSleeper implements Sleeper {
  elapsed = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.elapsed;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.elapsed += ms;
  }
}

/**
 * A scheduler over the test app's database, providers, catalogue, clock and Slack fake, with a fake
 * sleeper.
 * The app's own scheduler is stopped so its cron never fires during a test.
 */
export async function testScheduler(
  t: TestApp,
  options: { sleeper?: Sleeper; config?: Partial<Config["schedule"]> } = {},
): Promise<Scheduler> {
  await t.app.scheduler.stop();
  const logger = createLogger(LogLevel.DEBUG, {
    format: t.config.logFormat ?? "pretty",
    sink: (_level, line) => t.logLines.push(line),
  });
  const config = { ...t.config, schedule: { ...t.config.schedule, ...options.config } };
  const slack = createSlack({
    clients: createSlackClients({
      botToken: t.config.slack.botToken,
      apiUrl: t.config.slack.apiUrl,
      logger,
    }),
    logger,
    sleeper: options.sleeper ?? new FakeSleeper(),
  });
  const scheduler = createScheduler({
    config,
    database: t.database,
    clock: t.clock,
    logger,
    providers: t.providers,
    status: t.app.status,
    reissues: t.app.reissues,
    validation: t.app.validation,
    renewalWindows: t.app.renewalWindows,
    probe: t.app.servedProbe,
    poster: slack.background,
    forecast: createForecastPoster({
      db: t.database.db,
      clock: t.clock,
      config,
      catalogue: t.app.catalogue,
      slack,
    }),
    ctWatch: t.app.ctWatch,
  });
  return scheduler;
}

export { insertOrder } from "../support/orders.js";
