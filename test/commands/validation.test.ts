import { eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { accessRefusals, orderEvents } from "../../src/db/schema.js";
import type { OrderRequest } from "../../src/orders/order-service.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, useTestApp } from "../support/harness.js";
import { messageButton, textOf } from "../support/modal.js";
import { orderRequest, reloadOrder } from "../support/orders.js";

/** Resend approval e-mail on a pending order's message, through the sandbox. */

// The sandbox validates for an hour here: the orders stay pending.
const t = useTestApp({ env: { SSL_CHANNEL: "C0SSL", SANDBOX_APPROVAL_SECONDS: "3600" } });
let clientId: number;
beforeAll(async () => {
  await t.app.catalogue.get();
});
beforeEach(async () => {
  clientId = (await createAcmeClient(t.database.db)).id;
});

async function pendingOrder(overrides: Partial<OrderRequest> = {}) {
  const { order } = await t.app.orders.createOrder(orderRequest(clientId, overrides));
  expect((await t.app.orders.place(order.id, "U0ANN")).kind).toBe("placed");
  return reloadOrder(t.database.db, order.id);
}

const resend = (orderId: number, userId = "U0BOB") =>
  t.driver.interactive(
    messageButton({ channel: "C0SSL", ts: "1700000000.000100" }, "order_resend_approval", String(orderId), {
      userId,
      responseUrl: t.slack.responseUrl(),
    }),
  );

describe("Resend approval e-mail", () => {
  it("is offered on a pending e-mail-validated order and asks the provider again, saying who in the thread", async () => {
    const order = await pendingOrder();
    const message = await t.slack.waitFor("chat.update", (call) =>
      textOf(call.args.blocks).includes("order_resend_approval"),
    );
    expect(textOf(message.args.blocks)).toContain("Resend approval e-mail");

    expect((await resend(order.id)).status).toBe(200);
    const answer = await t.slack.waitFor("response_url");
    expect(String(answer.args.text)).toContain(
      "Sandbox is sending the approval e-mail for *SSL-1001* to *admin@example.com* again",
    );
    const reply = await t.slack.waitFor(
      "chat.postMessage",
      (call) => call.args.thread_ts !== undefined && String(call.args.text).includes("approval e-mail"),
    );
    expect(String(reply.args.text)).toBe(
      ":email: <@U0BOB> asked Sandbox to send the approval e-mail to *admin@example.com* again.",
    );
    const events = await t.database.db.select().from(orderEvents).where(eq(orderEvents.orderId, order.id));
    expect(events.filter((event) => event.kind === "approval_resent")).toMatchObject([
      { actor: "U0BOB", detail: { email: "admin@example.com" } },
    ]);
  });

  it("is not offered for DNS validation, and says what to do when clicked anyway", async () => {
    const order = await pendingOrder({ dcvMethod: "dns", approverEmail: undefined });
    const message = await t.slack.waitFor("chat.update");
    expect(textOf(message.args.blocks)).not.toContain("order_resend_approval");
    await resend(order.id);
    expect(String((await t.slack.waitFor("response_url")).args.text)).toContain(
      "is validated by a DNS record, not by e-mail",
    );
  });

  it("says there is nothing to resend once the order is issued", async () => {
    const order = await pendingOrder();
    t.clock.advance(3_601_000);
    await t.app.status.checkStatus(order.id, "system");
    await resend(order.id);
    expect(String((await t.slack.waitFor("response_url")).args.text)).toContain(
      "SSL-1001 is issued: only an order waiting for validation has an approval e-mail to resend.",
    );
  });

  it("is refused to someone outside SSL_ORDERERS, who is told so, and audited", async () => {
    const order = await pendingOrder();
    const strict = await startTestApp({ env: { SSL_ORDERERS: "U0BOSS" }, database: t.database });
    try {
      await strict.driver.interactive(
        messageButton(
          { channel: "C0SSL", ts: "1700000000.000100" },
          "order_resend_approval",
          String(order.id),
          {
            userId: "U0OUTSIDER",
            responseUrl: strict.slack.responseUrl(),
          },
        ),
      );
      expect(String((await strict.slack.waitFor("response_url")).args.text)).toContain(
        "Only people in SSL_ORDERERS can ask for approval e-mails again.",
      );
      const [refusal] = await t.database.db.select().from(accessRefusals);
      expect(refusal).toMatchObject({ actor: "U0OUTSIDER", action: "resend_approval", subject: "SSL-1001" });
      const events = await t.database.db.select().from(orderEvents).where(eq(orderEvents.orderId, order.id));
      expect(events.map((event) => event.kind)).not.toContain("approval_resent");
    } finally {
      await strict.stop();
    }
  });
});
