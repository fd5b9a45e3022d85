import { count, eq } from "drizzle-orm";
import { getTasks } from "node-cron";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { alertsSent, orderDrafts } from "../../src/db/schema.js";
import { JOB_LOCK_KEYS } from "../../src/jobs/scheduler.js";
import { createTestDatabase, type TestDatabase, testDatabaseUrl } from "../support/database.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, type TestApp, useTestApp } from "../support/harness.js";
import { DAY_MS, insertOrder, testScheduler } from "./jobs-support.js";

describe("schedule configuration", () => {
  it("stops start-up with a clear message for a bad cron expression, threshold or time zone", () => {
    let error: unknown;
    try {
      loadConfig({
        SLACK_BOT_TOKEN: "xoxb-1-abc",
        SLACK_SIGNING_SECRET: "s3cr3t",
        POLL_CRON: "every 15 minutes",
        EXPIRY_CRON: "0 25 * * *",
        EXPIRY_DAYS: "30,-1",
        TZ: "Europe/Atlantis",
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'POLL_CRON "every 15 minutes" is not a cron expression: use five fields, e.g. "*/15 * * * *"',
      'EXPIRY_CRON "0 25 * * *" is not a cron expression: use five fields, e.g. "*/15 * * * *"',
      'EXPIRY_DAYS must be a comma list of whole numbers of days above 0, e.g. "30,14,7,1"',
      'TZ "Europe/Atlantis" is not a time zone: use an IANA name like Europe/Berlin',
    ]);
  });
});

describe("scheduler without SSL_CHANNEL", () => {
  const t = useTestApp({
    env: { TZ: "Asia/Tokyo", EXPIRY_CRON: "30 9 * * *" },
    keepCron: true,
    resetEachTest: false,
  });

  it("posts no alerts but still deletes order drafts older than a day", async () => {
    const clientId = (await createAcmeClient(t.database.db)).id;
    const now = t.clock.now();
    await insertOrder(t.database.db, {
      clientId,
      domain: "www.example.com",
      notAfter: new Date(now.getTime() + DAY_MS),
    });
    await t.database.db.insert(orderDrafts).values([
      {
        userId: "U0ANN",
        data: {},
        createdAt: new Date(now.getTime() - 2 * DAY_MS),
        updatedAt: new Date(now.getTime() - 2 * DAY_MS),
      },
      { userId: "U0ANN", data: {}, createdAt: now, updatedAt: now },
    ]);

    expect(await t.app.scheduler.runExpiryScan()).toEqual({
      posted: 0,
      skipped: 0,
      failed: 0,
      draftsDeleted: 1,
      reissued: 0,
      reissueFailed: 0,
    });
    expect(t.slack.callsTo("chat.postMessage")).toHaveLength(0);
    const [drafts] = await t.database.db.select({ total: count() }).from(orderDrafts);
    expect(drafts?.total).toBe(1);
    const [alerts] = await t.database.db.select({ total: count() }).from(alertsSent);
    expect(alerts?.total).toBe(0);
  });

  it("schedules the poll, expiry scan and probe in TZ, says once that alerts are off, and stops the jobs with the app", async () => {
    const tasks = [...getTasks().values()].filter((task) => task.name?.startsWith("certdesk-"));
    expect(tasks.map((task) => task.getPattern()).sort()).toEqual([
      "*/15 * * * *",
      "0 6 * * *",
      "30 9 * * *",
    ]);
    const expiry = tasks.find((task) => task.name === "certdesk-expiry");
    // 09:30 in Tokyo (UTC+9, no daylight saving) is 00:30 UTC.
    expect(expiry?.getNextRun()?.toISOString()).toMatch(/T00:30:00\.000Z$/);
    expect(t.logLines.filter((line) => line.includes("SSL_CHANNEL is not set"))).toEqual([
      expect.stringContaining(
        "SSL_CHANNEL is not set: expiry alerts, issue announcements, the weekly forecast and the Certificate Transparency watch are off; pending orders are still polled.",
      ),
    ]);

    // Nowhere to post: the forecast and the Certificate Transparency watch do not run at all.
    expect(await t.app.scheduler.runForecast()).toBeUndefined();
    expect(await t.app.scheduler.runCtWatch()).toBeUndefined();

    await t.app.scheduler.stop();
    expect([...getTasks().values()].filter((task) => task.name?.startsWith("certdesk-"))).toEqual([]);
  });
});

describe.skipIf(!testDatabaseUrl)(
  "two replicas on one PostgreSQL database (runs only with TEST_DATABASE_URL)",
  () => {
    let database: TestDatabase;
    let a: TestApp;
    let b: TestApp;
    beforeAll(async () => {
      database = await createTestDatabase();
      a = await startTestApp({ env: { SSL_CHANNEL: "C0SSL" }, database });
      b = await startTestApp({ env: { SSL_CHANNEL: "C0SSL" }, database });
    });
    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      await database?.close();
    });
    beforeEach(async () => {
      await database.truncateAll();
      a.slack.reset();
      b.slack.reset();
    });

    const alertTexts = () =>
      [...a.slack.callsTo("chat.postMessage"), ...b.slack.callsTo("chat.postMessage")].map((call) =>
        String(call.args.text),
      );

    it("posts each alert once when both replicas scan at the same moment", async () => {
      const clientId = (await createAcmeClient(database.db)).id;
      const now = a.clock.now().getTime();
      for (let index = 0; index < 20; index += 1) {
        await insertOrder(database.db, {
          clientId,
          domain: `host${index}.example.com`,
          notAfter: new Date(now + 5 * DAY_MS + index * 60_000),
        });
      }
      const [first, second] = [await testScheduler(a), await testScheduler(b)];
      await Promise.all([first.runExpiryScan(), second.runExpiryScan()]);
      await Promise.all([first.runExpiryScan(), second.runExpiryScan()]);
      await Promise.all([first.stop(), second.stop()]);

      const posted = alertTexts().map((text) => text.split(" ")[2]);
      expect(posted).toHaveLength(20);
      expect(new Set(posted).size).toBe(20);
      const [rows] = await database.db
        .select({ total: count() })
        .from(alertsSent)
        .where(eq(alertsSent.threshold, 7));
      expect(rows?.total).toBe(20);
    });

    it("skips a job on one replica while another holds its advisory lock", async () => {
      const scheduler = await testScheduler(b);
      const held = await database.withAdvisoryLock(JOB_LOCK_KEYS.expiry, async () => ({
        expiry: await scheduler.runExpiryScan(),
        poll: await scheduler.runPoll(),
      }));
      expect(held).toEqual({
        ran: true,
        value: {
          expiry: undefined,
          poll: {
            checked: 0,
            issued: 0,
            failed: 0,
            skipped: 0,
            flagged: 0,
            askedToValidate: 0,
            stuckInValidation: 0,
            renewalWindowsOpened: 0,
          },
        },
      });
      expect(await scheduler.runExpiryScan()).toMatchObject({ posted: 0, draftsDeleted: 0 });
      await scheduler.stop();
    });
  },
);
