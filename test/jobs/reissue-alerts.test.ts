import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { certificates } from "../../src/db/schema.js";
import type { Scheduler } from "../../src/jobs/scheduler.js";
import type { OrderRequest } from "../../src/orders/order-service.js";
import { createAcmeClient } from "../support/fixtures.js";
import { useTestApp } from "../support/harness.js";
import { messageButton, textOf } from "../support/modal.js";
import { issueThroughSandbox, reloadOrder } from "../support/orders.js";
import type { RecordedCall } from "../support/slack-api-fake.js";
import { DAY_MS, testScheduler } from "./jobs-support.js";

/**
 * A subscription through its certificates with the sandbox and an injected clock: the alert offers
 * the free Reissue while the subscription covers the certificate and Renew at its end, and
 * AUTO_REISSUE_DAYS reissues on its own, saying so in the thread.
 */

const t = useTestApp({
  env: { SSL_CHANNEL: "C0SSL", SANDBOX_APPROVAL_SECONDS: "0", AUTO_REISSUE_DAYS: "20" },
});
let scheduler: Scheduler;
let clientId: number;
beforeAll(async () => {
  scheduler = await testScheduler(t);
  await t.app.catalogue.get();
});
afterAll(async () => {
  await scheduler.stop();
});
beforeEach(async () => {
  clientId = (await createAcmeClient(t.database.db)).id;
});

const reload = (id: number) => reloadOrder(t.database.db, id);
const issuedOrder = (overrides: Partial<OrderRequest> = {}) =>
  issueThroughSandbox(t.app, t.database.db, clientId, overrides);

const alertWith = (text: string) =>
  t.slack.waitFor(
    "chat.postMessage",
    (call: RecordedCall) =>
      call.args.channel === "C0SSL" && !call.args.thread_ts && textOf(call.args.blocks).includes(text),
  );

describe("expiry alerts inside a subscription", () => {
  it("offer Reissue while the subscription covers the certificate, and Renew at its end", async () => {
    const order = await issuedOrder();
    // AUTO_REISSUE_DAYS is 20: at 30 days left nothing is reissued yet, the alert offers it.
    t.clock.set(new Date((order.notAfter?.getTime() ?? 0) - 30 * DAY_MS));
    await scheduler.runExpiryScan();
    const alert = await alertWith("expires in 30 days");
    expect(textOf(alert.args.blocks)).toContain("Reissue — free, covered until");
    expect(textOf(alert.args.blocks)).not.toContain("Renew — new purchase");
    // Its button opens the reissue form for the order.
    await t.driver.interactive(
      messageButton(
        { channel: "C0SSL", ts: "1700000009.000100" },
        "order_reissue",
        String(order.id),
        {
          userId: "U0ANN",
          responseUrl: t.slack.responseUrl(),
        },
        `alert_actions:${order.id}`,
      ),
    );
    const form = await t.slack.waitFor("views.open");
    expect(textOf(form.args.view)).toContain("SSL-1001 · certificate 2");

    // Reissue until the subscription's last certificate: cut at the coverage end, its alert offers Renew.
    let current = order;
    while ((current.notAfter?.getTime() ?? 0) < (current.coverageEndsAt?.getTime() ?? 0)) {
      t.clock.set(new Date((current.notAfter?.getTime() ?? 0) - 25 * DAY_MS));
      const { certificate } = await t.app.reissues.requestReissue({
        orderId: order.id,
        requestedBy: "U0ANN",
        key: { kind: "new", algorithm: "ec-p256" },
        sans: [],
        dcvMethod: "dns",
        idempotencyKey: `reissue-at-${t.clock.now().toISOString()}`,
      });
      expect((await t.app.reissues.placeReissue(certificate.id, "U0ANN")).kind).toBe("pending");
      t.clock.advance(10_000);
      expect((await t.app.status.checkStatus(order.id, "system")).kind).toBe("reissue_changed");
      current = await reload(order.id);
    }
    expect(current.notAfter).toEqual(order.coverageEndsAt);
    t.clock.set(new Date((current.notAfter?.getTime() ?? 0) - 14 * DAY_MS));
    await scheduler.runExpiryScan();
    const renew = await alertWith("expires in 14 days");
    expect(textOf(renew.args.blocks)).toContain("Renew — new purchase");
    expect(textOf(renew.args.blocks)).not.toContain("Reissue — free");
  });
});

describe("AUTO_REISSUE_DAYS", () => {
  it("reissues with a new key that many days before expiry, once, and tells the thread what to publish", async () => {
    const order = await issuedOrder();
    t.clock.set(new Date((order.notAfter?.getTime() ?? 0) - 19 * DAY_MS));
    const summary = await scheduler.runExpiryScan();
    expect(summary).toMatchObject({ reissued: 1, reissueFailed: 0 });
    const thread = await t.slack.waitFor(
      "chat.postMessage",
      (call) => call.args.thread_ts !== undefined && String(call.args.text).includes("accepted the reissue"),
    );
    expect(String(thread.args.text)).toContain("add the DNS record");
    expect(String(thread.args.text)).toContain("Automatic reissue");
    // A second scan the same day does not ask again.
    expect(await scheduler.runExpiryScan()).toMatchObject({ reissued: 0 });

    t.clock.advance(10_000);
    await t.app.status.checkStatus(order.id, "system");
    const after = await reload(order.id);
    expect(after.encryptedPrivateKey).not.toBe(order.encryptedPrivateKey);
    expect(after.notAfter?.getTime()).toBeGreaterThan(order.notAfter?.getTime() ?? 0);
    const rows = await t.database.db
      .select()
      .from(certificates)
      .where(eq(certificates.orderId, order.id))
      .orderBy(asc(certificates.number));
    expect(rows.map((row) => [row.number, row.reason, row.requestedBy, row.status])).toEqual([
      [1, "initial", "U0ANN", "issued"],
      [2, "reissue", "system", "issued"],
    ]);
  });
});
