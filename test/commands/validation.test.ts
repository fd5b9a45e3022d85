import { eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { accessRefusals, orderEvents, sandboxOrders } from "../../src/db/schema.js";
import type { OrderRequest } from "../../src/orders/order-service.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, useTestApp } from "../support/harness.js";
import { messageButton, textOf, viewBlockAction, viewSubmission } from "../support/modal.js";
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

describe("Change validation", () => {
  const click = (orderId: number, userId = "U0BOB") =>
    t.driver.interactive(
      messageButton(
        { channel: "C0SSL", ts: "1700000000.000100" },
        "order_change_validation",
        String(orderId),
        {
          userId,
          responseUrl: t.slack.responseUrl(),
        },
      ),
    );

  it("moves a pending order from e-mail to DNS, tells the provider and shows the record to publish", async () => {
    const order = await pendingOrder();
    t.slack.reset();
    await click(order.id);
    const form = (await t.slack.waitFor("views.open")).args.view as Record<string, unknown>;
    expect(textOf(form)).toContain("Validated now by e-mail to admin@example.com");

    const ack = await t.driver.interactive(
      viewSubmission(form, { viewId: "V-DCV", userId: "U0BOB" }, { validation_method: "dns" }),
    );
    expect(textOf(ack.json())).toContain("Telling Sandbox");
    const done = await t.slack.waitFor("views.update", (call) =>
      textOf(call.args.view).includes("from now on"),
    );
    expect(textOf(done.args.view)).toContain("add the DNS record");
    const reply = await t.slack.waitFor(
      "chat.postMessage",
      (call) =>
        call.args.thread_ts !== undefined && String(call.args.text).includes("changed the validation"),
    );
    expect(String(reply.args.text)).toContain("<@U0BOB> changed the validation to a DNS record.");
    expect(String(reply.args.text)).toContain("add the DNS record `_sandbox");
    const after = await reloadOrder(t.database.db, order.id);
    expect(after).toMatchObject({ dcvMethod: "dns", approverEmail: null });
    expect(after.dcvInstructions).toEqual([
      expect.objectContaining({ domain: "www.example.com", method: "dns" }),
    ]);
    const [placed] = await t.database.db.select().from(sandboxOrders);
    expect(placed?.dcvMethod).toBe("dns");
  });

  it("opens over Details, pushed onto its stack", async () => {
    const order = await pendingOrder();
    t.slack.reset();
    await t.driver.interactive(
      viewBlockAction(
        {
          type: "modal",
          callback_id: "ssl_order_details",
          private_metadata: JSON.stringify({ orderId: order.id, tab: "overview" }),
          blocks: [
            {
              type: "actions",
              block_id: "details_validation",
              elements: [
                {
                  type: "button",
                  action_id: "details_change_validation",
                  value: String(order.id),
                  text: { type: "plain_text", text: "Change validation" },
                },
              ],
            },
          ],
        },
        { viewId: "V-DETAILS", userId: "U0BOB" },
        "details_change_validation",
      ),
    );
    const pushed = await t.slack.waitFor("views.push");
    expect(textOf(pushed.args.view)).toContain("Validated now by e-mail to admin@example.com");
    expect(t.slack.callsTo("views.open")).toHaveLength(0);
  });

  it("says there is nothing to change once the order is issued", async () => {
    const order = await pendingOrder();
    t.clock.advance(3_601_000);
    await t.app.status.checkStatus(order.id, "system");
    t.slack.reset();
    await click(order.id);
    expect(textOf((await t.slack.waitFor("views.open")).args.view)).toContain(
      "only an order waiting for validation can change how it is validated",
    );
  });
});

describe("/ssl validations", () => {
  it("lists orders still validated by e-mail, validations running out and orders stuck in validation", async () => {
    const byEmail = await pendingOrder();
    const byDns = await pendingOrder({ dcvMethod: "dns", approverEmail: undefined, idempotencyKey: "dns" });
    // Both wait for validation for 25 hours: over STUCK_AFTER_HOURS (24 by default).
    t.clock.advance(25 * 3_600_000);
    t.slack.reset();
    await t.driver.slashCommand("validations");
    const reply = await t.slack.waitFor("response_url");
    const shown = textOf(reply.args.blocks);
    expect(String(reply.args.text)).toBe("Validations: 1 by e-mail, 0 running out within 30 days, 2 stuck");
    expect(shown).toContain("*SSL-1001* · www.example.com — Acme Ltd — waiting for admin@example.com");
    expect(shown).toContain("Waiting for validation for over 24 hours");
    expect(shown).toContain(
      `*${byDns.reference}* · www.example.com — Acme Ltd — DNS record, at the provider since`,
    );
    expect(shown).toContain(
      `*${byEmail.reference}* · www.example.com — Acme Ltd — e-mail to admin@example.com`,
    );
    expect(reply.args.response_type).toBe("ephemeral");
  });
});
