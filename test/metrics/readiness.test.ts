import { createTask } from "node-cron";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { scheduleOf } from "../../src/jobs/scheduler.js";
import { duration } from "../../src/metrics/readiness.js";
import { startTestApp, type TestApp, useTestApp } from "../support/harness.js";
import { scrape } from "../support/prometheus.js";

const MINUTE_MS = 60_000;

interface Readiness {
  status: number;
  body: { status: string; problems: string[]; checks: Record<string, string> };
}

async function readyz(url: string): Promise<Readiness> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness["body"] };
}

describe("a job's interval", () => {
  it("is the longest gap between the expression's next runs", () => {
    const HOUR_MS = 60 * MINUTE_MS;
    const cases = [
      ["*/15 * * * *", 15 * MINUTE_MS, true],
      ["0 9 * * *", 24 * HOUR_MS, true],
      ["0 9,17 * * *", 16 * HOUR_MS, false],
      ["0 9 * * 1-5", 72 * HOUR_MS, false],
    ] as const;
    for (const [cron, intervalMs, regular] of cases) {
      const task = createTask(cron, () => undefined, { timezone: "UTC" });
      try {
        expect(scheduleOf("POLL_CRON", task)).toEqual({ variable: "POLL_CRON", cron, intervalMs, regular });
      } finally {
        void task.destroy();
      }
    }
    expect([15 * MINUTE_MS, 24 * HOUR_MS, 72 * HOUR_MS, 30_000].map(duration)).toEqual([
      "15 min",
      "24 h",
      "3 days",
      "30 s",
    ]);
  });
});

describe("/readyz in HTTP mode", () => {
  // A poll every 5 minutes: overdue after 10 without a run. The harness stops the cron after start,
  // so only the test runs the jobs, on the test clock.
  const t = useTestApp({ env: { POLL_CRON: "*/5 * * * *" }, resetEachTest: false });

  it("is 200 when the database answers and no job is overdue, saying HTTP mode holds no connection", async () => {
    const ready = await readyz(t.url);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: "ready",
      problems: [],
      checks: {
        database: "ok",
        slack: "HTTP mode: no connection to hold (events arrive as requests)",
        poll: "no run since start 2026-11-27T10:00:00.000Z (POLL_CRON every 5 min)",
        expiry: "no run since start 2026-11-27T10:00:00.000Z (EXPIRY_CRON every 24 h)",
        probe: "no run since start 2026-11-27T10:00:00.000Z (PROBE_CRON every 24 h)",
      },
    });
    // Liveness is as it was.
    const health = await fetch(`${t.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { db: "ok" }]);
  });

  it("is 503 naming a job that has not run for two of its intervals, and 200 again once it ran", async () => {
    t.clock.advance(10 * MINUTE_MS);
    expect((await readyz(t.url)).status).toBe(200);

    t.clock.advance(MINUTE_MS);
    const overdue = await readyz(t.url);
    expect(overdue.status).toBe(503);
    expect(overdue.body.status).toBe("not ready");
    expect(overdue.body.problems).toEqual([
      "poll: no run since start 2026-11-27T10:00:00.000Z, overdue (POLL_CRON every 5 min)",
    ]);

    await t.app.scheduler.runPoll();
    const ran = await readyz(t.url);
    expect(ran.status).toBe(200);
    expect(ran.body.checks.poll).toBe("last run 2026-11-27T10:11:00.000Z (POLL_CRON every 5 min)");

    t.clock.advance(11 * MINUTE_MS);
    expect((await readyz(t.url)).body.problems).toEqual([
      "poll: last run 2026-11-27T10:11:00.000Z, overdue (POLL_CRON every 5 min)",
    ]);
    // The daily expiry scan and served-certificate probe are overdue only after two days without a run.
    t.clock.advance(2 * 24 * 60 * MINUTE_MS);
    expect((await readyz(t.url)).body.problems).toEqual([
      "poll: last run 2026-11-27T10:11:00.000Z, overdue (POLL_CRON every 5 min)",
      "expiry: no run since start 2026-11-27T10:00:00.000Z, overdue (EXPIRY_CRON every 24 h)",
      "probe: no run since start 2026-11-27T10:00:00.000Z, overdue (PROBE_CRON every 24 h)",
    ]);
  });
});

describe("/readyz when the database does not answer", () => {
  let t: TestApp;
  beforeAll(async () => {
    // A database of its own, so closing it harms no other test's.
    const handle = await openDatabase({ kind: "pglite" });
    t = await startTestApp({ database: { ...handle, truncateAll: async () => {} } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it("is 503 naming the database, while /metrics still answers without the database's gauges", async () => {
    expect((await readyz(t.url)).status).toBe(200);

    await t.database.close();

    const down = await readyz(t.url);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe("not ready");
    expect(down.body.problems).toHaveLength(1);
    expect(down.body.problems[0]).toMatch(/^database: \S/);
    expect(down.body.checks.database).not.toBe("ok");
    expect((await fetch(`${t.url}/healthz`)).status).toBe(503);

    const metrics = await scrape(t.url);
    expect(metrics.value("certdesk_database_up")).toBe(0);
    expect(metrics.value("certdesk_orders", { status: "pending", provider: "sandbox" })).toBeUndefined();
    expect(metrics.types.get("certdesk_provider_call_duration_seconds")).toBe("histogram");
  });
});

describe("/readyz in Socket Mode", () => {
  const t = useTestApp({ mode: "socket", resetEachTest: false });

  it("is 200 while the socket is connected, 503 while it reconnects, 200 once it is back", async () => {
    const connected = await readyz(t.url);
    expect(connected.status).toBe(200);
    expect(connected.body.checks.slack).toBe("socket connected");
    expect((await scrape(t.url)).value("certdesk_slack_socket_connected")).toBe(1);

    // Slack asks for a refresh: the app closes the socket and connects again after its delay.
    await t.socket?.requestRefresh();
    await vi.waitFor(async () => expect((await readyz(t.url)).status).toBe(503), { timeout: 5_000 });
    const reconnecting = await readyz(t.url);
    expect(reconnecting.body.problems).toEqual(["slack: socket not connected"]);
    expect((await scrape(t.url)).value("certdesk_slack_socket_connected")).toBe(0);

    await vi.waitFor(async () => expect((await readyz(t.url)).status).toBe(200), {
      timeout: 15_000,
      interval: 200,
    });
    expect(t.socket?.connections).toBe(2);
  });
});
