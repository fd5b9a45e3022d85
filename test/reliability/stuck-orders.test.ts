import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { accessRefusals, orders } from "../../src/db/schema.js";
import type { Scheduler } from "../../src/jobs/scheduler.js";
import { getOrder } from "../../src/orders/repository.js";
import { insertOrder, testScheduler } from "../jobs/jobs-support.js";
import { createAcmeClient } from "../support/fixtures.js";
import { useTestApp } from "../support/harness.js";
import { messageButton, textOf, viewSubmission } from "../support/modal.js";

/**
 * An order stuck in `submitting` (sent, no order number back) is flagged once in its thread with two
 * answers a person gives after looking in the provider's control panel: it was placed (its number is
 * recorded and it is followed like any order) or it was not (it ends failed, and may be ordered or
 * renewed again). Only SSL_ORDERERS may answer.
 */

const ORDERER = "U0ORDERER";
const t = useTestApp({ env: { SSL_CHANNEL: "C0SSL", SSL_ORDERERS: ORDERER } });
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

/** A stuck order whose notice the poller has just posted; returns the notice's buttons. */
async function flagged(renewalOfId?: number) {
  const order = await insertOrder(t.database.db, {
    clientId,
    domain: "www.example.com",
    status: "submitting",
    renewalOfId,
    slackChannel: "C0SSL",
    slackThreadTs: "1700000000.000100",
    updatedAt: new Date(t.clock.now().getTime() - 11 * 60_000),
  });
  expect(await scheduler.runPoll()).toMatchObject({ flagged: 1 });
  const notice = await t.slack.waitFor("chat.postMessage", (call) =>
    String(call.args.text).includes("without an order number"),
  );
  expect(notice.args.thread_ts).toBe("1700000000.000100");
  expect(textOf(notice.args.blocks)).toContain("stuck_not_placed");
  return order;
}

const click = (action: string, orderId: number, userId = ORDERER) =>
  t.driver.interactive(
    messageButton({ channel: "C0SSL", ts: "1700000000.000200" }, action, String(orderId), {
      userId,
      responseUrl: t.slack.responseUrl(),
    }),
  );

describe("settling an order stuck on its way to the provider", () => {
  it("marks it not placed: it fails, the thread says so, and its original may be renewed again", async () => {
    const original = await insertOrder(t.database.db, {
      clientId,
      domain: "www.example.com",
      providerOrderId: "SBX-9",
    });
    const stuck = await flagged(original.id);
    await click("stuck_not_placed", stuck.id);
    const replaced = await t.slack.waitFor("response_url", (call) => call.args.replace_original === true);
    expect(String(replaced.args.text)).toContain(`<@${ORDERER}> checked: SSL-`);
    expect(await getOrder(t.database.db, stuck.id)).toMatchObject({ status: "failed" });
    await t.slack.waitFor("chat.postMessage", (call) =>
      String(call.args.text).includes(
        "Not placed: someone checked the provider's control panel and found no such order.",
      ),
    );
    // The stuck renewal no longer blocks a new one.
    await t.driver.slashCommand(`renew ${original.reference}`, { userId: ORDERER });
    const opened = await t.slack.waitFor("views.open");
    expect(textOf(opened.args.view)).not.toContain("already being renewed");
  });

  it("records the provider's order number: the order is pending and followed like any other", async () => {
    const stuck = await flagged();
    await click("stuck_placed", stuck.id);
    const modal = (await t.slack.waitFor("views.open")).args.view as Record<string, unknown>;
    const bad = await t.driver.interactive(
      viewSubmission(modal, { viewId: "VREC", userId: ORDERER }, { stuck_number: "12 34; drop" }),
    );
    expect(bad.json()).toMatchObject({ response_action: "errors" });
    const good = await t.driver.interactive(
      viewSubmission(modal, { viewId: "VREC", userId: ORDERER }, { stuck_number: "SBX-1" }),
    );
    expect(good.status).toBe(200);
    expect(await getOrder(t.database.db, stuck.id)).toMatchObject({
      status: "pending",
      providerOrderId: "SBX-1",
    });
    await t.slack.waitFor("chat.postMessage", (call) =>
      String(call.args.text).includes("accepted the order (SBX-1)"),
    );
    // Answered twice (a second person, a second click): the first answer stands.
    await click("stuck_not_placed", stuck.id);
    const again = await t.slack.waitFor("response_url", (call) =>
      String(call.args.text).includes("no longer waiting"),
    );
    expect(again.args.response_type).toBe("ephemeral");
    expect((await getOrder(t.database.db, stuck.id))?.status).toBe("pending");
  });

  it("lets only SSL_ORDERERS answer, audited", async () => {
    const stuck = await flagged();
    await click("stuck_not_placed", stuck.id, "U0OTHER");
    const refused = await t.slack.waitFor("response_url");
    expect(String(refused.args.text)).toContain("Only people in SSL_ORDERERS");
    expect((await getOrder(t.database.db, stuck.id))?.status).toBe("submitting");
    const rows = await t.database.db.select().from(accessRefusals).where(eq(accessRefusals.actor, "U0OTHER"));
    expect(rows).toMatchObject([{ action: "settle", reason: "not in SSL_ORDERERS" }]);
    expect(await t.database.db.select().from(orders)).toHaveLength(1);
  });
});
