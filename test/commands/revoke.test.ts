import { eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { accessRefusals, certificates, orderEvents } from "../../src/db/schema.js";
import type { Order } from "../../src/orders/repository.js";
import { actionIdsOf } from "../support/block-kit.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, type TestApp, useTestApp } from "../support/harness.js";
import { messageButton, textOf, viewBlockAction, viewSubmission } from "../support/modal.js";
import { issueThroughSandbox, orderRequest, reloadOrder } from "../support/orders.js";

/**
 * Revoke… from Details, through Slack against the sandbox (which revokes): approvers only (named in
 * SSL_APPROVERS, like private keys), a confirm dialog on the button, a reason in a form pushed over
 * Details, and the thread told.
 */

const t = useTestApp({ env: { SSL_CHANNEL: "C0SSL", SSL_APPROVERS: "U0SEC" } });
let clientId: number;
beforeAll(async () => {
  await t.app.catalogue.get();
});
beforeEach(async () => {
  clientId = (await createAcmeClient(t.database.db)).id;
});

type View = Record<string, unknown>;
const DETAILS_VIEW = "V-DETAILS";
const FORM_VIEW = "V-REVOKE";

const issuedOrder = (app: TestApp = t) => issueThroughSandbox(app.app, app.database.db, clientId);

/** Clicks Details on the order message as `userId`; the Overview as Slack would hold it. */
async function openDetails(order: Order, userId: string, app: TestApp = t): Promise<View> {
  const before = app.slack.callsTo("views.open").length;
  await app.driver.interactive(
    messageButton(
      { channel: order.slackChannel ?? "", ts: order.slackMessageTs ?? "" },
      "order_details",
      String(order.id),
      { userId, responseUrl: app.slack.responseUrl() },
    ),
  );
  const opened = await app.slack.waitFor(
    "views.open",
    (call) => app.slack.callsTo("views.open").indexOf(call) >= before,
  );
  return opened.args.view as View;
}

/** Presses Revoke… in Details (Slack showed its confirm dialog and the person chose Continue). */
async function pressRevoke(details: View, userId: string, app: TestApp = t): Promise<View> {
  const before = app.slack.callsTo("views.push").length;
  await app.driver.interactive(viewBlockAction(details, { viewId: DETAILS_VIEW, userId }, "details_revoke"));
  const pushed = await app.slack.waitFor(
    "views.push",
    (call) => app.slack.callsTo("views.push").indexOf(call) >= before,
  );
  return pushed.args.view as View;
}

/** Submits the revoke form, pushed over Details, with `reason` chosen; the ack's JSON. */
async function submitRevoke(form: View, userId: string, reason: string | null, app: TestApp = t) {
  const response = await app.driver.interactive(
    viewSubmission(
      form,
      { viewId: FORM_VIEW, userId, previousViewId: DETAILS_VIEW },
      { revoke_reason: reason },
    ),
  );
  expect(response.status).toBe(200);
  return response.json() as Record<string, unknown>;
}

/** The form's last update that says `text`. */
const formUpdate = (text: string) =>
  t.slack.waitFor(
    "views.update",
    (call) => call.args.view_id === FORM_VIEW && textOf(call.args.view).includes(text),
  );

async function eventsOf(orderId: number) {
  return t.database.db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId));
}

describe("Revoke from Details", () => {
  it("lets an approver revoke with a reason: order and certificate revoked, event recorded, thread told", async () => {
    const order = await issuedOrder();
    const details = await openDetails(order, "U0SEC");
    expect(actionIdsOf(details)).toContain("details_revoke");
    expect(textOf(details)).toContain("Revoke the certificate?");

    const form = await pressRevoke(details, "U0SEC");
    expect(textOf(form)).toContain("Revoke *SSL-1001* · www.example.com at Sandbox?");
    expect(t.slack.callsTo("views.open")).toHaveLength(1);

    const ack = await submitRevoke(form, "U0SEC", "keyCompromise");
    expect(ack.response_action).toBe("update");
    expect(textOf(ack.view)).toContain("Revoking *SSL-1001*'s certificate at Sandbox…");
    const done = await formUpdate("was revoked");
    expect(textOf(done.args.view)).toContain(
      ":no_entry: *SSL-1001*'s certificate was revoked (Key compromised).",
    );

    const after = await reloadOrder(t.database.db, order.id);
    expect(after.status).toBe("revoked");
    // Details still shows what was revoked.
    expect(after.certificate).toBe(order.certificate);
    const rows = await t.database.db.select().from(certificates).where(eq(certificates.orderId, order.id));
    expect(rows.map((row) => [row.number, row.status])).toEqual([[1, "revoked"]]);
    expect((await eventsOf(order.id)).filter((event) => event.kind === "revoked")).toMatchObject([
      { actor: "U0SEC", detail: { reason: "keyCompromise", certificate: 1 } },
    ]);
    expect((await t.providers.get("sandbox").getStatus(order.providerOrderId ?? "")).status).toBe(
      "cancelled",
    );

    const reply = await t.slack.waitFor("chat.postMessage", (call) =>
      String(call.args.text).includes("revoked the certificate"),
    );
    expect(reply.args).toMatchObject({
      channel: "C0SSL",
      thread_ts: order.slackThreadTs,
      text: ":no_entry: <@U0SEC> revoked the certificate of SSL-1001 (Key compromised).",
    });
    const message = await t.slack.waitFor(
      "chat.update",
      (call) => call.args.ts === order.slackMessageTs && textOf(call.args.blocks).includes("*Revoked*"),
    );
    expect(textOf(message.args.blocks)).not.toContain("order_reissue");
    // Details under the form shows the order revoked, without Revoke… now.
    const refreshed = await t.slack.waitFor(
      "views.update",
      (call) => call.args.view_id === DETAILS_VIEW && textOf(call.args.view).includes("*Revoked*"),
    );
    expect(actionIdsOf(refreshed.args.view as View)).not.toContain("details_revoke");
    expect(textOf(refreshed.args.view)).toMatch(
      /\*SSL-1001\* \(first, RSA-2048\) — [^"]+ · :no_entry: revoked"/,
    );

    // Revoked: no expiry alert 10 days before its end (an issued one gets one), not polled, renewable.
    t.clock.set(new Date((order.notAfter?.getTime() ?? 0) - 10 * 86_400_000));
    expect(await t.app.scheduler.runExpiryScan()).toMatchObject({ posted: 0 });
    expect((await t.app.status.checkStatus(order.id, "system")).kind).toBe("not_checkable");
    await t.driver.interactive(
      messageButton({ channel: "C0SSL", ts: order.slackMessageTs ?? "" }, "order_renew", String(order.id), {
        userId: "U0ANN",
        responseUrl: t.slack.responseUrl(),
      }),
    );
    const renewal = await t.slack.waitFor(
      "views.open",
      (call) => (call.args.view as View).callback_id !== "ssl_order_details",
    );
    expect((renewal.args.view as View).callback_id).toBe("ssl_renew_form");
  });

  it("asks for a reason before anything is revoked", async () => {
    const order = await issuedOrder();
    const form = await pressRevoke(await openDetails(order, "U0SEC"), "U0SEC");

    const ack = await submitRevoke(form, "U0SEC", null);

    expect(ack).toEqual({
      response_action: "errors",
      errors: { revoke_reason_blk: "Choose why the certificate is revoked." },
    });
    expect((await reloadOrder(t.database.db, order.id)).status).toBe("issued");
  });

  it("offers nothing to someone not named in SSL_APPROVERS, and refuses and audits a forged submission", async () => {
    const order = await issuedOrder();
    const details = await openDetails(order, "U0ANN");
    expect(actionIdsOf(details)).toContain("details_reissue");
    expect(actionIdsOf(details)).not.toContain("details_revoke");

    // The button pressed anyway (a stale Details, a crafted payload): the form is not offered.
    const refusedForm = await pressRevoke({ ...details, blocks: [revokeButton(order.id)] }, "U0ANN");
    expect(textOf(refusedForm)).toContain("Only people in SSL_APPROVERS can revoke certificates.");

    // A form submitted by someone else than the approver it was shown to.
    const form = await pressRevoke(await openDetails(order, "U0SEC"), "U0SEC");
    const ack = await submitRevoke(form, "U0ANN", "superseded");
    expect(ack).toEqual({
      response_action: "errors",
      errors: {
        revoke_reason_blk:
          "Only people in SSL_APPROVERS can revoke certificates. Ask a certdesk admin to add you if you need to.",
      },
    });
    expect((await reloadOrder(t.database.db, order.id)).status).toBe("issued");
    expect((await eventsOf(order.id)).map((event) => event.kind)).not.toContain("revoked");
    const refusals = await t.database.db.select().from(accessRefusals);
    expect(refusals).toEqual([
      expect.objectContaining({
        actor: "U0ANN",
        action: "revoke",
        subject: "SSL-1001",
        reason: "not in SSL_APPROVERS",
      }),
      expect.objectContaining({
        actor: "U0ANN",
        action: "revoke",
        subject: "SSL-1001",
        reason: "not in SSL_APPROVERS",
      }),
    ]);
    expect((await t.providers.get("sandbox").getStatus(order.providerOrderId ?? "")).status).toBe("issued");
  });

  it("offers no Revoke… on an order that is not issued, and says why when pressed anyway", async () => {
    const { order } = await t.app.orders.createOrder(orderRequest(clientId));
    expect((await t.app.orders.place(order.id, "U0ANN")).kind).toBe("placed");
    const pending = await reloadOrder(t.database.db, order.id);
    const details = await openDetails(pending, "U0SEC");
    expect(actionIdsOf(details)).not.toContain("details_revoke");

    const form = await pressRevoke({ ...details, blocks: [revokeButton(order.id)] }, "U0SEC");
    expect(textOf(form)).toContain("SSL-1001 is pending: only an issued certificate can be revoked.");
  });

  it("leaves the order issued and says why when the provider refuses", async () => {
    const order = await issuedOrder();
    const form = await pressRevoke(await openDetails(order, "U0SEC"), "U0SEC");
    // Meanwhile someone revoked it in the provider's control panel.
    await t.providers.get("sandbox").revoke?.({
      providerOrderId: order.providerOrderId ?? "",
      certificatePem: order.certificate ?? "",
      reason: "unspecified",
    });

    await submitRevoke(form, "U0SEC", "cessationOfOperation");

    const refused = await formUpdate("did not revoke");
    expect(textOf(refused.args.view)).toContain(
      ":warning: Sandbox did not revoke *SSL-1001*'s certificate: The sandbox can only revoke an issued certificate; SBX-1 is revoked.",
    );
    expect(textOf(refused.args.view)).toContain("Nothing was changed");
    expect((await reloadOrder(t.database.db, order.id)).status).toBe("issued");
    const rows = await t.database.db.select().from(certificates).where(eq(certificates.orderId, order.id));
    expect(rows.map((row) => row.status)).toEqual(["issued"]);
    expect((await eventsOf(order.id)).map((event) => event.kind)).not.toContain("revoked");
    expect(
      t.slack.callsTo("chat.postMessage").filter((call) => String(call.args.text).includes("revoked")),
    ).toEqual([]);
  });

  it("lets nobody revoke while SSL_APPROVERS is empty", async () => {
    const open = await startTestApp({ env: { SSL_CHANNEL: "C0SSL" }, database: t.database });
    try {
      const order = await issuedOrder(open);
      const details = await openDetails(order, "U0SEC", open);
      expect(actionIdsOf(details)).not.toContain("details_revoke");
      const form = await pressRevoke({ ...details, blocks: [revokeButton(order.id)] }, "U0SEC", open);
      expect(textOf(form)).toContain(
        "Nobody can revoke certificates until a certdesk admin names the people who may in SSL_APPROVERS.",
      );
      const [refusal] = await t.database.db.select().from(accessRefusals);
      expect(refusal).toMatchObject({ actor: "U0SEC", action: "revoke", reason: "SSL_APPROVERS is empty" });
    } finally {
      await open.stop();
    }
  });
});

/** Details' Revoke… button alone, as a stale or crafted Details would hold it. */
function revokeButton(orderId: number) {
  return {
    type: "actions",
    block_id: "details_lifecycle",
    elements: [
      {
        type: "button",
        action_id: "details_revoke",
        value: String(orderId),
        text: { type: "plain_text", text: "Revoke…" },
      },
    ],
  };
}
