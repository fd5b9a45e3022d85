import { count, eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { orders, sandboxOrders } from "../../src/db/schema.js";
import { clientCsr } from "../support/client-csr.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, useTestApp } from "../support/harness.js";
import { blockSuggestion, textOf, viewBlockAction, viewSubmission } from "../support/modal.js";
import { waitForLoadedOrderForm } from "../support/order-modal.js";
import type { RecordedCall } from "../support/slack-api-fake.js";

const t = useTestApp({ env: { SSL_CHANNEL: "C0SSL" } });
beforeAll(async () => {
  await t.app.catalogue.get();
});
beforeEach(async () => {
  await createAcmeClient(t.database.db);
});

type View = Record<string, unknown>;
const viewOf = (call: RecordedCall) => call.args.view as View;

/** Opens the modal for a domain, chooses e-mail validation and waits until the approver select is filled. */
async function openOrderForm(text: string): Promise<{ view: View; viewId: string }> {
  expect((await t.driver.slashCommand(text)).status).toBe(200);
  return waitForLoadedOrderForm(t.slack, { chooseEmail: t.driver });
}

async function submitStep1(
  view: View,
  viewId: string,
  inputs: Record<string, string | null> = {},
  previousViewId?: string,
) {
  const response = await t.driver.interactive(viewSubmission(view, { viewId, previousViewId }, inputs));
  expect(response.status).toBe(200);
  return response.json() as { response_action: string; view?: View; errors?: Record<string, string> };
}

describe("/ssl order, step 1", () => {
  it("opens at once with the client prefilled and DNS validation chosen; e-mail shows the domain's approver addresses", async () => {
    await t.driver.slashCommand('order "Acme Ltd" www.example.com');
    const opened = await t.slack.waitFor("views.open");
    const first = textOf(opened.args.view);
    expect(first).toContain("Acme Ltd");
    expect(first).toContain("Acme Limited");
    expect(first).toContain('"initial_option":{"text":{"type":"plain_text","text":"DNS record (CNAME)"');
    expect(first).toContain("the thread shows the CNAME record to publish");

    const loaded = await waitForLoadedOrderForm(t.slack, { chooseEmail: t.driver });
    const view = textOf(loaded.view);
    expect(view).toContain("admin@example.com");
    expect(view).toContain("webmaster@www.example.com");
    expect(view).toContain("Specify Contact Info");
    expect(view).toContain("Apache/mod_ssl");
    expect(view).toContain('"initial_option":{"text":{"type":"plain_text","text":"1 year"');
    expect(view).toContain("Greater London");
    expect(view).toContain("United Kingdom");
  });

  it("shows the list in one update when the domain is entered in the form and the provider answers at once", async () => {
    await t.driver.slashCommand("order");
    const opened = await t.slack.waitFor("views.open");
    const viewId = "V-OPEN";
    await t.driver.interactive(
      viewBlockAction(viewOf(opened), { viewId }, "order_dcv_method", { order_dcv_method: "email" }),
    );
    const emailChosen = await t.slack.waitFor("views.update", (call) =>
      textOf(call.args.view).includes("enter the domain above and press Enter"),
    );
    t.slack.reset();
    const response = await t.driver.interactive(
      viewBlockAction(viewOf(emailChosen), { viewId }, "order_domain", {
        order_domain: "Bücher.example.com",
      }),
    );
    expect(response.status).toBe(200);
    await t.slack.waitFor("views.update", (call) => textOf(call.args.view).includes("order_approver"));
    await t.app.settled();
    // No loading state: the sandbox answered within the form's grace. The check's result (DNS is
    // refused here) adds nothing, so this is the only update.
    const updates = t.slack.callsTo("views.update").map((call) => textOf(call.args.view));
    expect(updates).toHaveLength(1);
    expect(updates[0]).not.toContain("Fetching approver addresses");
    expect(updates[0]).toContain("admin@example.com");
    expect(updates[0]).toContain("admin@xn--bcher-kva.example.com");
  });

  it("shows why a domain is refused under the Domain field, in the form it opens", async () => {
    await t.driver.slashCommand("order Acme 10.1.2.3");
    const opened = await t.slack.waitFor("views.open");
    expect(textOf(opened.args.view)).toContain("Certificates are issued for domain names, not IP addresses.");
  });

  it("finds countries as the person types in the Country menu", async () => {
    const answer = await t.driver.interactive(blockSuggestion("order_country", "germ"));
    expect(answer.json()).toEqual({
      options: [{ text: { type: "plain_text", text: "Germany", emoji: true }, value: "DE" }],
    });
  });

  it("reports every step-1 problem inline, on the field's own block", async () => {
    await t.driver.slashCommand("order");
    const view = viewOf(await t.slack.waitFor("views.open"));
    const body = await submitStep1(view, "V1", { order_domain: "www.example.com", order_country: null });
    expect(body.response_action).toBe("errors");
    expect(body.errors).toMatchObject({
      client_blk: "Choose the client this certificate is for.",
      country_blk: "Choose a country from the list (ISO-3166 two-letter code).",
    });
    // DNS validation (the default) needs no approver list; e-mail does.
    expect(body.errors?.domain_blk).toBeUndefined();
    const byEmail = await submitStep1(view, "V1", {
      order_domain: "www.example.com",
      order_country: null,
      order_dcv_method: "email",
    });
    expect(byEmail.errors?.domain_blk).toBe(
      "Press Enter in the Domain field to load the approver addresses, then choose one.",
    );
  });

  it("refuses a wildcard on a single-name product and asks for an approver from the list", async () => {
    const { view, viewId } = await openOrderForm('order "Acme Ltd" www.example.com');
    const wildcard = await submitStep1(view, viewId, { order_domain: "*.example.com" });
    expect(wildcard.errors?.domain_blk).toContain("does not cover wildcards");
    const noApprover = await submitStep1(view, viewId, { order_approver: null });
    expect(Object.entries(noApprover.errors ?? {})).toEqual([
      ["approver_blk:www.example.com", "Choose an approver address from the list."],
    ]);
  });
});

async function fillBothSteps(domain: string, contactInputs: Record<string, string> = {}) {
  const { view, viewId } = await openOrderForm(`order "Acme Ltd" ${domain}`);
  const step1 = await submitStep1(view, viewId, { order_approver: `admin@${domain.replace(/^www\./, "")}` });
  expect(step1.response_action).toBe("push");
  const step2 = step1.view as View;
  expect(textOf(step2)).toContain("Jane Doe (default)");
  const submit = () =>
    t.driver.interactive(viewSubmission(step2, { viewId: "V-STEP2", previousViewId: viewId }, contactInputs));
  return { step2, submit, step1View: view };
}

describe("/ssl order, dependent fields", () => {
  it("rebuilds product-dependent fields on a product change and keeps what was typed", async () => {
    const { view, viewId } = await openOrderForm('order "Acme Ltd" www.example.com');
    await t.driver.interactive(
      viewBlockAction(view, { viewId }, "order_product", {
        order_product: "sandbox:positivessl-multidomain",
        order_unit: "Web team",
        order_approver: "postmaster@example.com",
      }),
    );
    const update = await t.slack.waitFor("views.update", (call) =>
      textOf(call.args.view).includes("Additional domains"),
    );
    const rebuilt = textOf(update.args.view);
    expect(rebuilt).toContain('"block_id":"period_blk:sandbox:positivessl-multidomain"');
    expect(rebuilt).toContain('"initial_value":"www.example.com"');
    expect(rebuilt).toContain('"initial_value":"Web team"');
    expect(rebuilt).not.toContain("SiteLock");
  });

  it("prefills the organisation from a newly chosen client", async () => {
    const other = await createAcmeClient(t.database.db, {
      name: "Globex",
      organisation: "Globex Corporation",
      state: "IL",
      country: "US",
    });
    await t.driver.slashCommand("order");
    const view = viewOf(await t.slack.waitFor("views.open"));
    await t.driver.interactive(
      viewBlockAction(view, { viewId: "V-C" }, "order_client", { order_client: String(other.id) }),
    );
    const update = await t.slack.waitFor("views.update", (call) =>
      textOf(call.args.view).includes("Globex Corporation"),
    );
    const rebuilt = textOf(update.args.view);
    expect(rebuilt).toContain(`"block_id":"org_blk:${other.id}"`);
    expect(rebuilt).toContain("United States");
  });
});

describe("/ssl order, contact step and submission", () => {
  it("places the order with the sandbox and posts the order message with its thread", async () => {
    const { submit, step2 } = await fillBothSteps("www.example.com", { order_contact_title: "Head of IT" });
    // Step 2 says what will be bought before the button that buys it.
    const review = textOf(step2);
    expect(review).toContain("You are about to buy* for *Acme Ltd*");
    expect(review).toContain("*PositiveSSL (DV)* from Sandbox, 1 year");
    expect(review).toContain("• www.example.com");
    expect(review).toContain("Validation by e-mail to admin@example.com");
    expect(review).toContain("Price: *8.95 USD*");
    expect((step2 as { submit: { text: string } }).submit.text).toBe("Place order");
    expect(await t.database.db.select().from(orders)).toEqual([]);
    const response = await submit();
    expect(response.json()).toMatchObject({ response_action: "update" });
    expect(textOf(response.json())).toContain("Generating the key pair and placing the order with Sandbox");

    const confirmation = await t.slack.waitFor("views.update", (call) =>
      textOf(call.args.view).includes("placed with Sandbox"),
    );
    expect(confirmation.args.view_id).toBe("V-STEP2");
    const posted = await t.slack.waitFor(
      "chat.postMessage",
      (call) => call.args.channel === "C0SSL" && !call.args.thread_ts,
    );
    const message = textOf(posted.args.blocks);
    expect(message).toContain("SSL-1001");
    expect(message).toContain("Acme Ltd");
    expect(message).toContain("PositiveSSL (DV)");
    expect(message).toContain("admin@example.com");
    expect(message).toContain("<@U0ANN>");
    expect(message).toContain("Check status");
    expect(message).toContain("*Price*\\n8.95 USD");
    const edited = await t.slack.waitFor("chat.update", (call) =>
      textOf(call.args.blocks).includes("Validating"),
    );
    expect(edited.args.channel).toBe("C0SSL");
    expect(textOf(edited.args.blocks)).toContain("*Requested* → *Submitted* → *Validating* → Issued");

    const nextStep = await t.slack.waitFor("chat.postMessage", (call) =>
      String(call.args.text).includes("e-mailed"),
    );
    expect(nextStep.args.thread_ts).toBeDefined();
    expect(nextStep.args.text).toContain("Sandbox e-mailed *admin@example.com*; the client must approve");

    const [order] = await t.database.db.select().from(orders);
    expect(order).toMatchObject({
      reference: "SSL-1001",
      status: "pending",
      providerOrderId: "SBX-1",
      primaryDomain: "www.example.com",
      country: "GB",
      organisation: "Acme Limited",
      locality: "London",
      contact: { firstName: "Jane", title: "Head of IT" },
      slackChannel: "C0SSL",
      quotedPrice: "8.95 USD",
      cost: "8.95 USD",
    });
    expect(order?.csr).toContain("BEGIN CERTIFICATE REQUEST");
    expect(order?.encryptedPrivateKey).toMatch(/^v1\./);
    expect(t.vault.decrypt(order?.encryptedPrivateKey ?? "")).toContain("BEGIN PRIVATE KEY");
    for (const call of t.slack.calls) expect(textOf(call.args)).not.toContain("PRIVATE KEY");
  });

  it("checks the contact's e-mail and phone inline, keeping step 2 open", async () => {
    const { submit } = await fillBothSteps("www.example.com", {
      order_contact_email: "jane-at-acme",
      order_contact_phone: "12",
    });
    const body = (await submit()).json() as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe("errors");
    expect(Object.keys(body.errors).sort()).toEqual(["contact_email_blk:1", "contact_phone_blk:1"]);
    expect(body.errors["contact_phone_blk:1"]).toContain("not a valid phone number for GB");
    const [{ total } = { total: -1 }] = await t.database.db.select({ total: count() }).from(orders);
    expect(total).toBe(0);
  });

  it("places exactly one order when step 2 is submitted twice (double click or Slack retry)", async () => {
    const { submit } = await fillBothSteps("www.example.com");
    await Promise.all([submit(), submit()]);
    await t.slack.waitFor("views.update", (call) => textOf(call.args.view).includes("placed with Sandbox"));
    // On PostgreSQL the losing insert still draws a number from the sequence, so the one order is
    // not always SSL-1001: read its reference rather than assume it.
    const [order] = await t.database.db.select().from(orders);
    await t.slack.waitFor("views.update", (call) =>
      textOf(call.args.view).includes(`already submitted as *${order?.reference}*`),
    );
    expect(await t.database.db.select().from(orders)).toHaveLength(1);
    const [{ total } = { total: -1 }] = await t.database.db.select({ total: count() }).from(sandboxOrders);
    expect(total).toBe(1);
  });

  it("returns to step 1 with every value kept and the provider's reason when the provider refuses", async () => {
    const { submit } = await fillBothSteps("refuse-shop.example.com", { order_contact_first: "Janet" });
    await submit();
    const back = await t.slack.waitFor("views.update", (call) =>
      textOf(call.args.view).includes("The provider refused the order"),
    );
    const view = back.args.view as View;
    expect(view.callback_id).toBe("ssl_order_step1");
    const shown = textOf(view);
    expect(shown).toContain("The sandbox refuses refuse-shop.example.com");
    expect(shown).toContain('"initial_value":"refuse-shop.example.com"');
    expect(shown).toContain("admin@example.com");
    expect(shown).toContain('"initial_value":"Acme Limited"');
    const [order] = await t.database.db.select().from(orders);
    expect(order?.status).toBe("failed");
    const reply = await t.slack.waitFor("chat.postMessage", (call) =>
      String(call.args.text).includes("The order was not placed with"),
    );
    expect(reply.args.thread_ts).toBeDefined();

    const again = await submitStep1(view, "V-STEP2", { order_domain: "shop.example.com" }, "V-ROOT");
    expect(again.errors?.domain_blk).toContain("Press Enter in the Domain field");
  });
});

describe("/ssl order with the client's own CSR", () => {
  it("checks it against the domain on its field, then orders with it and stores no key", async () => {
    const { view, viewId } = await openOrderForm('order "Acme Ltd" www.example.com');
    const approver = { order_approver: "admin@example.com" };
    const wrong = await submitStep1(view, viewId, {
      ...approver,
      order_csr: clientCsr(["shop.example.com"]),
    });
    expect(wrong.response_action).toBe("errors");
    expect(wrong.errors?.csr_blk).toContain("www.example.com");
    expect(await t.database.db.select().from(orders)).toEqual([]);

    const csr = clientCsr(["www.example.com"], "ec-p256");
    const step1 = await submitStep1(view, viewId, { ...approver, order_csr: csr });
    expect(step1.response_action).toBe("push");
    expect(textOf(step1.view)).toContain("The client's own CSR: the private key stays with the client");
    await t.driver.interactive(
      viewSubmission(step1.view as View, { viewId: "V-STEP2", previousViewId: viewId }),
    );
    await t.slack.waitFor("views.update", (call) => textOf(call.args.view).includes("placed with Sandbox"));
    const [order] = await t.database.db.select().from(orders);
    expect(order).toMatchObject({ encryptedPrivateKey: null, keyAlgorithm: "ec-p256" });
    expect(order?.csr?.replace(/\s/g, "")).toBe(csr.replace(/\s/g, ""));
    const [placed] = await t.database.db.select().from(sandboxOrders);
    expect(placed?.csr).toBe(order?.csr);
  });
});

describe("who may order", () => {
  it("refuses someone outside SSL_ORDERERS with an ephemeral message and opens nothing", async () => {
    const guarded = await startTestApp({ env: { SSL_ORDERERS: "U0BOSS" }, database: t.database });
    try {
      const response = await guarded.driver.slashCommand("order Acme www.example.com");
      expect(response.status).toBe(200);
      const reply = await guarded.slack.waitFor("response_url");
      expect(reply.args.text).toContain("Only people in SSL_ORDERERS can order certificates.");
      expect(reply.args.response_type).toBe("ephemeral");
      expect(guarded.slack.callsTo("views.open")).toHaveLength(0);
    } finally {
      await guarded.stop();
    }
  });
});

describe("order reference lookups", () => {
  it("numbers orders from SSL-1001", async () => {
    const { submit } = await fillBothSteps("www.example.com");
    await submit();
    await t.slack.waitFor("views.update", (call) => textOf(call.args.view).includes("placed with Sandbox"));
    const [row] = await t.database.db.select().from(orders).where(eq(orders.reference, "SSL-1001"));
    expect(row?.idempotencyKey).toMatch(/^draft:\d+$/);
  });
});
