import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Scheduler } from "../src/jobs/scheduler.js";
import { insertOrder, testScheduler } from "./jobs/jobs-support.js";
import { createAcmeClient } from "./support/fixtures.js";
import { useTestApp } from "./support/harness.js";

/**
 * The running app with LOG_FORMAT=json, as a log stack reads it: each line one JSON object, and
 * each line about an order carrying its reference as `order`, without the call site passing it.
 */

const t = useTestApp({ env: { SSL_CHANNEL: "C0SSL", LOG_FORMAT: "json" } });
let scheduler: Scheduler;
let clientId: number;
beforeAll(async () => {
  scheduler = await testScheduler(t);
});
afterAll(async () => {
  await scheduler.stop();
});
beforeEach(async () => {
  clientId = (await createAcmeClient(t.database.db)).id;
});

const records = () => t.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe("log lines about an order (LOG_FORMAT=json)", () => {
  it("carry the order's reference as a field, an error as a structured err", async () => {
    t.slack.on("chat.postMessage", () => ({ body: { ok: false, error: "channel_not_found" } }));
    await insertOrder(t.database.db, {
      clientId,
      domain: "stuck.example.com",
      status: "submitting",
      slackChannel: "C0SSL",
      slackThreadTs: "1700000000.000100",
      updatedAt: new Date(t.clock.now().getTime() - 11 * 60_000),
    });
    expect(await scheduler.runPoll()).toMatchObject({ flagged: 1 });
    await t.app.settled();
    await expect
      .poll(() => records().filter((record) => String(record.msg).includes("stuck-order notice")))
      .toHaveLength(1);

    const aboutTheOrder = records().filter((record) => String(record.msg).includes("SSL-1001"));
    expect(aboutTheOrder.map((record) => [record.level, record.msg, record.order])).toEqual(
      expect.arrayContaining([
        ["warn", "SSL-1001 has been submitting for over 10 minutes; flagged in its thread.", "SSL-1001"],
        ["error", "Could not post the stuck-order notice of SSL-1001:", "SSL-1001"],
      ]),
    );
    for (const record of aboutTheOrder) expect(record.order).toBe("SSL-1001");
    const failed = aboutTheOrder.find((record) => record.level === "error");
    expect(failed?.err).toMatchObject({
      message: expect.stringContaining("channel_not_found"),
      stack: expect.stringContaining("\n"),
    });
    expect(records().every((record) => typeof record.time === "string" && record.name !== undefined)).toBe(
      true,
    );
  });
});
