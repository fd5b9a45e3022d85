import { asc, count, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  accessRefusals,
  clients,
  contacts,
  orderEvents,
  orders,
  sandboxOrders,
} from "../../src/db/schema.js";
import type { Scheduler } from "../../src/jobs/scheduler.js";
import { getOrder, type Order } from "../../src/orders/repository.js";
import { DAY_MS, insertOrder, testScheduler } from "../jobs/jobs-support.js";
import { createAcmeClient } from "../support/fixtures.js";
import { useTestApp } from "../support/harness.js";
import { messageButton, textOf, viewBlockAction, viewOf, viewSubmission } from "../support/modal.js";
import { waitForLoadedOrderForm } from "../support/order-modal.js";
import { orderRequest } from "../support/orders.js";
import type { RecordedCall } from "../support/slack-api-fake.js";

/**
 * Who may do what, driven through the real handlers: every action against an orderer (only in
 * SSL_ORDERERS), an approver (only in SSL_APPROVERS) and someone in neither. Every refusal must be
 * shown where the user is looking and leave exactly one row in the access audit.
 */

const ORDERER = "U0ORDERER";
const APPROVER = "U0APPROVER";
const OTHER = "U0OTHER";
/** An orderer through a user group, who loses the membership while a form is open. */
const LEAVER = "U0LEAVER";
const ORDERERS_GROUP = "S0ORDERERS";
/** AccessControl caches group members for five minutes. */
const GROUP_CACHE_EXPIRY_MS = 5 * 60_000 + 1;

const ROLES = { orderer: ORDERER, approver: APPROVER, other: OTHER } as const;
type Role = keyof typeof ROLES;

const t = useTestApp({
  env: {
    SSL_CHANNEL: "C0SSL",
    SSL_REQUIRE_APPROVAL: "true",
    SSL_ORDERERS: `${ORDERER},${ORDERERS_GROUP}`,
    SSL_APPROVERS: APPROVER,
  },
});
let scheduler: Scheduler;
let clientId: number;
beforeAll(async () => {
  await t.app.catalogue.get();
  scheduler = await testScheduler(t);
});
afterAll(async () => {
  await scheduler.stop();
});
beforeEach(async () => {
  t.slack.userGroups.set(ORDERERS_GROUP, [LEAVER]);
  // Forget group memberships a previous test read.
  t.clock.advance(GROUP_CACHE_EXPIRY_MS);
  clientId = (await createAcmeClient(t.database.db)).id;
});
afterEach(() => {
  // A handler that fails after its ack leaves no trace in Slack, only in the log.
  expect(t.logLines.filter((line) => / ERROR /.test(line))).toEqual([]);
});

type View = Record<string, unknown>;
type ViewAnswer = { response_action?: string; view?: View; errors?: Record<string, string> };

async function submit(
  view: View,
  context: { viewId: string; userId: string; previousViewId?: string },
  inputs = {},
) {
  const response = await t.driver.interactive(viewSubmission(view, context, inputs));
  expect(response.status).toBe(200);
  return (response.text ? response.json() : {}) as ViewAnswer;
}

const click = (actionId: string, value: string, userId: string, blockId?: string) =>
  t.driver.interactive(
    messageButton(
      { channel: "C0SSL", ts: "1700000000.000001" },
      actionId,
      value,
      {
        userId,
        responseUrl: t.slack.responseUrl(),
      },
      blockId,
    ),
  );

/** The ephemeral answer to a command or a message button. */
async function ephemeral(): Promise<Record<string, unknown>> {
  const reply = await t.slack.waitFor("response_url");
  expect(reply.args.response_type).toBe("ephemeral");
  return reply.args;
}

const updateOf = (viewId: string, text: string) =>
  t.slack.waitFor(
    "views.update",
    (call: RecordedCall) => call.args.view_id === viewId && textOf(call.args.view).includes(text),
  );

async function reload(id: number): Promise<Order> {
  const order = await getOrder(t.database.db, id);
  if (!order) throw new Error(`order ${id} vanished`);
  return order;
}

/** SSL-1001, requested by the orderer and waiting for an approver. */
async function awaitingApproval(requestedBy = ORDERER): Promise<Order> {
  const { order } = await t.app.orders.createOrder(orderRequest(clientId, { requestedBy }));
  return order;
}

/** SSL-1001, approved, placed with the sandbox and issued (SANDBOX_APPROVAL_SECONDS=0). */
async function issued(): Promise<Order> {
  const order = await awaitingApproval();
  await t.app.orders.approve(order.id, APPROVER);
  expect((await t.app.orders.place(order.id, APPROVER)).kind).toBe("placed");
  await t.app.status.checkStatus(order.id, "system");
  return reload(order.id);
}

async function placements(): Promise<number> {
  const [row] = await t.database.db.select({ total: count() }).from(sandboxOrders);
  return row?.total ?? -1;
}

/** The expiry alert the scheduler posts for SSL-1001, 20 days before it expires; its button value. */
async function expiryAlert(actionId: string): Promise<string> {
  await insertOrder(t.database.db, {
    clientId,
    domain: "www.example.com",
    notAfter: new Date(t.clock.now().getTime() + 20 * DAY_MS),
    requestedBy: ORDERER,
  });
  await scheduler.runExpiryScan();
  const alert = await t.slack.waitFor("chat.postMessage", (call) => call.args.channel === "C0SSL");
  const blocks = alert.args.blocks as { elements?: { action_id: string; value: string }[] }[];
  const value = blocks.flatMap((block) => block.elements ?? []).find((e) => e.action_id === actionId)?.value;
  if (!value) throw new Error(`the alert has no ${actionId} button`);
  return value;
}

async function alertEvents(kind: "alert_snoozed" | "alert_acknowledged") {
  return t.database.db.select().from(orderEvents).where(eq(orderEvents.kind, kind));
}

/** `/ssl order "Acme Ltd" www.example.com` until step 1 holds the approver addresses. */
async function orderStep1(userId: string): Promise<{ view: View; viewId: string }> {
  expect((await t.driver.slashCommand('order "Acme Ltd" www.example.com', { userId })).status).toBe(200);
  // The approver list loaded (DNS validation, the default, submits without choosing one).
  return waitForLoadedOrderForm(t.slack);
}

async function orderStep2(userId: string): Promise<{ view: View; viewId: string; previousViewId: string }> {
  const step1 = await orderStep1(userId);
  const answer = await submit(
    step1.view,
    { viewId: step1.viewId, userId },
    { order_approver: "admin@example.com" },
  );
  expect(answer.response_action).toBe("push");
  return { view: answer.view as View, viewId: "V-STEP2", previousViewId: step1.viewId };
}

/** `/ssl renew SSL-1001` until the form holds the fresh approver list. */
async function renewalForm(userId: string): Promise<{ view: View; viewId: string }> {
  expect((await t.driver.slashCommand("renew SSL-1001", { userId })).status).toBe(200);
  const loaded = await t.slack.waitFor("views.update", (call) =>
    textOf(call.args.view).includes("renew_approver"),
  );
  return { view: viewOf(loaded), viewId: String(loaded.args.view_id) };
}

async function opened(command: string, userId: string): Promise<View> {
  expect((await t.driver.slashCommand(command, { userId })).status).toBe(200);
  return viewOf(await t.slack.waitFor("views.open"));
}

const NEW_CLIENT = {
  client_name: "Globex",
  client_country: "US",
  client_contact_first_name: "Hank",
  client_contact_last_name: "Scorpio",
  client_contact_email: "hank@globex.example",
  client_contact_phone: "(415) 555-2671",
};
const NEW_CONTACT = {
  client_contact_first_name: "John",
  client_contact_last_name: "Smith",
  client_contact_email: "john@acme.example",
  client_contact_phone: "020 7946 0002",
};

async function contactCount(): Promise<number> {
  const [row] = await t.database.db.select({ total: count() }).from(contacts);
  return row?.total ?? -1;
}

const SEND_FILES_VIEW = "V0DETAILS";

/** Details on the order message, its Certificate tab, then "Send me the files"; resolves with the files sent and what the modal said. */
async function sendMeTheFiles(
  order: Order,
  userId: string,
): Promise<{ files: string[]; modal: string; dm: string }> {
  await click("order_details", String(order.id), userId);
  const details = viewOf(await t.slack.waitFor("views.open"));
  await t.driver.interactive(
    viewBlockAction(details, { viewId: SEND_FILES_VIEW, userId }, "details_tab_certificate"),
  );
  const certificateTab = viewOf(await updateOf(SEND_FILES_VIEW, "details_send_files"));
  await t.driver.interactive(
    viewBlockAction(certificateTab, { viewId: SEND_FILES_VIEW, userId }, "details_send_files"),
  );
  const sent = await updateOf(SEND_FILES_VIEW, "Sent to your direct messages");
  const upload = await t.slack.waitFor("files.completeUploadExternal");
  expect(upload.args.channel_id).toBe(`D${userId}`);
  return {
    files: (upload.args.files as { title: string }[]).map((file) => file.title),
    modal: textOf(sent.args.view),
    dm: String(upload.args.initial_comment),
  };
}

interface Scenario {
  /** As the access audit names it. */
  audited: string;
  subject: string | null;
  reason: "not in SSL_ORDERERS" | "not in SSL_APPROVERS";
  /** Does it as `userId` and checks that it took effect. */
  allowed(userId: string): Promise<void>;
  /** Tries it as `userId`, checks what the user was told and that nothing changed. */
  refused(userId: string): Promise<void>;
}

const ORDERER_ONLY = "not in SSL_ORDERERS" as const;
const APPROVER_ONLY = "not in SSL_APPROVERS" as const;

const SCENARIOS = {
  order: {
    audited: "order",
    subject: "www.example.com",
    reason: ORDERER_ONLY,
    async allowed(userId) {
      const step2 = await orderStep2(userId);
      const answer = await submit(step2.view, { ...step2, userId });
      expect(answer.response_action).toBe("update");
      await updateOf(step2.viewId, "is waiting for approval");
      expect(await t.database.db.select().from(orders)).toMatchObject([
        { reference: "SSL-1001", requestedBy: userId, status: "awaiting_approval" },
      ]);
    },
    async refused(userId) {
      await t.driver.slashCommand('order "Acme Ltd" www.example.com', { userId });
      expect(String((await ephemeral()).text)).toContain(
        "Only people in SSL_ORDERERS can order certificates. Ask a certdesk admin to add you if you need to.",
      );
      expect(t.slack.callsTo("views.open")).toEqual([]);
      expect(await t.database.db.select().from(orders)).toEqual([]);
    },
  },
  renew: {
    audited: "renew",
    subject: "SSL-1001",
    reason: ORDERER_ONLY,
    async allowed(userId) {
      const original = await issued();
      const form = await renewalForm(userId);
      const review = await submit(form.view, { ...form, userId });
      expect(review.response_action).toBe("update");
      expect((await submit(review.view as View, { ...form, userId })).response_action).toBe("update");
      await updateOf(form.viewId, "is waiting for approval");
      const renewals = await t.database.db.select().from(orders).where(eq(orders.renewalOfId, original.id));
      expect(renewals).toMatchObject([{ requestedBy: userId, status: "awaiting_approval" }]);
    },
    async refused(userId) {
      const original = await issued();
      await t.driver.slashCommand("renew SSL-1001", { userId });
      const shown = await t.slack.waitFor("views.open");
      expect(textOf(shown.args.view)).toContain("Only people in SSL_ORDERERS can renew certificates.");
      expect(await t.database.db.select().from(orders).where(eq(orders.renewalOfId, original.id))).toEqual(
        [],
      );
    },
  },
  approve: {
    audited: "approve",
    subject: "SSL-1001",
    reason: APPROVER_ONLY,
    async allowed(userId) {
      const order = await awaitingApproval();
      await click("order_approve", String(order.id), userId);
      await t.slack.waitFor("chat.postMessage", (call) => String(call.args.text).includes("e-mailed"));
      expect(await reload(order.id)).toMatchObject({ status: "pending", approvedBy: userId });
      expect(await placements()).toBe(1);
    },
    async refused(userId) {
      const order = await awaitingApproval();
      await click("order_approve", String(order.id), userId);
      expect((await ephemeral()).text).toBe(
        ":no_entry: Only people in SSL_APPROVERS can approve orders. Ask a certdesk admin to add you if you need to.",
      );
      expect((await reload(order.id)).status).toBe("awaiting_approval");
      expect(await placements()).toBe(0);
    },
  },
  reject: {
    audited: "reject",
    subject: "SSL-1001",
    reason: APPROVER_ONLY,
    async allowed(userId) {
      const order = await awaitingApproval();
      await click("order_reject", String(order.id), userId);
      const modal = viewOf(await t.slack.waitFor("views.open"));
      const answer = await submit(
        modal,
        { viewId: "V0REJECT", userId },
        { reject_reason: "Client has not paid" },
      );
      // The modal says it is rejecting, then what came of it: nothing slow happens before the ack.
      expect(answer.response_action).toBe("update");
      await updateOf("V0REJECT", "is rejected");
      expect(await reload(order.id)).toMatchObject({
        status: "rejected",
        failureReason: "Client has not paid",
      });
    },
    async refused(userId) {
      const order = await awaitingApproval();
      await click("order_reject", String(order.id), userId);
      expect((await ephemeral()).text).toBe(
        ":no_entry: Only people in SSL_APPROVERS can reject orders. Ask a certdesk admin to add you if you need to.",
      );
      expect(t.slack.callsTo("views.open")).toEqual([]);
      expect((await reload(order.id)).status).toBe("awaiting_approval");
    },
  },
  "key delivery": {
    audited: "key_delivery",
    subject: "SSL-1001",
    reason: APPROVER_ONLY,
    async allowed(userId) {
      const { files, dm } = await sendMeTheFiles(await issued(), userId);
      expect(files).toEqual(expect.arrayContaining(["certificate.pem", "fullchain.pem", "private-key.pem"]));
      expect(dm).toContain("*private key*");
    },
    async refused(userId) {
      const { files, modal, dm } = await sendMeTheFiles(await issued(), userId);
      // The certificate and chain are everyone's; only the key is withheld.
      expect(files).toEqual(expect.arrayContaining(["certificate.pem", "fullchain.pem"]));
      expect(files.filter((name) => name.includes("key") || name.endsWith(".pfx"))).toEqual([]);
      expect(modal).toContain(":lock: The private key goes to SSL_APPROVERS only.");
      expect(dm).toContain("The private key goes to SSL_APPROVERS only.");
    },
  },
  snooze: {
    audited: "snooze",
    subject: "SSL-1001",
    reason: ORDERER_ONLY,
    async allowed(userId) {
      await click("alert_snooze", await expiryAlert("alert_snooze"), userId);
      const edited = await t.slack.waitFor("chat.update");
      expect(textOf(edited.args.blocks)).toContain(`Snoozed by <@${userId}>`);
      expect(await alertEvents("alert_snoozed")).toMatchObject([{ actor: userId }]);
    },
    async refused(userId) {
      await click("alert_snooze", await expiryAlert("alert_snooze"), userId);
      expect((await ephemeral()).text).toBe(
        ":no_entry: Only people in SSL_ORDERERS can snooze expiry alerts. Ask a certdesk admin to add you if you need to.",
      );
      expect(t.slack.callsTo("chat.update")).toEqual([]);
      expect(await alertEvents("alert_snoozed")).toEqual([]);
    },
  },
  acknowledge: {
    audited: "acknowledge",
    subject: "SSL-1001",
    reason: ORDERER_ONLY,
    async allowed(userId) {
      await click("alert_acknowledge", await expiryAlert("alert_acknowledge"), userId);
      const edited = await t.slack.waitFor("chat.update");
      expect(textOf(edited.args.blocks)).toContain(`Acknowledged by <@${userId}>`);
      expect(await alertEvents("alert_acknowledged")).toMatchObject([{ actor: userId }]);
    },
    async refused(userId) {
      await click("alert_acknowledge", await expiryAlert("alert_acknowledge"), userId);
      expect((await ephemeral()).text).toBe(
        ":no_entry: Only people in SSL_ORDERERS can acknowledge expiry alerts. Ask a certdesk admin to add you if you need to.",
      );
      expect(t.slack.callsTo("chat.update")).toEqual([]);
      expect(await alertEvents("alert_acknowledged")).toEqual([]);
    },
  },
  "client add": {
    audited: "client_add",
    subject: null,
    reason: ORDERER_ONLY,
    async allowed(userId) {
      const modal = await opened("client add", userId);
      expect(await submit(modal, { viewId: "V0CLIENT", userId }, NEW_CLIENT)).toEqual({});
      const names = await t.database.db.select({ name: clients.name }).from(clients).orderBy(asc(clients.id));
      expect(names).toEqual([{ name: "Acme Ltd" }, { name: "Globex" }]);
    },
    async refused(userId) {
      await t.driver.slashCommand("client add", { userId });
      expect(String((await ephemeral()).text)).toContain(
        "Only people in SSL_ORDERERS can add or edit clients.",
      );
      expect(t.slack.callsTo("views.open")).toEqual([]);
    },
  },
  "client edit": {
    audited: "client_edit",
    subject: "client 1",
    reason: ORDERER_ONLY,
    async allowed(userId) {
      const modal = await opened("client edit Acme Ltd", userId);
      const answer = await submit(
        modal,
        { viewId: "V0CLIENT", userId },
        { client_organisation: "Acme Holdings" },
      );
      expect(answer).toEqual({});
      const [stored] = await t.database.db.select().from(clients);
      expect(stored?.organisation).toBe("Acme Holdings");
    },
    async refused(userId) {
      await t.driver.slashCommand("client edit Acme Ltd", { userId });
      expect(String((await ephemeral()).text)).toContain(
        "Only people in SSL_ORDERERS can add or edit clients.",
      );
      expect(t.slack.callsTo("views.open")).toEqual([]);
    },
  },
  "client contacts": {
    audited: "client_contacts",
    subject: "client 1",
    reason: ORDERER_ONLY,
    // The client modal is open (an orderer opened it) and the user presses Add contact in it.
    async allowed(userId) {
      const modal = await opened("client edit Acme Ltd", ORDERER);
      await t.driver.interactive(viewBlockAction(modal, { viewId: "V0EDIT", userId }, "client_contact_add"));
      const pushed = viewOf(await t.slack.waitFor("views.push"));
      expect(await submit(pushed, { viewId: "V0CONTACT", userId }, NEW_CONTACT)).toEqual({});
      expect(await contactCount()).toBe(2);
    },
    async refused(userId) {
      const modal = await opened("client edit Acme Ltd", ORDERER);
      await t.driver.interactive(viewBlockAction(modal, { viewId: "V0EDIT", userId }, "client_contact_add"));
      await updateOf("V0EDIT", "Only people in SSL_ORDERERS can add or edit clients.");
      expect(t.slack.callsTo("views.push")).toEqual([]);
      expect(await contactCount()).toBe(1);
    },
  },
} satisfies Record<string, Scenario>;

type Action = keyof typeof SCENARIOS;
type Expected = "allowed" | "refused";

/** The policy. Orderers order, renew, look after clients and alerts; approvers approve and get keys. */
const POLICY: [Action, Role, Expected][] = [
  ["order", "orderer", "allowed"],
  ["order", "approver", "refused"],
  ["order", "other", "refused"],
  ["renew", "orderer", "allowed"],
  ["renew", "approver", "refused"],
  ["renew", "other", "refused"],
  ["approve", "orderer", "refused"],
  ["approve", "approver", "allowed"],
  ["approve", "other", "refused"],
  ["reject", "orderer", "refused"],
  ["reject", "approver", "allowed"],
  ["reject", "other", "refused"],
  ["key delivery", "orderer", "refused"],
  ["key delivery", "approver", "allowed"],
  ["key delivery", "other", "refused"],
  ["snooze", "orderer", "allowed"],
  ["snooze", "approver", "refused"],
  ["snooze", "other", "refused"],
  ["acknowledge", "orderer", "allowed"],
  ["acknowledge", "approver", "refused"],
  ["acknowledge", "other", "refused"],
  ["client add", "orderer", "allowed"],
  ["client add", "approver", "refused"],
  ["client add", "other", "refused"],
  ["client edit", "orderer", "allowed"],
  ["client edit", "approver", "refused"],
  ["client edit", "other", "refused"],
  ["client contacts", "orderer", "allowed"],
  ["client contacts", "approver", "refused"],
  ["client contacts", "other", "refused"],
];

async function refusals() {
  return t.database.db.select().from(accessRefusals).orderBy(asc(accessRefusals.id));
}

function refusalLogLines(): string[] {
  return t.logLines.filter((line) => line.includes("Access refused:"));
}

describe("authorisation: every action against orderer, approver and other", () => {
  it.each(POLICY)("%s by the %s is %s", async (action, role, expected) => {
    const scenario: Scenario = SCENARIOS[action];
    const userId = ROLES[role];
    if (expected === "allowed") {
      await scenario.allowed(userId);
      expect(await refusals()).toEqual([]);
      expect(refusalLogLines()).toEqual([]);
      return;
    }
    await scenario.refused(userId);
    expect(await refusals()).toEqual([
      {
        id: 1,
        at: t.clock.now(),
        actor: userId,
        action: scenario.audited,
        subject: scenario.subject,
        reason: scenario.reason,
      },
    ]);
    expect(refusalLogLines()).toEqual([
      expect.stringMatching(
        new RegExp(
          ` INFO .*Access refused: ${userId} may not ${scenario.audited}\\b.*\\(${scenario.reason}\\)\\.$`,
        ),
      ),
    ]);
  });

  it("refuses the requester approving their own order, even an approver, and audits it", async () => {
    const order = await awaitingApproval(APPROVER);
    await click("order_approve", String(order.id), APPROVER);
    expect(String((await ephemeral()).text)).toContain(
      "You requested this order, so someone else must approve it.",
    );
    expect((await reload(order.id)).status).toBe("awaiting_approval");
    expect(await placements()).toBe(0);
    expect(await refusals()).toMatchObject([
      { actor: APPROVER, action: "approve", subject: "SSL-1001", reason: "self-approval" },
    ]);
    // The order's own history keeps it too, and its thread says so.
    const events = await t.database.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.kind, "approval_refused"));
    expect(events).toMatchObject([{ actor: APPROVER, detail: { reason: "self-approval" } }]);
    await t.slack.waitFor("chat.postMessage", (call) =>
      String(call.args.text).includes("tried to approve but may not"),
    );
  });
});

describe("authorisation: access withdrawn while a form is open", () => {
  /** The LEAVER leaves the orderers' user group; the cached membership runs out. */
  function withdraw(): void {
    t.slack.userGroups.set(ORDERERS_GROUP, []);
    t.clock.advance(GROUP_CACHE_EXPIRY_MS);
  }

  async function expectOneRefusal(action: string, subject: string | null): Promise<void> {
    expect(await refusals()).toMatchObject([
      { actor: LEAVER, action, subject, reason: "not in SSL_ORDERERS" },
    ]);
    expect(refusalLogLines()).toHaveLength(1);
  }

  it("refuses the order form's last step and places nothing", async () => {
    const step2 = await orderStep2(LEAVER);
    withdraw();
    const answer = await submit(step2.view, { ...step2, userId: LEAVER });
    expect(answer.response_action).toBe("update");
    expect(textOf(answer.view)).toContain("Only people in SSL_ORDERERS can order certificates.");
    expect(await t.database.db.select().from(orders)).toEqual([]);
    await expectOneRefusal("order", "www.example.com");
  });

  it("refuses the renewal form's submission and its review's", async () => {
    const original = await issued();
    const form = await renewalForm(LEAVER);
    const review = await submit(form.view, { ...form, userId: LEAVER });
    expect((review.view as { callback_id?: string }).callback_id).toBe("ssl_renew_review");
    withdraw();
    // The review was shown while the person could still renew; buying is checked again.
    const answer = await submit(review.view as View, { ...form, userId: LEAVER });
    expect(answer.response_action).toBe("update");
    expect(textOf(answer.view)).toContain("Only people in SSL_ORDERERS can renew certificates.");
    expect(await t.database.db.select().from(orders).where(eq(orders.renewalOfId, original.id))).toEqual([]);
    await expectOneRefusal("renew", "SSL-1001");
  });

  it("refuses saving a new client, inline in the modal", async () => {
    const modal = await opened("client add", LEAVER);
    withdraw();
    const answer = await submit(modal, { viewId: "V0CLIENT", userId: LEAVER }, NEW_CLIENT);
    expect(answer.errors?.client_name).toContain("Only people in SSL_ORDERERS can add or edit clients.");
    expect(await t.database.db.select({ total: count() }).from(clients)).toEqual([{ total: 1 }]);
    await expectOneRefusal("client_add", null);
  });

  it("refuses saving an edited client, inline in the modal", async () => {
    const modal = await opened("client edit Acme Ltd", LEAVER);
    withdraw();
    const answer = await submit(
      modal,
      { viewId: "V0CLIENT", userId: LEAVER },
      { client_organisation: "Acme Holdings" },
    );
    expect(answer.errors?.client_name).toContain("Only people in SSL_ORDERERS can add or edit clients.");
    const [stored] = await t.database.db.select().from(clients);
    expect(stored?.organisation).toBe("Acme Limited");
    await expectOneRefusal("client_edit", "client 1");
  });

  it("refuses saving a contact, inline in the pushed modal", async () => {
    const modal = await opened("client edit Acme Ltd", LEAVER);
    await t.driver.interactive(
      viewBlockAction(modal, { viewId: "V0EDIT", userId: LEAVER }, "client_contact_add"),
    );
    const pushed = viewOf(await t.slack.waitFor("views.push"));
    withdraw();
    const answer = await submit(pushed, { viewId: "V0CONTACT", userId: LEAVER }, NEW_CONTACT);
    expect(answer.errors?.client_contact_first_name).toContain(
      "Only people in SSL_ORDERERS can add or edit clients.",
    );
    expect(await contactCount()).toBe(1);
    await expectOneRefusal("client_contacts", "client 1");
  });

  it("refuses a contact's menu (make default, remove), in the client modal", async () => {
    const modal = await opened("client edit Acme Ltd", LEAVER);
    const [contact] = await t.database.db.select().from(contacts);
    withdraw();
    await t.driver.interactive(
      viewBlockAction(modal, { viewId: "V0EDIT", userId: LEAVER }, "client_contact_menu", {
        client_contact_menu: `remove:${contact?.id}`,
      }),
    );
    await updateOf("V0EDIT", "Only people in SSL_ORDERERS can add or edit clients.");
    expect(await contactCount()).toBe(1);
    await expectOneRefusal("client_contacts", "client 1");
  });

  it("refuses the Edit button on the clients list", async () => {
    await t.driver.slashCommand("clients", { userId: LEAVER });
    await ephemeral();
    t.slack.reset();
    withdraw();
    await click("client_list_edit", String(clientId), LEAVER, `client_list_row_${clientId}`);
    expect(String((await ephemeral()).text)).toContain(
      "Only people in SSL_ORDERERS can add or edit clients.",
    );
    expect(t.slack.callsTo("views.open")).toEqual([]);
    await expectOneRefusal("client_edit", "client 1");
  });
});
