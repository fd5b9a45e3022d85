import { X509Certificate } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { certificates, sandboxOrders } from "../../src/db/schema.js";
import type { OrderRequest } from "../../src/orders/order-service.js";
import type { Order } from "../../src/orders/repository.js";
import { clientCsr } from "../support/client-csr.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, useTestApp } from "../support/harness.js";
import { messageButton, messageShortcut, textOf, viewBlockAction, viewSubmission } from "../support/modal.js";
import { issueThroughSandbox, reloadOrder } from "../support/orders.js";
import type { RecordedCall } from "../support/slack-api-fake.js";

/**
 * Reissue end to end through Slack with the sandbox: a 12-month order gets a 199-day certificate,
 * and a free reissue inside the subscription gives certificate 2 with a new key, the same key or the
 * client's CSR, never two at once, never past the coverage end.
 */

const t = useTestApp({ env: { SSL_CHANNEL: "C0SSL", SANDBOX_APPROVAL_SECONDS: "0" } });
let clientId: number;
beforeAll(async () => {
  await t.app.catalogue.get();
});
beforeEach(async () => {
  clientId = (await createAcmeClient(t.database.db)).id;
});

type View = Record<string, unknown>;
const DAY_MS = 86_400_000;

const reload = (id: number) => reloadOrder(t.database.db, id);
const issuedOrder = (overrides: Partial<OrderRequest> = {}) =>
  issueThroughSandbox(t.app, t.database.db, clientId, overrides);

/** `/ssl reissue <ref>`: the modal it opened. */
async function openReissueForm(ref: string, userId = "U0ANN"): Promise<View> {
  t.slack.reset();
  expect((await t.driver.slashCommand(`reissue ${ref}`, { userId })).status).toBe(200);
  return (await t.slack.waitFor("views.open")).args.view as View;
}

async function submit(view: View, inputs: Record<string, string | null> = {}, viewId = "V-REISSUE") {
  const response = await t.driver.interactive(viewSubmission(view, { viewId }, inputs));
  expect(response.status).toBe(200);
  return response.json() as { response_action: string; view?: View; errors?: Record<string, string> };
}

const viewUpdate = (text: string) =>
  t.slack.waitFor("views.update", (call: RecordedCall) => textOf(call.args.view).includes(text));
const threadReply = (text: string) =>
  t.slack.waitFor(
    "chat.postMessage",
    (call: RecordedCall) => call.args.thread_ts !== undefined && String(call.args.text).includes(text),
  );

/** The poller's next look, past the sandbox's minimum interval. */
async function poll(order: Order) {
  t.clock.advance(10_000);
  return t.app.status.checkStatus(order.id, "system");
}

async function certificatesOf(orderId: number) {
  return t.database.db
    .select()
    .from(certificates)
    .where(eq(certificates.orderId, orderId))
    .orderBy(asc(certificates.number));
}

const publicKeyOf = (pem: string | null) =>
  new X509Certificate(pem ?? "").publicKey.export({ type: "spki", format: "der" }).toString("hex");

describe("a 12-month order", () => {
  it("gets a 199-day certificate, a one-year coverage end, and a Reissue button", async () => {
    const order = await issuedOrder();
    const days = ((order.notAfter?.getTime() ?? 0) - (order.notBefore?.getTime() ?? 0)) / DAY_MS;
    expect(days).toBe(199);
    const coverage = new Date(order.notBefore ?? 0);
    coverage.setUTCMonth(coverage.getUTCMonth() + 12);
    expect(order.coverageEndsAt).toEqual(coverage);
    const [first] = await certificatesOf(order.id);
    expect(first).toMatchObject({ number: 1, reason: "initial", status: "issued", keySource: "generated" });
    expect(first?.serial).toBe(new X509Certificate(order.certificate ?? "").serialNumber);
    const message = await t.slack.waitFor("chat.update", (call) =>
      textOf(call.args.blocks).includes("— *Issued*"),
    );
    expect(textOf(message.args.blocks)).toContain('"action_id":"order_reissue"');
    expect(textOf(message.args.blocks)).toMatch(/covered until \d{4}-\d{2}-\d{2}/);
  });
});

describe("reissuing", () => {
  it("with a new key: free, the first certificate served meanwhile, certificate 2 in the thread", async () => {
    const order = await issuedOrder();
    const view = await openReissueForm("SSL-1001");
    const form = textOf(view);
    expect(form).toContain("SSL-1001 · certificate 2");
    expect(form).toContain("*Free* — covered until");
    expect(form).toContain("New key pair, RSA-2048 (recommended)");
    expect(form).toMatch(
      /\*www\.example\.com\*: validated \d+ \w+ 2026 by DNS record, reusable until .*: no new validation needed/,
    );

    const ack = await submit(view, { reissue_key: "new:ec-p256" });
    expect(ack.response_action).toBe("update");
    expect(textOf(ack.view)).toContain("Making a new key and sending the reissue to Sandbox");
    await viewUpdate("*SSL-1001 · certificate 2* was sent to Sandbox");
    await threadReply("asked for a reissue (SSL-1001 · certificate 2, new EC-P256 key)");
    await threadReply("Sandbox accepted the reissue SSL-1001 · certificate 2");
    expect((await reload(order.id)).status).toBe("issued");

    const result = await poll(order);
    expect(result.kind).toBe("reissue_changed");
    const after = await reload(order.id);
    expect(after.status).toBe("issued");
    expect(after.certificate).not.toBe(order.certificate);
    expect(after.encryptedPrivateKey).not.toBe(order.encryptedPrivateKey);
    expect(after.keyAlgorithm).toBe("ec-p256");
    expect(new X509Certificate(after.certificate ?? "").publicKey.asymmetricKeyType).toBe("ec");
    await threadReply("SSL-1001 · certificate 2 issued — valid until");
    // Announced in SSL_CHANNEL as a first certificate is.
    await t.slack.waitFor(
      "chat.postMessage",
      (call) =>
        call.args.channel === "C0SSL" &&
        !call.args.thread_ts &&
        String(call.args.text).includes("✅ SSL-1001 · certificate 2 www.example.com issued"),
    );
    const rows = await certificatesOf(order.id);
    expect(rows.map((row) => [row.number, row.reason, row.status])).toEqual([
      [1, "initial", "issued"],
      [2, "reissue", "issued"],
    ]);
    // Certificate 1 keeps its own key and certificate: history is not overwritten.
    expect(rows[0]?.certificate).toBe(order.certificate);
    expect(rows[0]?.encryptedPrivateKey).toBe(order.encryptedPrivateKey);
  });

  it("asks for an approver address once e-mail validation is chosen", async () => {
    await issuedOrder();
    const view = await openReissueForm("SSL-1001");
    expect(textOf(view)).not.toContain("reissue_approver");
    await t.driver.interactive(
      viewBlockAction(view, { viewId: "V-REISSUE" }, "reissue_dcv_method", { reissue_dcv_method: "email" }),
    );
    const redrawn = await viewUpdate("reissue_approver");
    expect(redrawn.args.view_id).toBe("V-REISSUE");
    expect(textOf(redrawn.args.view)).toContain("Approval e-mail address");
  });

  it("with the current key: the new certificate has the same public key", async () => {
    const order = await issuedOrder();
    const view = await openReissueForm("SSL-1001");
    await submit(view, { reissue_key: "current" });
    await viewUpdate("was sent to Sandbox");
    await poll(order);
    const after = await reload(order.id);
    expect(after.certificate).not.toBe(order.certificate);
    expect(after.encryptedPrivateKey).toBe(order.encryptedPrivateKey);
    expect(publicKeyOf(after.certificate)).toBe(publicKeyOf(order.certificate));
  });

  it("with the client's CSR: stores no key, and refuses a CSR for other names on its field", async () => {
    const order = await issuedOrder();
    const view = await openReissueForm("SSL-1001");
    const wrong = await submit(view, { reissue_csr: clientCsr(["shop.example.com"]) });
    expect(wrong.response_action).toBe("errors");
    expect(wrong.errors?.reissue_csr_blk).toContain("www.example.com");
    expect(await certificatesOf(order.id)).toHaveLength(1);

    const right = await submit(view, { reissue_csr: clientCsr(["www.example.com"]) }, "V-REISSUE-2");
    expect(textOf(right.view)).toContain("Sending the reissue to Sandbox");
    await viewUpdate("was sent to Sandbox");
    await poll(order);
    const after = await reload(order.id);
    expect(after.encryptedPrivateKey).toBeNull();
    const [, second] = await certificatesOf(order.id);
    expect(second).toMatchObject({ keySource: "client_csr", status: "issued", encryptedPrivateKey: null });
  });

  it("makes one reissue when the form is submitted twice, and refuses a second while one is open", async () => {
    const order = await issuedOrder();
    const view = await openReissueForm("SSL-1001");
    const acks = await Promise.all([submit(view), submit(view)]);
    await viewUpdate("was sent to Sandbox");
    expect(acks.filter((ack) => textOf(ack.view).includes("was already submitted"))).toHaveLength(1);
    expect(await certificatesOf(order.id)).toHaveLength(2);
    expect(await t.database.db.select().from(sandboxOrders)).toHaveLength(1);

    const again = await openReissueForm("SSL-1001");
    expect(textOf(again)).toContain("SSL-1001 · certificate 2 is already on its way");
  });

  it("says the domain must be validated again once its validation can no longer be reused", async () => {
    const order = await issuedOrder();
    // 2026-11-27 + 200 days: past the Forum's 200-day reuse, inside the one-year subscription.
    t.clock.set(new Date((order.notBefore?.getTime() ?? 0) + 201 * DAY_MS));
    const form = textOf(await openReissueForm("SSL-1001"));
    expect(form).toContain("*www.example.com*: the DNS record validation of");
    expect(form).toContain("it must be validated again");
  });

  it("refuses once the subscription has ended: that needs a renewal", async () => {
    const order = await issuedOrder();
    t.clock.set(new Date((order.coverageEndsAt?.getTime() ?? 0) + DAY_MS));
    const view = await openReissueForm("SSL-1001");
    expect(textOf(view)).toContain("subscription has ended: renew it instead (a new purchase)");
  });

  it("opens from the ssl_reissue shortcut on the order message, and says what to type otherwise", async () => {
    const order = await issuedOrder();
    t.slack.reset();
    const message = { channel: "C0SSL", ts: order.slackMessageTs ?? "" };
    await t.driver.interactive(messageShortcut("ssl_reissue", message, t.slack.responseUrl()));
    expect(textOf((await t.slack.waitFor("views.open")).args.view)).toContain("SSL-1001 · certificate 2");

    t.slack.reset();
    await t.driver.slashCommand("reissue SSL-9999");
    expect((await t.slack.waitFor("response_url")).args.text).toBe(
      ":mag: No order SSL-9999; `/ssl list` shows recent orders.",
    );
  });

  it("opens from the order message's Reissue button", async () => {
    const order = await issuedOrder();
    t.slack.reset();
    const response = await t.driver.interactive(
      messageButton({ channel: "C0SSL", ts: "1700000000.000100" }, "order_reissue", String(order.id), {
        userId: "U0ANN",
        responseUrl: t.slack.responseUrl(),
      }),
    );
    expect(response.status).toBe(200);
    const opened = await t.slack.waitFor("views.open");
    expect(textOf(opened.args.view)).toContain("SSL-1001 · certificate 2");
  });
});

describe("SSL_REQUIRE_APPROVAL=all", () => {
  it("holds a reissue for an approver other than the requester, then sends it", async () => {
    const order = await issuedOrder();
    const strict = await startTestApp({
      env: { SSL_CHANNEL: "C0SSL", SANDBOX_APPROVAL_SECONDS: "0", SSL_REQUIRE_APPROVAL: "all" },
      database: t.database,
    });
    try {
      expect((await strict.driver.slashCommand("reissue SSL-1001")).status).toBe(200);
      const view = (await strict.slack.waitFor("views.open")).args.view as View;
      const ack = await strict.driver.interactive(viewSubmission(view, { viewId: "V-STRICT" }));
      expect(textOf(ack.json())).toContain("waiting for approval (SSL_REQUIRE_APPROVAL=all)");
      const ask = await strict.slack.waitFor("chat.postMessage", (call) =>
        textOf(call.args.blocks).includes("reissue_approve"),
      );
      expect(String(ask.args.text)).toContain("someone in SSL_APPROVERS other than them must approve it");
      const [, waiting] = await certificatesOf(order.id);
      expect(waiting?.status).toBe("awaiting_approval");
      const click = (userId: string, actionId: string) =>
        strict.driver.interactive(
          messageButton(
            { channel: "C0SSL", ts: String(ask.args.thread_ts) },
            actionId,
            String(waiting?.id),
            {
              userId,
              responseUrl: strict.slack.responseUrl(),
            },
            `reissue_approval:${waiting?.id}`,
          ),
        );

      await click("U0ANN", "reissue_approve");
      const refused = await strict.slack.waitFor("response_url");
      expect(String(refused.args.text)).toContain(
        "You requested this reissue, so someone else must approve it.",
      );
      expect((await certificatesOf(order.id))[1]?.status).toBe("awaiting_approval");

      await click("U0BOB", "reissue_approve");
      await strict.slack.waitFor("chat.postMessage", (call) =>
        String(call.args.text).includes("<@U0BOB> approved the reissue SSL-1001 · certificate 2"),
      );
      await strict.slack.waitFor("chat.postMessage", (call) =>
        String(call.args.text).includes("Sandbox accepted the reissue SSL-1001 · certificate 2"),
      );
      expect((await certificatesOf(order.id))[1]).toMatchObject({ status: "pending", approvedBy: "U0BOB" });
    } finally {
      await strict.stop();
    }
  });
});
