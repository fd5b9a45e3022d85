import { randomUUID } from "node:crypto";
import { count, desc, eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NOT_AN_ORDER_MESSAGE } from "../../src/commands/shortcuts.js";
import { clients, contacts, orderDrafts, orders } from "../../src/db/schema.js";
import type { Scheduler } from "../../src/jobs/scheduler.js";
import { validateContactInput } from "../../src/orders/clients.js";
import { insertOrder, testScheduler } from "../jobs/jobs-support.js";
import { hostileId, hostileText, MRKDWN_INJECTIONS, propertyOptions } from "../support/arbitraries.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { type Inputs, messageButton, textOf, viewSubmission } from "../support/modal.js";
import { waitForLoadedOrderForm } from "../support/order-modal.js";
import { orderRequest } from "../support/orders.js";
import type { RecordedCall } from "../support/slack-api-fake.js";

/**
 * Every kind of handler driven with malformed, oversized, unicode and injection-shaped values, and
 * with payloads whose structure is broken: each signed request is answered 200, nothing crashes, the
 * person gets a clear answer where they would see one, invalid input stores nothing, and text typed
 * by users never reaches Slack's mrkdwn unescaped. FC_SEED reproduces a run fast-check reported.
 */

type Json = Record<string, unknown>;

let t: TestApp;
let scheduler: Scheduler;
const processErrors: unknown[] = [];
const recordProcessError = (error: unknown) => processErrors.push(error);
/** Ack bodies never pass through the Slack fake, so they are kept for the mrkdwn check. */
const ackBodies: unknown[] = [];

beforeAll(async () => {
  process.on("unhandledRejection", recordProcessError);
  process.on("uncaughtException", recordProcessError);
  t = await startTestApp({ env: { SSL_CHANNEL: "C0SSL" } });
  scheduler = await testScheduler(t);
  await t.app.catalogue.get();
});
afterAll(async () => {
  await quiet();
  expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  await scheduler.stop();
  await t.stop();
  process.off("unhandledRejection", recordProcessError);
  process.off("uncaughtException", recordProcessError);
});
beforeEach(async () => {
  await t.database.truncateAll();
  t.slack.reset();
  t.logLines.length = 0;
  ackBodies.length = 0;
});
afterEach(async () => {
  await quiet();
  expect(processErrors).toEqual([]);
  expect(mrkdwnLeaks()).toEqual([]);
});

const STACK_TRACE =
  /^\s+at .+[:(]|\b(TypeError|ReferenceError|SyntaxError|RangeError|ZodError)\b|\/src\/|node_modules/m;

/**
 * Waits until the app has stopped talking to Slack and logging: the work a handler does after its ack
 * has no other end to wait for. Real time, but only until the app is idle; no behaviour is timed.
 */
async function quiet(): Promise<void> {
  let last = -1;
  let stable = 0;
  for (let round = 0; round < 500 && stable < 4; round += 1) {
    const now = t.slack.calls.length + t.logLines.length;
    stable = now === last ? stable + 1 : 0;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 8));
  }
}

/** Handlers log an error for what they did not expect; hostile input a person can type is expected. */
function expectNoErrorLogged(): void {
  expect(t.logLines.filter((line) => / ERROR /.test(line))).toEqual([]);
}

async function rowCounts() {
  const db = t.database.db;
  const total = async (table: typeof clients | typeof contacts | typeof orders | typeof orderDrafts) =>
    (await db.select({ total: count() }).from(table))[0]?.total ?? -1;
  return {
    clients: await total(clients),
    contacts: await total(contacts),
    orders: await total(orders),
    drafts: await total(orderDrafts),
  };
}

/** A signed interactive request; the answer must be 200, and its body is kept for the mrkdwn check. */
async function send(payload: Json): Promise<Json | undefined> {
  const response = await t.driver.interactive(payload);
  expect(response.status).toBe(200);
  if (!response.text) return undefined;
  const body = response.json() as Json;
  ackBodies.push(body);
  return body;
}

/** Strings Slack renders as mrkdwn: message `text`, and every mrkdwn text object in blocks and views. */
function mrkdwnStrings(value: unknown, asMessage: boolean): string[] {
  const found: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      const object = node as Json;
      if (object.type === "mrkdwn" && typeof object.text === "string") found.push(object.text);
      Object.values(object).forEach(walk);
    }
  };
  walk(value);
  const message = value as Json | undefined;
  if (asMessage && typeof message?.text === "string" && message.mrkdwn !== false) found.push(message.text);
  return found;
}

const MESSAGE_METHODS = new Set(["chat.postMessage", "chat.update", "chat.postEphemeral", "response_url"]);

function mrkdwnLeaks(): string[] {
  const texts = [
    ...t.slack.calls.flatMap((call) => mrkdwnStrings(call.args, MESSAGE_METHODS.has(call.method))),
    ...ackBodies.flatMap((body) => mrkdwnStrings(body, true)),
  ];
  return texts.filter((text) => MRKDWN_INJECTIONS.some((token) => text.includes(token)));
}

function expectClearText(text: unknown): void {
  expect(typeof text).toBe("string");
  expect(String(text).trim()).not.toBe("");
  expect(String(text)).not.toMatch(STACK_TRACE);
}

/** Polls the recorded calls; unlike waitFor, leaves no listener or timer behind when it is not needed. */
async function until<T>(find: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The answer to a slash command: a response_url post or the modal it opened. */
function replyTo(responseUrl: string, triggerId: string): Promise<RecordedCall> {
  const id = responseUrl.split("/").at(-1);
  return until(
    () =>
      t.slack.calls.find(
        (call) =>
          (call.method === "response_url" && call.args.responseUrlId === id) ||
          (call.method === "views.open" && call.args.trigger_id === triggerId),
      ),
    "reply",
  );
}

type View = Json & { blocks: Json[] };

async function openedView(command: string): Promise<View> {
  const triggerId = `trigger-${randomUUID()}`;
  expect((await t.driver.slashCommand(command, { triggerId })).status).toBe(200);
  return (await t.slack.waitFor("views.open", (call) => call.args.trigger_id === triggerId)).args
    .view as View;
}

interface InputElement {
  actionId: string;
  type: string;
}

function inputElements(view: View): InputElement[] {
  return view.blocks
    .filter((block) => block.type === "input")
    .map((block) => {
      const element = block.element as { action_id: string; type: string };
      return { actionId: element.action_id, type: element.type };
    });
}

function hostileValue(element: InputElement): fc.Arbitrary<string | string[] | null> {
  if (element.type === "checkboxes") return fc.array(hostileId, { maxLength: 3 });
  if (element.type === "plain_text_input") return fc.oneof(hostileText, fc.constant(null));
  return fc.oneof(hostileId, hostileText, fc.constant(null));
}

/** Some of the view's inputs, each replaced by a hostile value; the others keep what the view showed. */
function hostileInputs(view: View): fc.Arbitrary<Inputs> {
  const elements = inputElements(view);
  return fc
    .subarray(elements, { minLength: 1 })
    .chain((chosen) =>
      fc
        .tuple(...chosen.map(hostileValue))
        .map((values) =>
          Object.fromEntries(chosen.map((element, index) => [element.actionId, values[index] ?? null])),
        ),
    );
}

const blockIdsOf = (view: View) => view.blocks.map((block) => String(block.block_id ?? ""));

/** A `response_action: "errors"` answer that Slack can show: on the view's own input blocks, in words. */
function expectFieldErrors(body: Json | undefined, view: View): void {
  expect(body?.response_action).toBe("errors");
  const errors = body?.errors as Record<string, string>;
  expect(Object.keys(errors).length).toBeGreaterThan(0);
  for (const [blockId, message] of Object.entries(errors)) {
    expect(blockIdsOf(view)).toContain(blockId);
    expectClearText(message);
  }
}

describe("/ssl with hostile arguments", () => {
  const verbs = [
    "order",
    "list",
    "status",
    "renew",
    "client edit",
    "client add",
    "clients",
    "client",
    "help",
    "",
    "ORDER",
    "Renew",
    "frobnicate",
  ];

  it("answers every sub-command with a clear ephemeral reply or a modal, and stores nothing", async () => {
    await createAcmeClient(t.database.db);
    const before = await rowCounts();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...verbs),
        fc.array(fc.tuple(hostileText, fc.boolean()), { maxLength: 3 }),
        async (verb, args) => {
          const text = [verb, ...args.map(([arg, quoted]) => (quoted ? `"${arg}"` : arg))].join(" ");
          const responseUrl = t.slack.responseUrl();
          const triggerId = `trigger-${randomUUID()}`;
          const response = await t.driver.slashCommand(text, { responseUrl, triggerId });
          expect(response.status).toBe(200);
          if (response.text) {
            const body = response.json() as Json;
            ackBodies.push(body);
            expectClearText(body.text);
          } else {
            const reply = await replyTo(responseUrl, triggerId);
            if (reply.method === "response_url") {
              expect(reply.args.response_type).toBe("ephemeral");
              expectClearText(reply.args.text);
            }
          }
          expect(await rowCounts()).toEqual(before);
        },
      ),
      propertyOptions<[string, [string, boolean][]]>(40, [
        ["list", [["a\u0000b", false]]],
        ["order", [["<!channel>", true]]],
        ["frobnicate", [["<!here>", false]]],
      ]),
    );
    expectNoErrorLogged();
  });
});

/** `/ssl order "Acme Ltd" www.example.com` until step 1 shows the approver select. */
async function loadedOrderForm(): Promise<{ view: View; viewId: string }> {
  const triggerId = `trigger-${randomUUID()}`;
  await t.driver.slashCommand('order "Acme Ltd" www.example.com', { triggerId });
  // The approver list loaded (DNS validation, the default, submits without choosing one).
  const form = await waitForLoadedOrderForm(t.slack, { triggerId });
  return { view: form.view as View, viewId: form.viewId };
}

async function orderStep2(): Promise<View> {
  const { view, viewId } = await loadedOrderForm();
  const body = await send(viewSubmission(view, { viewId }, { order_approver: "admin@example.com" }));
  expect(body?.response_action).toBe("push");
  return body?.view as View;
}

/** What the modal shows after the ack: its next views.update. */
const nextUpdateOf = (viewId: string) =>
  until(
    () => t.slack.calls.find((call) => call.method === "views.update" && call.args.view_id === viewId),
    "views.update",
  );

describe("order modal submissions with hostile field values", () => {
  beforeEach(async () => {
    await createAcmeClient(t.database.db);
  });

  it("step 1: inline errors on the fields, or the contact step; never an order", async () => {
    const { view, viewId } = await loadedOrderForm();
    await fc.assert(
      fc.asyncProperty(hostileInputs(view), async (inputs) => {
        const before = await rowCounts();
        const body = await send(viewSubmission(view, { viewId }, inputs));
        if (body?.response_action === "errors") {
          expectFieldErrors(body, view);
          expect(await rowCounts()).toEqual(before);
          return;
        }
        expect(body?.response_action).toBe("push");
        expect((body?.view as Json | undefined)?.callback_id).toBe("ssl_order_step2");
        expect(await rowCounts()).toEqual({ ...before, drafts: before.drafts + 1 });
      }),
      propertyOptions<[Inputs]>(40, [
        [{ order_organisation: "Acme\u0000Limited" }],
        [{ order_unit: "x".repeat(5000) }],
        [{ order_state: "line\nbreak" }],
        [{ order_unit: "\ud800" }],
      ]),
    );
    expectNoErrorLogged();
  });

  it("step 2: inline errors on the contact fields, or an order whose contact is valid", async () => {
    const step2 = await orderStep2();
    await fc.assert(
      fc.asyncProperty(hostileInputs(step2), async (inputs) => {
        const before = await rowCounts();
        const viewId = `V-${randomUUID()}`;
        const body = await send(viewSubmission(step2, { viewId, previousViewId: "V-STEP1" }, inputs));
        if (body?.response_action === "errors") {
          expectFieldErrors(body, step2);
          expect(await rowCounts()).toEqual(before);
          return;
        }
        expect(body?.response_action).toBe("update");
        expectClearText(textOf(await nextUpdateOf(viewId)));
        await quiet();
        const stored = await t.database.db.select().from(orders);
        for (const order of stored) expect(validateContactInput(order.contact, order.country).ok).toBe(true);
      }),
      propertyOptions<[Inputs]>(25, [
        [{ order_contact_title: "\ud800" }],
        [{ order_contact_last: "a".repeat(260) }],
      ]),
    );
    expectNoErrorLogged();
  });
});

describe("renewal modal submissions with hostile field values", () => {
  it("inline errors on the fields, or a renewal whose contact is valid", async () => {
    const client = await createAcmeClient(t.database.db);
    const { order } = await t.app.orders.createOrder(orderRequest(client.id, { idempotencyKey: "renewed" }));
    expect((await t.app.orders.place(order.id, "U0ANN")).kind).toBe("placed");
    await t.app.status.checkStatus(order.id, "system");
    await t.driver.slashCommand(`renew ${order.reference}`);
    const loaded = await t.slack.waitFor("views.update", (call) =>
      textOf(call.args.view).includes("renew_approver"),
    );
    const view = loaded.args.view as View;
    const serverTypes = (await t.app.catalogue.get())
      .flatMap((entry) => entry.serverTypes)
      .map((type) => type.id);
    await fc.assert(
      fc.asyncProperty(hostileInputs(view), async (inputs) => {
        const before = await rowCounts();
        const viewId = `V-${randomUUID()}`;
        const body = await send(viewSubmission(view, { viewId }, inputs));
        if (body?.response_action === "errors") {
          expectFieldErrors(body, view);
          expect(await rowCounts()).toEqual(before);
          return;
        }
        // A valid form comes back as its review: nothing is bought until that is submitted.
        expect(body?.response_action).toBe("update");
        const review = (body as { view: View }).view;
        expectClearText(textOf(review));
        // Once one renewal lives, every later valid form is told so instead of reviewed.
        if ((review as { callback_id?: string }).callback_id !== "ssl_renew_review") {
          expect(textOf(review)).toContain("already being renewed by SSL-1002");
          return;
        }
        const placed = await send(viewSubmission(review, { viewId }));
        expect(placed?.response_action).toBe("update");
        expectClearText(textOf(await nextUpdateOf(viewId)));
        await quiet();
        const stored = await t.database.db.select().from(orders);
        for (const renewal of stored) {
          expect(validateContactInput(renewal.contact, renewal.country).ok).toBe(true);
          expect(serverTypes).toContain(renewal.serverType);
        }
      }),
      propertyOptions<[Inputs]>(25, [
        [{ renew_contact_last: "a".repeat(260) }],
        [{ renew_server_type: "x\u0000" }],
      ]),
    );
    expectNoErrorLogged();
  });
});

describe("client modal submissions with hostile field values", () => {
  it("client add: inline errors, or a client saved exactly as validated", async () => {
    const view = await openedView("client add");
    await fc.assert(
      fc.asyncProperty(hostileInputs(view), async (inputs) => {
        const before = await rowCounts();
        const notices = t.slack.callsTo("chat.postEphemeral").length;
        const body = await send(viewSubmission(view, { viewId: "V-ADD" }, inputs));
        if (body?.response_action === "errors") {
          expectFieldErrors(body, view);
          expect(await rowCounts()).toEqual(before);
          return;
        }
        expect(body).toBeUndefined();
        const [saved] = await t.database.db.select().from(clients).orderBy(desc(clients.id)).limit(1);
        const stored = await t.database.db
          .select()
          .from(contacts)
          .where(eq(contacts.clientId, saved?.id ?? -1));
        expect(saved?.name).toBe(String(inputs.client_name).trim());
        expect(stored).toHaveLength(1);
        for (const contact of stored) expect(validateContactInput(contact, saved?.country).ok).toBe(true);
        const notice = await until(() => t.slack.callsTo("chat.postEphemeral")[notices], "the notice");
        expectClearText(notice.args.text);
      }),
      propertyOptions(30),
    );
    expectNoErrorLogged();
  });

  it("client edit and contact: inline errors leave the stored client and contacts as they were", async () => {
    const acme = await createAcmeClient(t.database.db);
    const edit = await openedView("client edit Acme Ltd");
    await send({
      type: "block_actions",
      user: { id: "U0ANN", username: "ann", team_id: "T0TEST" },
      team: { id: "T0TEST", domain: "acme" },
      trigger_id: `trigger-${randomUUID()}`,
      container: { type: "view", view_id: "V-EDIT" },
      view: { ...edit, id: "V-EDIT", hash: "h", state: { values: {} } },
      actions: [
        {
          type: "button",
          action_id: "client_contact_add",
          block_id: "client_contacts_actions",
          value: "add",
        },
      ],
    });
    const contact = (await t.slack.waitFor("views.push")).args.view as View;
    const snapshot = async () => ({
      client: await t.database.db.select().from(clients).where(eq(clients.id, acme.id)),
      contacts: await t.database.db.select().from(contacts).where(eq(contacts.clientId, acme.id)),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileInputs(edit).map((inputs) => ({ form: "edit", inputs })),
          hostileInputs(contact).map((inputs) => ({ form: "contact", inputs })),
        ),
        async ({ form, inputs }) => {
          const before = await snapshot();
          const view = form === "edit" ? edit : contact;
          const body = await send(
            viewSubmission(view, { viewId: form === "edit" ? "V-EDIT" : "V-CONTACT" }, inputs),
          );
          if (body?.response_action === "errors") {
            expectFieldErrors(body, view);
            expect(await snapshot()).toEqual(before);
            return;
          }
          expect(body).toBeUndefined();
          await quiet();
        },
      ),
      propertyOptions(30),
    );
    expectNoErrorLogged();
  });
});

type Mutation = { name: string; invalid: boolean; apply(payload: Json): Json };

const withView = (payload: Json, change: (view: Json) => Json): Json => ({
  ...payload,
  view: change({ ...(payload.view as Json) }),
});
const mapValues = (payload: Json, change: (state: Json) => Json): Json =>
  withView(payload, (view) => {
    const values = ((view.state as Json | undefined)?.values ?? {}) as Record<string, Record<string, Json>>;
    const changed = Object.fromEntries(
      Object.entries(values).map(([block, actions]) => [
        block,
        Object.fromEntries(Object.entries(actions).map(([action, state]) => [action, change(state)])),
      ]),
    );
    return { ...view, state: { values: changed } };
  });

/** Payload shapes Slack never sends, but a proxy, a replay or a bug upstream might. */
const MUTATIONS: Mutation[] = [
  { name: "no state", invalid: true, apply: (p) => withView(p, ({ state: _state, ...view }) => view) },
  {
    name: "state.values is a string",
    invalid: true,
    apply: (p) => withView(p, (view) => ({ ...view, state: { values: "oops" } })),
  },
  {
    name: "state.values is null",
    invalid: true,
    apply: (p) => withView(p, (view) => ({ ...view, state: { values: null } })),
  },
  {
    name: "values are numbers",
    invalid: true,
    apply: (p) => mapValues(p, (state) => ({ ...state, value: 42 })),
  },
  {
    name: "selected_option is a string",
    invalid: true,
    apply: (p) => mapValues(p, (state) => ({ ...state, selected_option: "x", selected_options: "y" })),
  },
  {
    name: "unknown action_ids",
    invalid: false,
    apply: (p) =>
      withView(p, (view) => {
        const values = ((view.state as Json).values ?? {}) as Record<string, Record<string, Json>>;
        const renamed = Object.fromEntries(
          Object.entries(values).map(([block, actions]) => [
            block,
            { frobnicate: Object.values(actions)[0] ?? {} },
          ]),
        );
        return { ...view, state: { values: renamed } };
      }),
  },
  {
    name: "private_metadata not JSON",
    invalid: true,
    apply: (p) => withView(p, (view) => ({ ...view, private_metadata: "{not json" })),
  },
  {
    name: "private_metadata missing",
    invalid: true,
    apply: (p) => withView(p, ({ private_metadata: _m, ...view }) => view),
  },
  {
    name: "private_metadata of the wrong shape",
    invalid: true,
    apply: (p) =>
      withView(p, (view) => ({ ...view, private_metadata: '{"draftId":"1","orderId":1e999,"clientId":-1}' })),
  },
  {
    name: "private_metadata is null JSON",
    invalid: true,
    apply: (p) => withView(p, (view) => ({ ...view, private_metadata: "null" })),
  },
  {
    name: "huge private_metadata",
    invalid: true,
    apply: (p) =>
      withView(p, (view) => ({ ...view, private_metadata: JSON.stringify({ pad: "x".repeat(200_000) }) })),
  },
  { name: "user id is a number", invalid: true, apply: (p) => ({ ...p, user: { id: 42 } }) },
  { name: "no view id", invalid: false, apply: (p) => withView(p, ({ id: _id, ...view }) => view) },
];

describe("modal submissions whose structure is broken", () => {
  it("are answered 200 at once and store nothing", async () => {
    const client = await createAcmeClient(t.database.db);
    const { view: step1, viewId } = await loadedOrderForm();
    const step2 = await orderStep2();
    const { order } = await t.app.orders.createOrder(orderRequest(client.id, { idempotencyKey: "broken" }));
    await t.app.orders.place(order.id, "U0ANN");
    t.slack.reset();
    await t.driver.slashCommand(`renew ${order.reference}`);
    const renew = (
      await t.slack.waitFor("views.update", (call) => textOf(call.args.view).includes("renew_approver"))
    ).args.view as View;
    const add = await openedView("client add");
    const edit = await openedView("client edit Acme Ltd");
    const reject = {
      type: "modal",
      callback_id: "order_reject_reason",
      private_metadata: String(order.id),
      blocks: [
        {
          type: "input",
          block_id: "reject_reason_blk",
          element: { type: "plain_text_input", action_id: "reject_reason" },
        },
      ],
    } as View;
    const forms: Record<string, View> = {
      "step 1": step1,
      "step 2": step2,
      renew,
      "client add": add,
      "client edit": edit,
      reject,
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(forms)),
        fc.constantFrom(...MUTATIONS.map((mutation) => mutation.name)),
        async (name, mutationName) => {
          const form = forms[name] as View;
          const mutation = MUTATIONS.find((candidate) => candidate.name === mutationName) as Mutation;
          const before = await rowCounts();
          const started = Date.now();
          const body = await send(
            mutation.apply(viewSubmission(form, { viewId: `V-${randomUUID()}`, previousViewId: viewId })),
          );
          expect(Date.now() - started).toBeLessThan(2_500);
          await quiet();
          if (!mutation.invalid) return;
          expect(await rowCounts()).toMatchObject({ clients: before.clients, orders: before.orders });
          // The person sees why: inline errors, or the form replaced by a message.
          if (body?.response_action === "errors") {
            for (const message of Object.values(body.errors as Record<string, string>))
              expectClearText(message);
          } else {
            expect(body?.response_action).toBe("update");
            expectClearText(mrkdwnStrings(body?.view, false).join("\n"));
          }
        },
      ),
      propertyOptions(40),
    );
  });
});

const USER = { id: "U0ANN", username: "ann", name: "ann", team_id: "T0TEST" };
const TEAM = { id: "T0TEST", domain: "acme" };

/** A block action from a modal: the buttons, selects and overflow menus inside certdesk's views. */
function modalAction(view: View, action: Json, metadata: string | undefined): Json {
  return {
    type: "block_actions",
    user: USER,
    team: TEAM,
    api_app_id: "A0TEST",
    trigger_id: `trigger-${randomUUID()}`,
    container: { type: "view", view_id: "V-MODAL" },
    view: { ...view, id: "V-MODAL", hash: "h", private_metadata: metadata, state: { values: {} } },
    actions: [{ block_id: "blk", action_ts: "1700000001.1", ...action }],
  };
}

const MESSAGE_BUTTONS = [
  "order_check_status",
  "order_details",
  "order_renew",
  "order_approve",
  "order_reject",
  "alert_snooze",
  "alert_acknowledge",
  "order_list_previous",
  "order_list_next",
  "client_list_previous",
  "client_list_next",
  "client_list_edit",
];
const MODAL_ACTIONS = [
  "order_domain",
  "order_client",
  "order_product",
  "order_dcv_method",
  "order_contact_pick",
  "renew_dcv_method",
  "client_contact_add",
  "details_tab_overview",
  "details_tab_certificate",
  "details_send_files",
];
const OVERFLOWS = ["order_list_menu", "client_contact_menu"];

describe("block actions with garbage values", () => {
  it("answer 200 at once and create or change no order or client", async () => {
    const client = await createAcmeClient(t.database.db);
    const { order } = await t.app.orders.createOrder(orderRequest(client.id, { idempotencyKey: "clicked" }));
    await t.app.orders.place(order.id, "U0ANN");
    await insertOrder(t.database.db, {
      clientId: client.id,
      domain: "old.example.com",
      notAfter: new Date(t.clock.now().getTime() + 5 * 86_400_000),
      slackChannel: "C0SSL",
      slackThreadTs: "1700000000.000900",
    });
    await scheduler.runExpiryScan();
    const message = { channel: "C0SSL", ts: "1700000000.000001" };
    const metadata = fc.oneof(
      fc.constant(undefined),
      hostileText,
      fc.constantFrom(
        JSON.stringify({ channelId: "C0OPS", clientId: client.id }),
        JSON.stringify({ orderId: 2147483648, tab: "overview" }),
        JSON.stringify({ orderId: order.id, tab: "certificate", channelId: "C0OPS", attempt: -1 }),
        '{"draftId":9007199254740993}',
      ),
    );
    const click = fc.oneof(
      fc.tuple(fc.constantFrom(...MESSAGE_BUTTONS), hostileId).map(([actionId, value]) => ({
        payload: messageButton(message, actionId, value, {
          userId: "U0ANN",
          responseUrl: t.slack.responseUrl(),
        }),
      })),
      fc.tuple(fc.constantFrom(...OVERFLOWS), hostileId, metadata).map(([actionId, value, meta]) => ({
        payload: modalAction(
          { type: "modal", blocks: [] } as unknown as View,
          {
            type: "overflow",
            action_id: actionId,
            selected_option: { value, text: { type: "plain_text", text: "x" } },
          },
          meta,
        ),
      })),
      fc.tuple(fc.constantFrom(...MODAL_ACTIONS), hostileId, metadata).map(([actionId, value, meta]) => ({
        payload: modalAction(
          { type: "modal", blocks: [] } as unknown as View,
          {
            type: "button",
            action_id: actionId,
            value,
            selected_option: { value, text: { type: "plain_text", text: "x" } },
          },
          meta,
        ),
      })),
    );
    const before = await rowCounts();
    await fc.assert(
      fc.asyncProperty(click, async ({ payload }) => {
        const started = Date.now();
        await send(payload);
        expect(Date.now() - started).toBeLessThan(2_500);
        await quiet();
        expect(await rowCounts()).toMatchObject({ orders: before.orders, clients: before.clients });
      }),
      propertyOptions(40),
    );
    for (const reply of t.slack.callsTo("response_url"))
      expectClearText(reply.args.text ?? textOf(reply.args.blocks));
  });

  it("tells the clicker when the button's order or alert is gone", async () => {
    const message = { channel: "C0SSL", ts: "1700000000.000001" };
    const click = (actionId: string) =>
      send(messageButton(message, actionId, "4242", { userId: "U0ANN", responseUrl: t.slack.responseUrl() }));
    for (const actionId of ["order_check_status", "order_approve", "alert_snooze", "alert_acknowledge"]) {
      await click(actionId);
    }
    const replies = await until(() => {
      const found = t.slack.callsTo("response_url");
      return found.length === 4 ? found : undefined;
    }, "four replies");
    // Each answer comes after its ack, so they may arrive in any order.
    expect(replies.map((reply) => String(reply.args.text)).sort()).toEqual(
      [
        "That order no longer exists. `/ssl list` shows recent orders.",
        ":information_source: That order no longer exists.",
        ":information_source: That alert no longer exists.",
        ":information_source: That alert no longer exists.",
      ].sort(),
    );
    for (const reply of replies) {
      expect(reply.args.response_type).toBe("ephemeral");
      expectClearText(reply.args.text);
    }
    for (const actionId of ["order_details", "order_renew"]) await click(actionId);
    const opened = await until(() => {
      const found = t.slack.callsTo("views.open");
      return found.length === 2 ? found : undefined;
    }, "two modals");
    for (const modal of opened) expect(textOf(modal.args.view)).toContain("That order no longer exists.");
  });
});

describe("options requests with a hostile search", () => {
  it("answer with at most 100 options Slack accepts", async () => {
    await createAcmeClient(t.database.db);
    await createAcmeClient(t.database.db, { name: "Ünïcødé <Ltd> & Co" });
    await fc.assert(
      fc.asyncProperty(hostileText, async (value) => {
        const body = await send({
          type: "block_suggestion",
          user: USER,
          team: TEAM,
          api_app_id: "A0TEST",
          container: { type: "view", view_id: "V-ORDER" },
          action_id: "order_client",
          block_id: "client_blk",
          value,
          view: {
            id: "V-ORDER",
            type: "modal",
            callback_id: "ssl_order_step1",
            private_metadata: "{}",
            state: { values: {} },
          },
        });
        const options = body?.options as { text: { text: string }; value: string }[];
        expect(Array.isArray(options)).toBe(true);
        expect(options.length).toBeLessThanOrEqual(100);
        for (const option of options) {
          expect(option.text.text.length).toBeLessThanOrEqual(75);
          expect(option.value.length).toBeLessThanOrEqual(150);
        }
      }),
      propertyOptions<[string]>(40, [["<!channel> \u0000"]]),
    );
    expectNoErrorLogged();
  });
});

describe("message shortcuts on messages that are not certdesk's", () => {
  it("say, only to the user, what the shortcut works on", async () => {
    const client = await createAcmeClient(t.database.db);
    const { order } = await t.app.orders.createOrder(orderRequest(client.id, { idempotencyKey: "shortcut" }));
    await t.app.orders.place(order.id, "U0ANN");
    const ours = (await t.database.db.select().from(orders).where(eq(orders.id, order.id)))[0];
    const message = fc.record({
      ts: fc.oneof(hostileId, fc.constant(ours?.slackMessageTs ?? "")),
      text: hostileText,
      thread_ts: fc.option(hostileId, { nil: undefined }),
      user: fc.constantFrom("U0OTHER", "UBOT", "USLACKBOT"),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("ssl_check_status", "ssl_details", "ssl_renew"),
        message,
        fc.constantFrom("C0SSL", "C0OTHER", "D0DM", ""),
        async (callbackId, shown, channelId) => {
          const responseUrl = t.slack.responseUrl();
          const triggerId = `trigger-${randomUUID()}`;
          await send({
            type: "message_action",
            callback_id: callbackId,
            trigger_id: triggerId,
            response_url: responseUrl,
            team: TEAM,
            channel: { id: channelId, name: "somewhere" },
            user: USER,
            message: { type: "message", ...shown },
            message_ts: shown.ts,
            action_ts: "1700000003.1",
          });
          const ourMessage = channelId === "C0SSL" && shown.ts === ours?.slackMessageTs;
          const reply = await replyTo(responseUrl, triggerId);
          if (ourMessage) return;
          expect(reply.method).toBe("response_url");
          expect(reply.args).toMatchObject({ response_type: "ephemeral", text: NOT_AN_ORDER_MESSAGE });
        },
      ),
      propertyOptions<[string, { ts: string; text: string; thread_ts?: string; user: string }, string]>(30, [
        ["ssl_check_status", { ts: "\u0000", text: " ", user: "U0OTHER" }, "C0SSL"],
      ]),
    );
    expectNoErrorLogged();
  });
});

describe("text users typed, echoed back to Slack", () => {
  it("reaches mrkdwn escaped: no @channel, @here, mention or disguised link comes out of it", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...MRKDWN_INJECTIONS),
        fc.constantFrom(...MRKDWN_INJECTIONS),
        async (token, other) => {
          run += 1;
          const name = `Acme ${token} ${run}`;
          const add = await openedView("client add");
          const added = await send(
            viewSubmission(
              add,
              { viewId: "V-ADD" },
              {
                client_name: name,
                client_organisation: `Org ${other}`.slice(0, 64),
                client_country: "GB",
                client_contact_first_name: `Jane ${other}`,
                client_contact_last_name: token,
                client_contact_email: "jane@acme.example",
                client_contact_phone: "+44 20 7946 0000",
                client_contact_title: other,
              },
            ),
          );
          expect(added).toBeUndefined();
          const [client] = await t.database.db.select().from(clients).where(eq(clients.name, name));
          if (!client) throw new Error("the client was not saved");
          for (const text of [
            "clients",
            `list ${name}`,
            `status ${token}`,
            `renew ${token}`,
            `client edit ${other} nobody`,
            `order "${other} nobody"`,
            `order "${name}" www.example.com`,
            `frobnicate ${token}`,
          ]) {
            const responseUrl = t.slack.responseUrl();
            const triggerId = `trigger-${randomUUID()}`;
            const response = await t.driver.slashCommand(text, { responseUrl, triggerId });
            if (response.text) ackBodies.push(response.json());
            else await replyTo(responseUrl, triggerId);
          }
          const { order } = await t.app.orders.createOrder(
            orderRequest(client.id, {
              idempotencyKey: `echo-${run}`,
              organisation: { name: `Org ${other}`.slice(0, 64), country: "GB" },
              contact: {
                firstName: token,
                lastName: other,
                email: "jane@example.com",
                phone: "+44 20 7946 0000",
                title: token,
              },
            }),
          );
          await t.app.orders.place(order.id, "U0ANN");
          await t.app.status.checkStatus(order.id, "system");
          for (const text of [`status ${order.reference}`, `renew ${order.reference}`, "list"]) {
            const triggerId = `trigger-${randomUUID()}`;
            const responseUrl = t.slack.responseUrl();
            await t.driver.slashCommand(text, { responseUrl, triggerId });
            await replyTo(responseUrl, triggerId);
          }
          await send(
            messageButton({ channel: "C0SSL", ts: "1700000000.000001" }, "order_details", String(order.id), {
              userId: "U0ANN",
              responseUrl: t.slack.responseUrl(),
            }),
          );
          const [issued] = await t.database.db.select().from(orders).where(eq(orders.id, order.id));
          t.clock.set(new Date((issued?.notAfter ?? t.clock.now()).getTime() - 5 * 86_400_000));
          await scheduler.runExpiryScan();
          await quiet();
          const alerted = t.slack
            .callsTo("chat.postMessage")
            .some((call) => /^⏳ SSL-\d+ .* expires in 5 days/.test(String(call.args.text)));
          expect(alerted).toBe(true);
          expect(mrkdwnLeaks()).toEqual([]);
        },
      ),
      propertyOptions(4),
    );
    expectNoErrorLogged();
  });
});
