import { getTasks } from "node-cron";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { JOB_LOCK_KEYS, type Scheduler } from "../../src/jobs/scheduler.js";
import { testDatabaseUrl } from "../support/database.js";
import { insertForecastCertificates } from "../support/forecast.js";
import { startTestApp, type TestApp, useTestApp } from "../support/harness.js";
import { uploadedPng } from "../support/uploads.js";
import { testScheduler } from "./jobs-support.js";

/** FORECAST_CRON: the forecast chart posted in SSL_CHANNEL, run here by hand with the TestClock. */

const t = useTestApp({ env: { SSL_CHANNEL: "C0SSL" } });
let scheduler: Scheduler;
beforeAll(async () => {
  scheduler = await testScheduler(t);
  await t.app.catalogue.get();
});
afterAll(async () => {
  await scheduler.stop();
});

/** One certificate reissued and one renewed within the weeks shown, one beyond them. */
beforeEach(async () => {
  await insertForecastCertificates(t.database.db, t.clock.now());
});

describe("the weekly forecast", () => {
  it("posts the chart of the next 26 weeks from the clock's week in SSL_CHANNEL", async () => {
    t.clock.set(new Date("2027-01-04T09:00:00Z"));
    const summary = await scheduler.runForecast();
    expect(summary).toEqual({
      fileId: expect.stringMatching(/^F/),
      expiring: 2,
      reissuesDue: 1,
      renewalsDue: 1,
      renewalCost: "8.95",
      currency: "USD",
    });
    const { completed, requested, png } = await uploadedPng(t.slack, "C0SSL");
    expect(requested.args.filename).toBe("certdesk-forecast-2027-W01.png");
    expect(String(completed.args.initial_comment)).toMatch(
      /^\*certdesk — next 26 weeks\* \(4 Jan 2027 – 4 Jul 2027, weeks from Monday in UTC\): 2 certificates expiring/,
    );
    expect([png.width, png.height]).toEqual([1200, 600]);
    expect(t.slack.callsTo("files.completeUploadExternal")).toHaveLength(1);
    expect(t.logLines.some((line) => line.includes("Forecast posted in C0SSL: 2 expiring"))).toBe(true);
  });

  it("says how to fix SSL_CHANNEL when Slack will not take the chart there, every time it tries", async () => {
    t.slack.on("files.completeUploadExternal", () => ({ body: { ok: false, error: "not_in_channel" } }));
    for (let run = 0; run < 2; run += 1) {
      await expect(scheduler.runForecast()).rejects.toThrow(
        "The forecast cannot be posted in SSL_CHANNEL C0SSL (not_in_channel): invite the bot there (/invite @certdesk) or fix SSL_CHANNEL.",
      );
    }
  });
});

describe("FORECAST_CRON", () => {
  it("defaults to Mondays at 09:00 and refuses what is not a cron expression", () => {
    const minimal = { SLACK_BOT_TOKEN: "xoxb-1-abc", SLACK_SIGNING_SECRET: "s3cr3t" };
    expect(loadConfig(minimal).schedule.forecastCron).toBe("0 9 * * 1");
    expect(loadConfig({ ...minimal, FORECAST_CRON: "0 8 * * 5" }).schedule.forecastCron).toBe("0 8 * * 5");
    let error: unknown;
    try {
      loadConfig({ ...minimal, FORECAST_CRON: "mondays" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'FORECAST_CRON "mondays" is not a cron expression: use five fields, e.g. "*/15 * * * *"',
    ]);
  });

  describe("scheduled with SSL_CHANNEL", () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        env: { SSL_CHANNEL: "C0SSL", FORECAST_CRON: "30 8 * * 1", TZ: "Europe/Berlin" },
        keepCron: true,
      });
    });
    afterAll(async () => {
      await app?.stop();
    });

    it("runs in TZ, next on a Monday at 08:30 there", () => {
      const task = [...getTasks().values()].find((candidate) => candidate.name === "certdesk-forecast");
      expect(task?.getPattern()).toBe("30 8 * * 1");
      const next = task?.getNextRun();
      expect(
        next?.toLocaleString("en-GB", {
          timeZone: "Europe/Berlin",
          weekday: "short",
          hour: "2-digit",
          minute: "2-digit",
        }),
      ).toBe("Mon 08:30");
    });
  });
});

describe.skipIf(!testDatabaseUrl)("with replicas (runs only with TEST_DATABASE_URL)", () => {
  it("posts nothing on a replica while another holds the forecast's advisory lock", async () => {
    const held = await t.database.withAdvisoryLock(JOB_LOCK_KEYS.forecast, () => scheduler.runForecast());
    expect(held).toEqual({ ran: true, value: undefined });
    expect(t.slack.callsTo("files.getUploadURLExternal")).toEqual([]);
  });
});
