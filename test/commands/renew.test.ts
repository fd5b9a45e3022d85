import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { orders, sandboxOrders } from "../../src/db/schema.js";
import type { OrderRequest } from "../../src/orders/order-service.js";
import { getOrder, type Order } from "../../src/orders/repository.js";
import { ProviderInputError } from "../../src/providers/errors.js";
import { createProviderRegistry } from "../../src/providers/registry.js";
import { SandboxProvider } from "../../src/providers/sandbox/provider.js";
import type { PlaceOrderResult, RenewRequest } from "../../src/providers/types.js";
import { clientCsr } from "../support/client-csr.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, type TestApp, useTestApp } from "../support/harness.js";
import { messageButton, messageShortcut, textOf, viewBlockAction, viewSubmission } from "../support/modal.js";
import { orderRequest } from "../support/orders.js";
import type { RecordedCall } from "../support/slack-api-fake.js";

/** The sandbox, except that a test can make it refuse renewals the way a provider would. */
class RefusingSandbox extends SandboxProvider {
  refusal?: string;
  override async renew(request: RenewRequest): Promise<PlaceOrderResult> {
    if (this.refusal) throw new ProviderInputError("sandbox", "period", this.refusal);
    return super.renew(request);
  }
}

const t = useTestApp({
  env: { SSL_CHANNEL: "C0SSL" },
  providers: ({ vault, clock, database }) => {
    sandbox = new RefusingSandbox({ db: database.db, vault, clock, approvalSeconds: 0 });
    return createProviderRegistry([sandbox]);
  },
});
let sandbox: RefusingSandbox;
let clientId: number;
beforeAll(async () => {
  await t.app.catalogue.get();
});
beforeEach(async () => {
  sandbox.refusal = undefined;
  clientId = (await createAcmeClient(t.database.db)).id;
});

type View = Record<string, unknown>;

const request = (overrides: Partial<OrderRequest> = {}) =>
  orderRequest(clientId, {
    serverTypeId: "nginx",
    approverEmail: "hostmaster@example.com",
    addonIds: ["sitelock"],
    idempotencyKey: "original",
    ...overrides,
  });

async function reload(id: number): Promise<Order> {
  const order = await getOrder(t.database.db, id);
  if (!order) throw new Error(`order ${id} vanished`);
  return order;
}

async function issuedOrder(overrides: Partial<OrderRequest> = {}): Promise<Order> {
  const { order } = await t.app.orders.createOrder(request(overrides));
  expect((await t.app.orders.place(order.id, "U0ANN")).kind).toBe("placed");
  await t.app.status.checkStatus(order.id, "system");
  return reload(order.id);
}

/** `/ssl renew <ref>` until the form holds the freshly fetched approver list. */
async function openRenewalForm(ref: string, app: TestApp = t): Promise<{ view: View; viewId: string }> {
  expect((await app.driver.slashCommand(`renew ${ref}`)).status).toBe(200);
  const opened = await app.slack.waitFor("views.open");
  const viewId = String((await app.slack.waitFor("views.update")).args.view_id);
  const loaded = await app.slack.waitFor("views.update", (call) =>
    textOf(call.args.view).includes("renew_approver"),
  );
  expect(textOf(opened.args.view)).toContain("Fetching approver addresses");
  return { view: loaded.args.view as View, viewId };
}

async function submit(
  view: View,
  viewId: string,
  inputs: Record<string, string | null> = {},
  app: TestApp = t,
) {
  const response = await app.driver.interactive(viewSubmission(view, { viewId }, inputs));
  expect(response.status).toBe(200);
  return response.json() as { response_action: string; view?: View; errors?: Record<string, string> };
}

/** Submits the form, checks that the review step came back, and submits the review: the purchase. */
async function renew(
  view: View,
  viewId: string,
  inputs: Record<string, string | null> = {},
  app: TestApp = t,
  userId = "U0ANN",
) {
  const review = await app.driver.interactive(viewSubmission(view, { viewId, userId }, inputs));
  const answer = review.json() as { response_action: string; view: View };
  expect(answer.response_action).toBe("update");
  expect((answer.view as { callback_id: string }).callback_id).toBe("ssl_renew_review");
  const placed = await app.driver.interactive(viewSubmission(answer.view, { viewId, userId }));
  expect(placed.status).toBe(200);
  return { review: answer.view, ack: placed.json() as { response_action: string; view?: View } };
}

async function renewalsOf(originalId: number): Promise<Order[]> {
  // Oldest first: PostgreSQL returns updated rows in no fixed order.
  return t.database.db
    .select()
    .from(orders)
    .where(eq(orders.renewalOfId, originalId))
    .orderBy(asc(orders.id));
}

const viewUpdate = (viewId: string, text: string) =>
  t.slack.waitFor(
    "views.update",
    (call: RecordedCall) => call.args.view_id === viewId && textOf(call.args.view).includes(text),
  );

describe("renewing an order", () => {
  it("opens a form prefilled from the original, with a fresh approver list and the product's periods", async () => {
    const original = await issuedOrder();
    const { view } = await openRenewalForm("SSL-1001");
    const form = textOf(view);
    expect(form).toContain("Renew *SSL-1001* · www.example.com for *Acme Ltd*");
    expect(form).toContain("New key pair (recommended)");
    expect(form).toMatch(
      /\*www\.example\.com\*: validated .* by e-mail, reusable until .*: no new validation needed/,
    );
    expect(form).toContain("Organisation: Acme Limited, GB.");
    expect(form).toContain('"initial_option":{"text":{"type":"plain_text","text":"1 year"');
    expect(form).toContain('"text":"2 years"');
    expect(form).toContain('"initial_option":{"text":{"type":"plain_text","text":"nginx"');
    expect(form).toContain('"initial_option":{"text":{"type":"plain_text","text":"hostmaster@example.com"');
    expect(form).toContain('"initial_value":"jane@example.com"');
    expect(original.providerOrderId).toBe("SBX-1");
  });

  it("keeps the original's key and CSR when asked to", async () => {
    const original = await issuedOrder();
    const { view, viewId } = await openRenewalForm("SSL-1001");
    await renew(view, viewId, { renew_key: "current" });
    await viewUpdate(viewId, "placed with Sandbox");
    const [renewal] = await renewalsOf(original.id);
    expect(renewal).toMatchObject({ csr: original.csr, encryptedPrivateKey: original.encryptedPrivateKey });
  });

  it("renews with the client's own CSR, checked against the domains, storing no key", async () => {
    const original = await issuedOrder();
    const { view, viewId } = await openRenewalForm("SSL-1001");
    const wrong = await submit(view, viewId, { renew_csr: clientCsr(["other.example.com"]) });
    expect(wrong.response_action).toBe("errors");
    expect(wrong.errors?.renew_csr_blk).toContain("www.example.com");
    const csr = clientCsr(["www.example.com"]);
    const { review } = await renew(view, viewId, { renew_csr: csr });
    expect(textOf(review)).toContain("The client's own CSR: the private key stays with the client");
    await viewUpdate(viewId, "placed with Sandbox");
    const [renewal] = await renewalsOf(original.id);
    expect(renewal?.encryptedPrivateKey).toBeNull();
    expect(renewal?.csr?.replace(/\s/g, "")).toBe(csr.replace(/\s/g, ""));
  });

  it("places a linked renewal with a new key, posts its message and tells the original thread", async () => {
    const original = await issuedOrder();
    const { view, viewId } = await openRenewalForm("www.example.com");
    const { review, ack } = await renew(view, viewId, { renew_period: "24" });
    // What will be bought, before it is: two years of PositiveSSL plus SiteLock, from the price list.
    const shown = textOf(review);
    expect(shown).toContain("Renewing SSL-1001: you are about to buy");
    expect(shown).toContain("*PositiveSSL (DV)* from Sandbox, 2 years");
    expect(shown).toContain("Validation by e-mail to hostmaster@example.com");
    expect(shown).toContain("Add-ons: SiteLock malware scan");
    expect(shown).toContain("Price: *54.89 USD*");
    expect(shown).toContain("Place renewal");
    expect(ack.response_action).toBe("update");
    expect(textOf(ack.view)).toContain("Placing the renewal of *SSL-1001*");
    await viewUpdate(viewId, "*SSL-1002* renews SSL-1001: placed with Sandbox");

    const [renewal] = await renewalsOf(original.id);
    expect(renewal).toMatchObject({
      reference: "SSL-1002",
      status: "pending",
      periodMonths: 24,
      serverType: "nginx",
      approverEmail: "hostmaster@example.com",
      addonIds: ["sitelock"],
      providerOrderId: "SBX-2",
    });
    // A renewal makes a new key pair unless the current one is kept.
    expect(renewal?.encryptedPrivateKey).toBeTruthy();
    expect(renewal?.encryptedPrivateKey).not.toBe(original.encryptedPrivateKey);
    expect(renewal?.csr).not.toBe(original.csr);
    const [placed] = await t.database.db.select().from(sandboxOrders).where(eq(sandboxOrders.id, 2));
    expect(placed?.renewalOf).toBe("SBX-1");

    const message = await t.slack.waitFor(
      "chat.postMessage",
      (call) =>
        call.args.channel === "C0SSL" && !call.args.thread_ts && String(call.args.text).includes("SSL-1002"),
    );
    expect(textOf(message.args.blocks)).toContain("Renews SSL-1001");
    const reply = await t.slack.waitFor("chat.postMessage", (call) =>
      String(call.args.text).includes("Renewal *SSL-1002* requested by <@U0ANN>"),
    );
    expect(reply.args).toMatchObject({ channel: "C0SSL", thread_ts: original.slackThreadTs });

    // Details link both ways.
    const details = async (order: Order) => {
      t.slack.reset();
      await t.driver.interactive(
        messageButton(
          { channel: "C0SSL", ts: order.slackMessageTs ?? "" },
          "order_details",
          String(order.id),
          {
            userId: "U0ANN",
            responseUrl: t.slack.responseUrl(),
          },
        ),
      );
      return textOf((await t.slack.waitFor("views.open")).args.view);
    };
    expect(await details(original)).toContain("Renewed by *SSL-1002*");
    expect(await details(await reload(renewal?.id ?? 0))).toContain("Renews *SSL-1001*");
  });

  it("buys nothing before the review, and makes one renewal when the review is submitted three times", async () => {
    const original = await issuedOrder();
    const { view, viewId } = await openRenewalForm("SSL-1001");
    const review = (await submit(view, viewId)).view as View;
    expect(await renewalsOf(original.id)).toHaveLength(0);
    await Promise.all([submit(review, viewId), submit(review, viewId), submit(review, viewId)]);
    await viewUpdate(viewId, "placed with Sandbox");
    // Losing inserts still draw from the reference sequence on PostgreSQL: read the number.
    const [renewal] = await renewalsOf(original.id);
    await viewUpdate(viewId, `already submitted as *${renewal?.reference}*`);
    expect(await renewalsOf(original.id)).toHaveLength(1);
    expect(await t.database.db.select().from(sandboxOrders)).toHaveLength(2);
  });

  it("reopens the form with the values kept and the reason when the provider refuses, then renews once fixed", async () => {
    const original = await issuedOrder();
    sandbox.refusal = "Renewals for 2 years are not available for this product.";
    const { view, viewId } = await openRenewalForm("SSL-1001");
    await renew(view, viewId, { renew_period: "24", renew_contact_email: "ops@acme.example.com" });

    const reopened = await viewUpdate(viewId, "The renewal was refused.");
    const form = textOf(reopened.args.view);
    expect(form).toContain("Renewals for 2 years are not available for this product.");
    expect(form).toContain('"initial_option":{"text":{"type":"plain_text","text":"2 years"');
    expect(form).toContain('"initial_value":"ops@acme.example.com"');
    expect(form).toContain('"initial_option":{"text":{"type":"plain_text","text":"hostmaster@example.com"');
    const [failed] = await renewalsOf(original.id);
    expect(failed?.status).toBe("failed");

    sandbox.refusal = undefined;
    await renew(reopened.args.view as View, viewId, { renew_period: "12" });
    await viewUpdate(viewId, "*SSL-1003* renews SSL-1001: placed with Sandbox");
    const renewals = await renewalsOf(original.id);
    expect(renewals.map((renewal) => [renewal.reference, renewal.status])).toEqual([
      ["SSL-1002", "failed"],
      ["SSL-1003", "pending"],
    ]);
    expect(renewals[1]?.contact.email).toBe("ops@acme.example.com");
  });

  it("goes back from the review to the form with every value kept, buying nothing", async () => {
    const original = await issuedOrder();
    const { view, viewId } = await openRenewalForm("SSL-1001");
    const review = (await submit(view, viewId, { renew_period: "24", renew_contact_title: "CTO" }))
      .view as View;
    const before = t.slack.callsTo("views.update").length;
    await t.driver.interactive(viewBlockAction(review, { viewId }, "renew_review_change"));
    const back = await t.slack.waitFor(
      "views.update",
      (call) => t.slack.callsTo("views.update").indexOf(call) >= before && call.args.view_id === viewId,
    );
    const form = textOf(back.args.view);
    expect(form).toContain('"initial_option":{"text":{"type":"plain_text","text":"2 years"');
    expect(form).toContain('"initial_value":"CTO"');
    expect(form).toContain('"initial_option":{"text":{"type":"plain_text","text":"hostmaster@example.com"');
    expect(await renewalsOf(original.id)).toEqual([]);
  });

  it("checks the form before anything is ordered", async () => {
    await issuedOrder();
    const { view, viewId } = await openRenewalForm("SSL-1001");
    const ack = await submit(view, viewId, { renew_approver: null, renew_contact_phone: "12" });
    expect(ack.response_action).toBe("errors");
    expect(ack.errors?.["renew_approver_blk:www.example.com"]).toBe(
      "Choose an approver address from the list.",
    );
    expect(ack.errors?.renew_contact_phone_blk).toBeDefined();
    expect(await t.database.db.select().from(orders)).toHaveLength(1);
  });

  it("opens from the order message's Renew button and the ssl_renew shortcut", async () => {
    const original = await issuedOrder();
    const message = { channel: "C0SSL", ts: original.slackMessageTs ?? "" };
    await t.driver.interactive(
      messageButton(message, "order_renew", String(original.id), {
        userId: "U0ANN",
        responseUrl: t.slack.responseUrl(),
      }),
    );
    expect(textOf((await t.slack.waitFor("views.open")).args.view)).toContain("Renew *SSL-1001*");

    t.slack.reset();
    await t.driver.interactive(messageShortcut("ssl_renew", message, t.slack.responseUrl()));
    expect(textOf((await t.slack.waitFor("views.open")).args.view)).toContain("Renew *SSL-1001*");
  });

  it("switching to HTTP validation drops the approver select", async () => {
    await issuedOrder();
    const { view, viewId } = await openRenewalForm("SSL-1001");
    await t.driver.interactive(
      viewBlockAction(view, { viewId }, "renew_dcv_method", { renew_dcv_method: "http" }),
    );
    const updated = await viewUpdate(viewId, "its thread shows what to publish");
    expect(textOf(updated.args.view)).not.toContain("renew_approver");
  });
});

describe("one renewal at a time", () => {
  it("refuses a second renewal while the first lives, naming it, from the command and the Renew button", async () => {
    const original = await issuedOrder();
    const { view, viewId } = await openRenewalForm("SSL-1001");
    await renew(view, viewId);
    await viewUpdate(viewId, "*SSL-1002* renews SSL-1001: placed with Sandbox");

    t.slack.reset();
    await t.driver.slashCommand("renew SSL-1001");
    const byCommand = textOf((await t.slack.waitFor("views.open")).args.view);
    expect(byCommand).toContain("*SSL-1001* It is already being renewed by SSL-1002 (pending)");
    expect(byCommand).not.toContain("renew_period");

    t.slack.reset();
    await t.driver.interactive(
      messageButton(
        { channel: "C0SSL", ts: original.slackMessageTs ?? "" },
        "order_renew",
        String(original.id),
        {
          userId: "U0BOB",
          responseUrl: t.slack.responseUrl(),
        },
      ),
    );
    expect(textOf((await t.slack.waitFor("views.open")).args.view)).toContain(
      "already being renewed by SSL-1002",
    );
    expect(await renewalsOf(original.id)).toHaveLength(1);
  });

  it("places one renewal when two people submit their renewal forms of the same order", async () => {
    const original = await issuedOrder();
    const ann = await openRenewalForm("SSL-1001");
    t.slack.reset();
    await t.driver.slashCommand("renew SSL-1001", { userId: "U0BOB" });
    await t.slack.waitFor("views.open");
    const bobViewId = String((await t.slack.waitFor("views.update")).args.view_id);
    const bobView = (
      await t.slack.waitFor("views.update", (call) => textOf(call.args.view).includes("renew_approver"))
    ).args.view as View;
    const bob = { view: bobView, viewId: `${bobViewId}-bob` };

    const annReview = (await submit(ann.view, ann.viewId)).view as View;
    const bobReview = (
      (
        await t.driver.interactive(viewSubmission(bob.view, { viewId: bob.viewId, userId: "U0BOB" }))
      ).json() as {
        view: View;
      }
    ).view;
    await Promise.all([
      submit(annReview, ann.viewId),
      t.driver.interactive(viewSubmission(bobReview, { viewId: bob.viewId, userId: "U0BOB" })),
    ]);
    // Losing inserts still draw from the reference sequence on PostgreSQL: read the number.
    await Promise.race(
      [ann.viewId, bob.viewId].map((id) => viewUpdate(id, "renews SSL-1001: placed with Sandbox")),
    );
    const [renewal] = await renewalsOf(original.id);
    const told = await Promise.race([
      viewUpdate(ann.viewId, `already being renewed by ${renewal?.reference}`).then(() => "ann"),
      viewUpdate(bob.viewId, `already being renewed by ${renewal?.reference}`).then(() => "bob"),
    ]);
    await viewUpdate(
      told === "ann" ? bob.viewId : ann.viewId,
      `*${renewal?.reference}* renews SSL-1001: placed with Sandbox`,
    );
    expect((await renewalsOf(original.id)).map((renewal) => renewal.status)).toEqual(["pending"]);
    expect(await t.database.db.select().from(sandboxOrders)).toHaveLength(2);
  });

  it("says so at the form, before any review, when someone renewed the order meanwhile", async () => {
    const original = await issuedOrder();
    const ann = await openRenewalForm("SSL-1001");
    t.slack.reset();
    const bob = await openRenewalForm("SSL-1001");
    await renew(bob.view, `${bob.viewId}-bob`, {}, t, "U0BOB");
    await viewUpdate(`${bob.viewId}-bob`, "placed with Sandbox");
    const answer = await submit(ann.view, ann.viewId);
    expect(answer.response_action).toBe("update");
    expect(textOf(answer.view)).toContain("already being renewed by SSL-1002");
    expect(textOf(answer.view)).not.toContain("about to buy");
    expect(await renewalsOf(original.id)).toHaveLength(1);
  });

  it("allows a new renewal once the live one failed", async () => {
    const original = await issuedOrder();
    sandbox.refusal = "Not today.";
    const first = await openRenewalForm("SSL-1001");
    await renew(first.view, first.viewId);
    await viewUpdate(first.viewId, "The renewal was refused.");
    sandbox.refusal = undefined;
    t.slack.reset();
    const second = await openRenewalForm("SSL-1001");
    await renew(second.view, second.viewId);
    await viewUpdate(second.viewId, "*SSL-1003* renews SSL-1001: placed with Sandbox");
    expect((await renewalsOf(original.id)).map((renewal) => renewal.status)).toEqual(["failed", "pending"]);
  });
});

describe("what cannot be renewed", () => {
  it("answers an unknown reference only to the caller", async () => {
    await t.driver.slashCommand("renew SSL-9999");
    const reply = await t.slack.waitFor("response_url");
    expect(reply.args).toMatchObject({ response_type: "ephemeral" });
    expect(String(reply.args.text)).toContain("No order SSL-9999; `/ssl list` shows recent orders.");
    expect(t.slack.callsTo("views.open")).toEqual([]);

    await t.driver.slashCommand("renew");
    expect(
      String((await t.slack.waitFor("response_url", (call) => call.args.text !== reply.args.text)).args.text),
    ).toContain("/ssl renew SSL-1042");
  });

  it("explains that an order the provider refused has nothing to renew", async () => {
    const { order } = await t.app.orders.createOrder(request({ primaryDomain: "refuse-shop.example.com" }));
    expect((await t.app.orders.place(order.id, "U0ANN")).kind).toBe("failed");
    await t.driver.slashCommand("renew refuse-shop.example.com");
    const opened = await t.slack.waitFor("views.open");
    expect(textOf(opened.args.view)).toContain("never reached the provider (it is failed)");
    expect(textOf(opened.args.view)).not.toContain("renew_period");
  });
});

describe("with SSL_ORDERERS and SSL_REQUIRE_APPROVAL", () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await startTestApp({
      database: t.database,
      env: { SSL_CHANNEL: "C0SSL", SSL_ORDERERS: "U0ANN", SSL_REQUIRE_APPROVAL: "true" },
    });
    await strict.app.catalogue.get();
  });
  afterAll(async () => {
    await strict.stop();
  });

  it("lets only orderers renew, and holds the renewal for approval", async () => {
    const { order } = await t.app.orders.createOrder(request());
    await t.app.orders.place(order.id, "U0ANN");
    strict.slack.reset();

    await strict.driver.slashCommand("renew SSL-1001", { userId: "U0OUTSIDER" });
    expect(textOf((await strict.slack.waitFor("views.open")).args.view)).toContain(
      "Only people in SSL_ORDERERS",
    );

    strict.slack.reset();
    const { view, viewId } = await openRenewalForm("SSL-1001", strict);
    const { review } = await renew(view, viewId, {}, strict);
    expect(textOf(review)).toContain("Request approval");
    await strict.slack.waitFor(
      "views.update",
      (call) => call.args.view_id === viewId && textOf(call.args.view).includes("is waiting for approval"),
    );
    const [renewal] = await renewalsOf(order.id);
    expect(renewal).toMatchObject({
      status: "awaiting_approval",
      providerOrderId: null,
      // Its new key pair is made when it is placed, after the approval.
      csr: null,
      encryptedPrivateKey: null,
    });
    expect((await reload(order.id)).csr).toBeTruthy();
  });
});
