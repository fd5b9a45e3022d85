import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { orders } from "../../../src/db/schema.js";
import type { OrderRequest } from "../../../src/orders/order-service.js";
import { getOrder, type Order } from "../../../src/orders/repository.js";
import { createAcmeClient } from "../../support/fixtures.js";
import { startTestApp, type TestApp, useTestApp } from "../../support/harness.js";
import { messageButton, messageShortcut, textOf } from "../../support/modal.js";
import { orderRequest } from "../../support/orders.js";
import type { RecordedCall } from "../../support/slack-api-fake.js";

/** `t` issues on the next check (SANDBOX_APPROVAL_SECONDS=0); `slow` shares its database and takes an hour. */
const t = useTestApp({ env: { SSL_CHANNEL: "C0SSL" } });
let slow: TestApp;
let clientId: number;
beforeAll(async () => {
  slow = await startTestApp({
    env: { SSL_CHANNEL: "C0SSL", SANDBOX_APPROVAL_SECONDS: "3600" },
    database: t.database,
  });
});
afterAll(async () => {
  await slow?.stop();
});
beforeEach(async () => {
  slow.slack.reset();
  clientId = (await createAcmeClient(t.database.db)).id;
});

function request(domain: string): OrderRequest {
  return orderRequest(clientId, {
    primaryDomain: domain,
    approverEmail: `admin@${domain.replace(/^www\./, "")}`,
    idempotencyKey: `status:${domain}:${Math.random()}`,
  });
}

/** A pending order with its message in C0SSL, placed by `app`; Slack calls made so far are forgotten. */
async function placedOrder(app: TestApp = t, domain = "www.example.com"): Promise<Order> {
  const { order } = await app.app.orders.createOrder(request(domain));
  expect((await app.app.orders.place(order.id, "U0ANN")).kind).toBe("placed");
  const placed = await getOrder(app.database.db, order.id);
  if (!placed?.slackMessageTs) throw new Error("the order message was not posted");
  app.slack.reset();
  return placed;
}

async function statusCommand(app: TestApp, text: string): Promise<RecordedCall> {
  const responseUrl = app.slack.responseUrl();
  expect((await app.driver.slashCommand(text, { responseUrl })).status).toBe(200);
  return app.slack.waitFor("response_url", (call) => responseUrl.endsWith(`/${call.args.responseUrlId}`));
}

async function expectIssuedInSlack(order: Order): Promise<void> {
  const reply = await t.slack.waitFor(
    "chat.postMessage",
    (call) => call.args.thread_ts === order.slackThreadTs,
  );
  expect(reply.args.text).toMatch(/^Issued :white_check_mark: — valid until \d{4}-\d{2}-\d{2}$/);
  const edited = await t.slack.waitFor("chat.update");
  expect(edited.args).toMatchObject({ channel: "C0SSL", ts: order.slackMessageTs });
  expect(textOf(edited.args.blocks)).toContain("*Issued*");
}

describe("Check status on the order message", () => {
  it("moves a validated order to issued: thread reply, edited message and an answer to the clicker", async () => {
    const order = await placedOrder();
    const responseUrl = t.slack.responseUrl();
    await t.driver.interactive(
      messageButton(
        { channel: "C0SSL", ts: order.slackMessageTs ?? "" },
        "order_check_status",
        String(order.id),
        { userId: "U0BOB", responseUrl },
      ),
    );
    const answer = await t.slack.waitFor("response_url");
    expect(answer.args).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(answer.args.text).toMatch(
      /^:white_check_mark: \*SSL-1001\* · www\.example\.com: Validating → \*Issued\* — valid until \d{4}-\d{2}-\d{2}\. /,
    );
    await expectIssuedInSlack(order);
    const [stored] = await t.database.db.select().from(orders).where(eq(orders.id, order.id));
    expect(stored?.status).toBe("issued");
    // Announced in SSL_CHANNEL exactly as the poller announces what it finds issued, once.
    const announcement = await t.slack.waitFor(
      "chat.postMessage",
      (call) =>
        call.args.channel === "C0SSL" && !call.args.thread_ts && String(call.args.text).startsWith("✅"),
    );
    expect(announcement.args.text).toBe(
      `✅ SSL-1001 www.example.com issued for Acme Ltd — valid until ${stored?.notAfter?.toISOString().slice(0, 10)}`,
    );
    await t.driver.interactive(
      messageButton(
        { channel: "C0SSL", ts: order.slackMessageTs ?? "" },
        "order_check_status",
        String(order.id),
        {
          userId: "U0BOB",
          responseUrl: t.slack.responseUrl(),
        },
      ),
    );
    await t.slack.waitFor("response_url", (call) => call.args.responseUrlId !== answer.args.responseUrlId);
    const announcements = t.slack
      .callsTo("chat.postMessage")
      .filter((call) => call.args.channel === "C0SSL" && String(call.args.text).startsWith("✅"));
    expect(announcements).toHaveLength(1);
    for (const call of t.slack.calls) expect(textOf(call.args)).not.toContain("PRIVATE KEY");
  });

  it("answers a click on the App Home tab, which has no response_url, in a DM", async () => {
    const order = await placedOrder();
    const { response_url, channel, message, ...click } = messageButton(
      { channel: "C0SSL", ts: "unused" },
      "order_check_status",
      String(order.id),
      { userId: "U0BOB", responseUrl: "unused" },
    );
    await t.driver.interactive({ ...click, container: { type: "view", view_id: "VHOME" } });
    const dm = await t.slack.waitFor("chat.postMessage", (call) => call.args.channel === "U0BOB");
    expect(dm.args.text).toContain("*SSL-1001* · www.example.com: Validating → *Issued*");
    expect(t.slack.callsTo("response_url")).toHaveLength(0);
  });
});

describe("/ssl status", () => {
  it("finds the order by reference, then by domain, and keeps the provider's minimum interval", async () => {
    const order = await placedOrder();
    const changed = await statusCommand(t, "status ssl-1001");
    expect(changed.args.text).toContain("Validating → *Issued*");
    await expectIssuedInSlack(order);

    const again = await statusCommand(t, "status WWW.example.com");
    expect(again.args.text).toMatch(
      /^:stopwatch: \*SSL-1001\* · www\.example\.com\nLast checked at 10:00: issued, expires \d{4}-\d{2}-\d{2} \(in \d+ days\)\.\nThe provider allows the next check at 10:00 \(in 5 seconds\)\.$/,
    );
    expect(textOf(again.args.blocks)).toContain("Certificate issued by certdesk Sandbox CA");
  });

  it("says nothing changed, when the last check was, and whom the order waits for", async () => {
    const order = await placedOrder(slow);
    slow.clock.set(new Date("2026-11-27T10:42:00Z"));

    const first = await statusCommand(slow, "status SSL-1001");
    expect(first.args.text).toBe(
      ":hourglass_flowing_sand: *SSL-1001* · www.example.com\nNo change since it was ordered (10:00): waiting for admin@example.com to approve.",
    );
    expect(textOf(first.args.blocks)).toContain("Awaiting domain control validation (email)");

    const tooSoon = await statusCommand(slow, "status SSL-1001");
    expect(tooSoon.args.text).toBe(
      ":stopwatch: *SSL-1001* · www.example.com\nLast checked at 10:42: waiting for admin@example.com to approve.\nThe provider allows the next check at 10:42 (in 5 seconds).",
    );

    slow.clock.advance(6_000);
    const later = await statusCommand(slow, "status www.example.com");
    expect(later.args.text).toBe(
      ":hourglass_flowing_sand: *SSL-1001* · www.example.com\nNo change since 10:42: waiting for admin@example.com to approve.",
    );
    // Nothing the order message shows changed, so it is left alone and the thread stays quiet.
    expect(slow.slack.callsTo("chat.update")).toHaveLength(0);
    expect(slow.slack.callsTo("chat.postMessage")).toHaveLength(0);
    const [stored] = await t.database.db.select().from(orders).where(eq(orders.id, order.id));
    expect(stored).toMatchObject({ status: "pending", lastCheckedAt: new Date("2026-11-27T10:42:06Z") });
  });

  it("shows the times in the configured time zone", async () => {
    const berlin = await startTestApp({
      env: { SSL_CHANNEL: "C0SSL", SANDBOX_APPROVAL_SECONDS: "3600", TZ: "Europe/Berlin" },
      database: t.database,
    });
    try {
      await placedOrder(berlin);
      await statusCommand(berlin, "status SSL-1001");
      const tooSoon = await statusCommand(berlin, "status SSL-1001");
      expect(tooSoon.args.text).toContain("Last checked at 11:00");
    } finally {
      await berlin.stop();
    }
  });

  it("explains a provider that cannot answer, and changes nothing", async () => {
    const order = await placedOrder();
    await t.database.db.update(orders).set({ providerOrderId: "SBX-404" }).where(eq(orders.id, order.id));
    const reply = await statusCommand(t, "status SSL-1001");
    expect(reply.args.text).toBe(
      ":warning: *SSL-1001* · www.example.com\nSandbox did not answer: The sandbox has no order SBX-404. Nothing changed; try again later.",
    );
    const [stored] = await t.database.db.select().from(orders).where(eq(orders.id, order.id));
    expect(stored).toMatchObject({ status: "pending", lastCheckedAt: null });
  });

  it("answers an unknown reference or domain, and a missing one, with what to do", async () => {
    await placedOrder();
    expect((await statusCommand(t, "status SSL-9999")).args.text).toBe(
      ":mag: No order SSL-9999; `/ssl list` shows recent orders.",
    );
    expect((await statusCommand(t, "status nowhere.example.com")).args.text).toBe(
      ":mag: No order for the domain nowhere.example.com; `/ssl list` shows recent orders.",
    );
    expect((await statusCommand(t, "status")).args.text).toContain(
      "Usage: `/ssl status <SSL-1042 | domain>`",
    );
    expect(t.slack.callsTo("chat.update")).toHaveLength(0);
  });
});

describe("the Check SSL status shortcut", () => {
  it("checks the order whose message (or thread reply) it was used on", async () => {
    const order = await placedOrder();
    const channel = order.slackChannel ?? "";
    const onReply = { channel, ts: "1700000000.999999", thread_ts: order.slackThreadTs ?? "" };
    await t.driver.interactive(messageShortcut("ssl_check_status", onReply, t.slack.responseUrl()));
    const answer = await t.slack.waitFor("response_url");
    expect(answer.args.text).toContain("*SSL-1001* · www.example.com: Validating → *Issued*");
    await expectIssuedInSlack(order);

    t.slack.reset();
    const onMessage = { channel, ts: order.slackMessageTs ?? "" };
    await t.driver.interactive(messageShortcut("ssl_check_status", onMessage, t.slack.responseUrl()));
    expect((await t.slack.waitFor("response_url")).args.text).toContain("Last checked at 10:00: issued");
  });

  it("refuses, only to the caller, on a message that is not an order message", async () => {
    const order = await placedOrder();
    const elsewhere = { channel: order.slackChannel ?? "", ts: "1699999999.000100" };
    await t.driver.interactive(messageShortcut("ssl_check_status", elsewhere, t.slack.responseUrl()));
    const answer = await t.slack.waitFor("response_url");
    expect(answer.args).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(answer.args.text).toContain("This shortcut works on certdesk order messages");
    const [stored] = await t.database.db.select().from(orders).where(eq(orders.id, order.id));
    expect(stored).toMatchObject({ status: "pending", lastCheckedAt: null });
  });
});
