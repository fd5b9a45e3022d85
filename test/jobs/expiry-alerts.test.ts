import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { alertsSent, clients, orderEvents, orders } from "../../src/db/schema.js";
import type { Scheduler } from "../../src/jobs/scheduler.js";
import { expiryDigestMessages } from "../../src/views/alert-message.js";
import { createAcmeClient } from "../support/fixtures.js";
import { useTestApp } from "../support/harness.js";
import { messageButton, textOf } from "../support/modal.js";
import type { RecordedCall } from "../support/slack-api-fake.js";
import { DAY_MS, FakeSleeper, insertOrder, testScheduler } from "./jobs-support.js";

const t = useTestApp({ env: { SSL_CHANNEL: "C0SSL" } });
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

/** Noon UTC, so the date reads the same in any time zone the tests run in. */
const NOT_AFTER = new Date("2027-01-10T12:00:00Z");
const THREAD = "1700000000.000100";

const alertPosts = () =>
  t.slack.callsTo("chat.postMessage").filter((call) => call.args.channel === "C0SSL" && !call.args.thread_ts);
const alertTexts = () => alertPosts().map((call) => String(call.args.text));

async function scanAt(daysLeft: number, notAfter = NOT_AFTER) {
  t.clock.set(new Date(notAfter.getTime() - daysLeft * DAY_MS));
  return scheduler.runExpiryScan();
}

/** Scans twice a day from `fromDays` left until a day after expiry. */
async function scanDaily(fromDays: number, toDays = -1): Promise<void> {
  for (let halfDays = fromDays * 2; halfDays >= toDays * 2; halfDays -= 1) await scanAt(halfDays / 2);
}

function buttonValue(call: RecordedCall, actionId: string): string | undefined {
  const blocks = call.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[];
  return blocks.flatMap((block) => block.elements ?? []).find((element) => element.action_id === actionId)
    ?.value;
}

const click = (message: { channel: string; ts: string }, actionId: string, value: string, userId = "U0ANN") =>
  t.driver.interactive(
    messageButton(message, actionId, value, { userId, responseUrl: t.slack.responseUrl() }),
  );

async function rows(orderId: number) {
  return t.database.db
    .select()
    .from(alertsSent)
    .where(eq(alertsSent.orderId, orderId))
    .orderBy(asc(alertsSent.threshold));
}

describe("expiry alerts", () => {
  it("posts each threshold once, then the expiry, each with a reply in the order's thread", async () => {
    const order = await insertOrder(t.database.db, {
      clientId,
      domain: "www.example.com",
      notAfter: NOT_AFTER,
      slackChannel: "C0SSL",
      slackThreadTs: THREAD,
    });
    await scanDaily(40);

    expect(alertTexts()).toEqual([
      "⏳ SSL-1001 www.example.com for Acme Ltd expires in 30 days, on 2027-01-10",
      "⏳ SSL-1001 www.example.com for Acme Ltd expires in 14 days, on 2027-01-10",
      "⏳ SSL-1001 www.example.com for Acme Ltd expires in 7 days, on 2027-01-10",
      "⏳ SSL-1001 www.example.com for Acme Ltd expires in 1 day, on 2027-01-10",
      "🚨 SSL-1001 www.example.com for Acme Ltd expired on 2027-01-10",
    ]);
    const first = alertPosts()[0] as RecordedCall;
    expect(buttonValue(first, "order_renew")).toBe(String(order.id));
    expect(buttonValue(first, "alert_snooze")).toMatch(/^\d+$/);
    expect(buttonValue(first, "alert_acknowledge")).toMatch(/^\d+$/);
    const replies = t.slack.callsTo("chat.postMessage").filter((call) => call.args.thread_ts === THREAD);
    expect(replies).toHaveLength(5);
    expect(String(replies[0]?.args.text)).toContain("expires in 30 days");

    const recorded = await rows(order.id);
    expect(recorded.map((row) => [row.kind, row.threshold])).toEqual([
      ["expired", 0],
      ["expiring", 1],
      ["expiring", 7],
      ["expiring", 14],
      ["expiring", 30],
    ]);
    for (const row of recorded)
      expect(row).toMatchObject({ slackChannel: "C0SSL", slackTs: expect.any(String) });
  });

  it("leaves a certificate with a renewal window (ACME) to its window, then alerts once the window passed", async () => {
    // The CA's window ends 10 days before expiry: the 30- and 14-day alerts would come before or
    // inside it, where the renewal-window job speaks; at its end the 14-day threshold, crossed
    // meanwhile, alerts at once (the window passed unrenewed), then the later ones as usual.
    await insertOrder(t.database.db, {
      clientId,
      domain: "www.example.com",
      notAfter: NOT_AFTER,
      renewalWindowStart: new Date(NOT_AFTER.getTime() - 20 * DAY_MS),
      renewalWindowEnd: new Date(NOT_AFTER.getTime() - 10 * DAY_MS),
    });
    await scanDaily(40);

    expect(alertTexts()).toEqual([
      "⏳ SSL-1001 www.example.com for Acme Ltd expires in 10 days, on 2027-01-10",
      "⏳ SSL-1001 www.example.com for Acme Ltd expires in 7 days, on 2027-01-10",
      "⏳ SSL-1001 www.example.com for Acme Ltd expires in 1 day, on 2027-01-10",
      "🚨 SSL-1001 www.example.com for Acme Ltd expired on 2027-01-10",
    ]);
  });

  it("alerts only the most urgent threshold crossed, and never the skipped ones later", async () => {
    const order = await insertOrder(t.database.db, {
      clientId,
      domain: "late.example.com",
      notAfter: NOT_AFTER,
    });
    await scanAt(6);
    expect(alertTexts()).toEqual([
      "⏳ SSL-1001 late.example.com for Acme Ltd expires in 6 days, on 2027-01-10",
    ]);
    expect(textOf(alertPosts()[0]?.args.blocks)).toContain("7-day expiry alert");
    expect((await rows(order.id)).map((row) => [row.threshold, row.slackTs === null])).toEqual([
      [7, false],
      [14, true],
      [30, true],
    ]);

    await scanDaily(5, 2);
    expect(alertPosts()).toHaveLength(1);
    await scanAt(1);
    expect(alertTexts().at(-1)).toContain("expires in 1 day");
  });

  it("uses the client's own thresholds when it has them", async () => {
    await t.database.db
      .update(clients)
      .set({ expiryDays: [10] })
      .where(eq(clients.id, clientId));
    await insertOrder(t.database.db, { clientId, domain: "custom.example.com", notAfter: NOT_AFTER });
    await scanDaily(40, 11);
    expect(alertPosts()).toHaveLength(0);
    await scanAt(10);
    expect(alertTexts()).toEqual([
      "⏳ SSL-1001 custom.example.com for Acme Ltd expires in 10 days, on 2027-01-10",
    ]);
  });

  it("skips thresholds crossed while snoozed; the next one after the snooze fires", async () => {
    const order = await insertOrder(t.database.db, {
      clientId,
      domain: "www.example.com",
      notAfter: NOT_AFTER,
    });
    await scanAt(30);
    const alert = alertPosts()[0] as RecordedCall;
    const message = { channel: "C0SSL", ts: (await rows(order.id))[0]?.slackTs ?? "" };

    t.clock.set(new Date(NOT_AFTER.getTime() - 16 * DAY_MS));
    expect((await click(message, "alert_snooze", buttonValue(alert, "alert_snooze") ?? "")).status).toBe(200);
    const edited = await t.slack.waitFor("chat.update");
    expect(edited.args).toMatchObject({ channel: "C0SSL", ts: message.ts });
    expect(textOf(edited.args.blocks)).toContain("Snoozed by <@U0ANN> until 2027-01-01");
    expect(textOf(edited.args.blocks)).not.toContain("alert_snooze");
    expect(textOf(edited.args.blocks)).toContain("order_renew");
    const [event] = await t.database.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.kind, "alert_snoozed"));
    expect(event).toMatchObject({
      orderId: order.id,
      actor: "U0ANN",
      detail: { until: "2027-01-01T12:00:00.000Z" },
    });

    await scanDaily(16);
    expect(alertTexts().map((text) => text.replace(/^.* (expire)/, "$1"))).toEqual([
      "expires in 30 days, on 2027-01-10",
      "expires in 7 days, on 2027-01-10",
      "expires in 1 day, on 2027-01-10",
      "expired on 2027-01-10",
    ]);
    expect((await rows(order.id)).find((row) => row.threshold === 14)).toMatchObject({ slackTs: null });
  });

  it("stops every alert of an order once someone acknowledges it, and says who did", async () => {
    const order = await insertOrder(t.database.db, {
      clientId,
      domain: "www.example.com",
      notAfter: NOT_AFTER,
    });
    await scanAt(30);
    const alertId = buttonValue(alertPosts()[0] as RecordedCall, "alert_acknowledge") ?? "";
    const message = { channel: "C0SSL", ts: (await rows(order.id))[0]?.slackTs ?? "" };

    await click(message, "alert_acknowledge", alertId, "U0ANN");
    const edited = await t.slack.waitFor("chat.update");
    expect(textOf(edited.args.blocks)).toContain(
      "Acknowledged by <@U0ANN>: no more alerts for this certificate.",
    );
    await click(message, "alert_acknowledge", alertId, "U0BOB");
    const reply = await t.slack.waitFor("response_url");
    expect(reply.args).toMatchObject({
      response_type: "ephemeral",
      text: ":information_source: <@U0ANN> already acknowledged SSL-1001.",
    });
    const events = await t.database.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.kind, "alert_acknowledged"));
    expect(events).toMatchObject([{ orderId: order.id, actor: "U0ANN" }]);

    await scanDaily(29);
    expect(alertPosts()).toHaveLength(1);
  });

  it("stops alerting a certificate once its renewal is issued", async () => {
    const original = await insertOrder(t.database.db, {
      clientId,
      domain: "www.example.com",
      notAfter: NOT_AFTER,
    });
    await scanAt(30);
    const renewal = await insertOrder(t.database.db, {
      clientId,
      domain: "www.example.com",
      status: "pending",
      renewalOfId: original.id,
    });
    await scanAt(14);
    expect(alertPosts()).toHaveLength(2);

    await t.database.db
      .update(orders)
      .set({ status: "issued", notAfter: new Date(NOT_AFTER.getTime() + 365 * DAY_MS) })
      .where(eq(orders.id, renewal.id));
    await scanDaily(13);
    expect(alertPosts()).toHaveLength(2);
  });

  it("retries, once, an alert whose row was written but never posted (a crash in between)", async () => {
    const order = await insertOrder(t.database.db, {
      clientId,
      domain: "www.example.com",
      notAfter: NOT_AFTER,
    });
    t.clock.set(new Date(NOT_AFTER.getTime() - 25 * DAY_MS));
    await t.database.db
      .insert(alertsSent)
      .values({ orderId: order.id, kind: "expiring", threshold: 30, createdAt: t.clock.now() });

    await scheduler.runExpiryScan();
    expect(alertPosts()).toHaveLength(0);

    t.clock.advance(10 * 60_000);
    expect(await scheduler.runExpiryScan()).toMatchObject({ posted: 1 });
    expect(alertTexts()).toEqual([
      "⏳ SSL-1001 www.example.com for Acme Ltd expires in 24 days, on 2027-01-10",
    ]);
    expect((await rows(order.id))[0]).toMatchObject({
      postedAt: expect.any(Date),
      slackTs: expect.any(String),
    });

    t.clock.advance(10 * 60_000);
    await scheduler.runExpiryScan();
    expect(alertPosts()).toHaveLength(1);
  });

  it("stops the scan when the bot cannot post in SSL_CHANNEL, says how to fix it, and catches up later", async () => {
    for (const domain of ["a.example.com", "b.example.com", "c.example.com"]) {
      await insertOrder(t.database.db, { clientId, domain, notAfter: NOT_AFTER });
    }
    t.slack.on("chat.postMessage", () => ({ body: { ok: false, error: "not_in_channel" } }));
    t.clock.set(new Date(NOT_AFTER.getTime() - 5 * DAY_MS));
    expect(await scheduler.runExpiryScan()).toMatchObject({ posted: 0 });
    expect(t.slack.callsTo("chat.postMessage")).toHaveLength(1);
    expect(t.logLines.filter((line) => line.includes("(not_in_channel): invite the bot there"))).toHaveLength(
      1,
    );

    t.slack.reset();
    t.clock.advance(10 * 60_000);
    expect(await scheduler.runExpiryScan()).toMatchObject({ posted: 3 });
    expect(alertTexts().map((text) => text.split(" ")[2])).toEqual([
      "a.example.com",
      "b.example.com",
      "c.example.com",
    ]);
  });

  it("posts each alert once when two schedulers scan the same database at the same moment", async () => {
    for (const domain of ["a.example.com", "b.example.com", "c.example.com"]) {
      await insertOrder(t.database.db, { clientId, domain, notAfter: NOT_AFTER });
    }
    const other = await testScheduler(t);
    t.clock.set(new Date(NOT_AFTER.getTime() - 5 * DAY_MS));
    await Promise.all([scheduler.runExpiryScan(), other.runExpiryScan()]);
    await other.stop();
    expect(
      alertTexts()
        .map((text) => text.split(" ")[2])
        .sort(),
    ).toEqual(["a.example.com", "b.example.com", "c.example.com"]);
  });
});

describe("posting many alerts", () => {
  async function insertExpiring(count: number): Promise<void> {
    t.clock.set(new Date(NOT_AFTER.getTime() - 6 * DAY_MS));
    for (let index = 0; index < count; index += 1) {
      await insertOrder(t.database.db, {
        clientId,
        domain: `host${String(index).padStart(3, "0")}.example.com`,
        notAfter: new Date(NOT_AFTER.getTime() + index * 60_000),
      });
    }
  }

  it("posts 300 alerts in order, one a second, waiting out Slack's 429s", async () => {
    await insertExpiring(300);
    const sleeper = new FakeSleeper();
    const paced = await testScheduler(t, { sleeper });
    t.slack.rateLimit("chat.postMessage", 2, 1);

    expect(await paced.runExpiryScan()).toMatchObject({ posted: 300, failed: 0 });
    await paced.stop();
    expect(t.slack.callsTo("chat.postMessage#ratelimited")).toHaveLength(2);
    expect(alertTexts().map((text) => text.split(" ")[2])).toEqual(
      Array.from({ length: 300 }, (_, index) => `host${String(index).padStart(3, "0")}.example.com`),
    );
    expect(sleeper.sleeps.filter((ms) => ms === 1_000).length).toBeGreaterThanOrEqual(299);
    expect(sleeper.elapsed).toBeGreaterThanOrEqual(299_000 + 2_000);
  });

  it("EXPIRY_DIGEST: one digest message per scan instead of one each, with every alert row written", async () => {
    await insertExpiring(120);
    const digest = await testScheduler(t, { config: { expiryDigest: true } });
    expect(await digest.runExpiryScan()).toMatchObject({ posted: 120 });
    expect(await digest.runExpiryScan()).toMatchObject({ posted: 0 });
    await digest.stop();

    const [post, ...others] = alertPosts();
    expect(others).toHaveLength(0);
    expect(post?.args.text).toBe("⏳ Expiry digest: 120 certificates crossed an alert threshold");
    const lines = ((post?.args.blocks ?? []) as { text: { text: string } }[])
      .slice(1)
      .flatMap((block) => block.text.text.split("\n"));
    expect(lines).toHaveLength(120);
    expect(lines[0]).toBe(
      "• ⏳ *SSL-1001* host000.example.com for Acme Ltd expires in 6 days, on 2027-01-10",
    );
    const written = await t.database.db.select().from(alertsSent);
    expect(written).toHaveLength(3 * 120);
    expect(written.filter((row) => row.slackTs !== null)).toHaveLength(120);
  });

  it("EXPIRY_DIGEST: counts the orders waiting for validation longer than STUCK_AFTER_HOURS", async () => {
    await insertExpiring(2);
    const stuck = await insertOrder(t.database.db, {
      clientId,
      domain: "slow.example.com",
      status: "pending",
    });
    const fresh = await insertOrder(t.database.db, {
      clientId,
      domain: "new.example.com",
      status: "pending",
    });
    const hoursAgo = (hours: number) => new Date(t.clock.now().getTime() - hours * 3_600_000);
    await t.database.db.insert(orderEvents).values([
      { orderId: stuck.id, actor: "system", kind: "submitted", at: hoursAgo(30) },
      { orderId: fresh.id, actor: "system", kind: "submitted", at: hoursAgo(2) },
    ]);
    const digest = await testScheduler(t, { config: { expiryDigest: true } });
    expect(await digest.runExpiryScan()).toMatchObject({ posted: 2 });
    await digest.stop();
    const [post] = alertPosts();
    expect(textOf(post?.args.blocks)).toContain(
      "Also *1 order* waiting for domain validation for over 24 hours: `/ssl validations` lists it",
    );
  });
});

describe("expiryDigestMessages", () => {
  it("splits a long digest into messages of at most 50 blocks and sections of at most 3000 characters", () => {
    const entries = Array.from({ length: 2_000 }, (_, index) => ({
      alert: { alertId: index, kind: "expiring" as const, threshold: 7, daysLeft: 6 },
      certificate: {
        orderId: index,
        reference: `SSL-${1001 + index}`,
        primaryDomain: `host${index}.${"long-label.".repeat(5)}example.com`,
        clientName: "Acme Ltd",
        notAfter: NOT_AFTER,
      },
    }));
    const messages = expiryDigestMessages(entries);
    expect(messages.length).toBeGreaterThan(1);
    // With the stuck-orders line too, still at most 50 blocks.
    const withStuck = expiryDigestMessages(entries, { count: 3, hours: 24 });
    expect(withStuck[0]?.blocks.length).toBeLessThanOrEqual(50);
    expect(withStuck.reduce((sum, message) => sum + message.count, 0)).toBe(2_000);
    expect(messages[0]?.text).toBe(
      `⏳ Expiry digest (part 1 of ${messages.length}): 2000 certificates crossed an alert threshold`,
    );
    for (const message of messages) {
      expect(message.blocks.length).toBeLessThanOrEqual(50);
      for (const block of message.blocks) {
        expect((block as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
      }
    }
    expect(messages.reduce((sum, message) => sum + message.count, 0)).toBe(2_000);
    const lines = messages.flatMap((message) =>
      message.blocks.slice(1).flatMap((block) => (block as { text: { text: string } }).text.text.split("\n")),
    );
    expect(lines).toHaveLength(2_000);
    expect(lines[1_999]).toContain("SSL-3000");
  });
});
