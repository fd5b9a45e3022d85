import { count, eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { orderEvents, orders, sandboxOrders } from "../../src/db/schema.js";
import { createAcmeClient } from "../support/fixtures.js";
import { useTestApp } from "../support/harness.js";
import { messageButton, textOf, viewSubmission } from "../support/modal.js";
import { orderRequest } from "../support/orders.js";

const t = useTestApp({
  env: { SSL_CHANNEL: "C0SSL", SSL_REQUIRE_APPROVAL: "true", SSL_APPROVERS: "U0APPROVER,S0SECOPS" },
});
let clientId: number;
beforeAll(async () => {
  t.slack.userGroups.set("S0SECOPS", ["U0GROUPIE"]);
});
beforeEach(async () => {
  clientId = (await createAcmeClient(t.database.db)).id;
});

const request = (requestedBy: string) =>
  orderRequest(clientId, { requestedBy, organisation: { country: "GB" } });

async function orderAwaitingApproval(requestedBy = "U0ANN") {
  const { order } = await t.app.orders.createOrder(request(requestedBy));
  const posted = await t.slack.waitFor(
    "chat.postMessage",
    (call) => call.args.channel === "C0SSL" && !call.args.thread_ts,
  );
  return { order, message: { channel: "C0SSL", ts: "1700000000.000001" }, posted };
}

const click = (message: { channel: string; ts: string }, action: string, orderId: number, userId: string) =>
  t.driver.interactive(
    messageButton(message, action, String(orderId), { userId, responseUrl: t.slack.responseUrl() }),
  );

async function placements(): Promise<number> {
  const [row] = await t.database.db.select({ total: count() }).from(sandboxOrders);
  return row?.total ?? -1;
}

describe("teammate approval (SSL_REQUIRE_APPROVAL=true)", () => {
  it("holds the order with Approve / Reject buttons until an approver approves", async () => {
    const { order, posted } = await orderAwaitingApproval();
    expect(order.status).toBe("awaiting_approval");
    expect(textOf(posted.args.blocks)).toContain("order_approve");
    expect(textOf(posted.args.blocks)).toContain("Waiting for approval");
    expect(await placements()).toBe(0);
    // Approve spends money at once, so Slack asks first, naming what, for whom and for how much.
    const actions = (posted.args.blocks as { type: string; elements?: Record<string, unknown>[] }[]).find(
      (block) => block.type === "actions",
    );
    const approve = actions?.elements?.find((element) => element.action_id === "order_approve");
    expect(approve?.confirm).toMatchObject({
      title: { text: "Approve and buy?" },
      text: {
        text: "PositiveSSL (DV), 1 year, for Acme Ltd: 8.95 USD. certdesk places it with Sandbox at once.",
      },
      confirm: { text: "Approve and buy" },
    });

    await click(posted.args as never, "order_approve", order.id, "U0APPROVER");
    await t.slack.waitFor("chat.postMessage", (call) =>
      String(call.args.text).includes("Approved by <@U0APPROVER>"),
    );
    await t.slack.waitFor("chat.postMessage", (call) => String(call.args.text).includes("e-mailed"));
    const [stored] = await t.database.db.select().from(orders).where(eq(orders.id, order.id));
    expect(stored).toMatchObject({ status: "pending", approvedBy: "U0APPROVER", providerOrderId: "SBX-1" });
    expect(await placements()).toBe(1);
  });

  it("refuses self-approval, even by an approver", async () => {
    const { order, message } = await orderAwaitingApproval("U0APPROVER");
    await click(message, "order_approve", order.id, "U0APPROVER");
    const reply = await t.slack.waitFor("response_url");
    expect(reply.args.text).toContain("You requested this order, so someone else must approve it.");
    expect(reply.args.response_type).toBe("ephemeral");
    expect(await placements()).toBe(0);
  });

  it("refuses someone outside SSL_APPROVERS and audits the refusal", async () => {
    const { order, message } = await orderAwaitingApproval();
    await click(message, "order_approve", order.id, "U0OTHER");
    const reply = await t.slack.waitFor("response_url");
    expect(reply.args.text).toContain("Only people in SSL_APPROVERS can approve orders.");
    const events = await t.database.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.kind, "approval_refused"));
    expect(events).toMatchObject([{ actor: "U0OTHER", orderId: order.id }]);
    expect(await placements()).toBe(0);
    // The order's thread says who tried, as the README promises.
    const told = await t.slack.waitFor("chat.postMessage", (call) =>
      String(call.args.text).includes("<@U0OTHER> tried to approve but may not (not in SSL_APPROVERS)"),
    );
    expect(told.args.thread_ts).toBeDefined();
    await click(message, "order_reject", order.id, "U0OTHER");
    await t.slack.waitFor("chat.postMessage", (call) =>
      String(call.args.text).includes("<@U0OTHER> tried to reject but may not (not in SSL_APPROVERS)"),
    );
  });

  it("places one order when two approvers (one via a user group) click at once", async () => {
    const { order, message } = await orderAwaitingApproval();
    await Promise.all([
      click(message, "order_approve", order.id, "U0APPROVER"),
      click(message, "order_approve", order.id, "U0GROUPIE"),
      click(message, "order_approve", order.id, "U0GROUPIE"),
    ]);
    await t.slack.waitFor("chat.postMessage", (call) => String(call.args.text).includes("e-mailed"));
    const already = await t.slack.waitFor("response_url", (call) =>
      String(call.args.text).includes("already approved"),
    );
    expect(already.args.response_type).toBe("ephemeral");
    expect(await placements()).toBe(1);
  });

  it("asks a rejecting approver for a reason and tells the thread", async () => {
    const { order, message } = await orderAwaitingApproval();
    await click(message, "order_reject", order.id, "U0APPROVER");
    const opened = await t.slack.waitFor("views.open");
    const view = opened.args.view as Record<string, unknown>;
    const empty = await t.driver.interactive(
      viewSubmission(view, { viewId: "VR", userId: "U0APPROVER" }, { reject_reason: "" }),
    );
    expect(empty.json()).toMatchObject({ response_action: "errors" });
    const done = await t.driver.interactive(
      viewSubmission(view, { viewId: "VR", userId: "U0APPROVER" }, { reject_reason: "Client has not paid" }),
    );
    expect(done.status).toBe(200);
    await t.slack.waitFor("chat.postMessage", (call) =>
      String(call.args.text).includes("Rejected by <@U0APPROVER>: Client has not paid"),
    );
    const [stored] = await t.database.db.select().from(orders).where(eq(orders.id, order.id));
    expect(stored?.status).toBe("rejected");
    expect(await placements()).toBe(0);
  });

  it("refuses a rejection form submitted by someone outside SSL_APPROVERS, keeping the form and its reason", async () => {
    const { order, message } = await orderAwaitingApproval();
    await click(message, "order_reject", order.id, "U0APPROVER");
    const view = (await t.slack.waitFor("views.open")).args.view as Record<string, unknown>;
    const refused = await t.driver.interactive(
      viewSubmission(view, { viewId: "VR", userId: "U0OUTSIDER" }, { reject_reason: "Client has not paid" }),
    );
    // An error on the reason field: the modal stays open with what was typed.
    expect(refused.json()).toEqual({
      response_action: "errors",
      errors: {
        reject_reason_blk:
          "Only people in SSL_APPROVERS can reject orders. Ask a certdesk admin to add you if you need to.",
      },
    });
    await t.slack.waitFor("chat.postMessage", (call) =>
      String(call.args.text).includes("<@U0OUTSIDER> tried to reject but may not"),
    );
    const [stored] = await t.database.db.select().from(orders).where(eq(orders.id, order.id));
    expect(stored?.status).toBe("awaiting_approval");
  });
});
