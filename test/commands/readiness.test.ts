import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { orderEvents } from "../../src/db/schema.js";
import type { DcvInstruction } from "../../src/domain/dcv.js";
import type { OrderRequest } from "../../src/orders/order-service.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { TestDnsServer } from "../support/dns-server.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { TestHttpFileServer } from "../support/http-file-server.js";
import { messageButton, textOf, viewBlockAction } from "../support/modal.js";
import { holdsApprovers } from "../support/order-modal.js";
import { orderRequest, reloadOrder } from "../support/orders.js";

/**
 * "Will it issue?" through Slack: a pending order's button runs the DNS and HTTP check against
 * what its thread told the client to publish (here a local DNS server, DNS_SERVERS, and a local web
 * server, VALIDATION_CHECK_HTTP_PORT) and posts the findings in the thread, naming who asked; an
 * order waiting longer than STUCK_AFTER_HOURS gets one such post by itself, however many app
 * instances notice it.
 */

let dns: TestDnsServer;
let web: TestHttpFileServer;
let database: TestDatabase;
let t: TestApp;
let clientId: number;

beforeAll(async () => {
  dns = await TestDnsServer.start();
  web = await TestHttpFileServer.start();
  database = await createTestDatabase();
  t = await startTestApp({
    database,
    env: {
      SSL_CHANNEL: "C0SSL",
      // The sandbox validates for an hour here: the orders stay pending.
      SANDBOX_APPROVAL_SECONDS: "3600",
      DNS_SERVERS: dns.address,
      VALIDATION_CHECK_HTTP_PORT: String(web.port),
      STUCK_AFTER_HOURS: "24",
    },
  });
  await t.app.catalogue.get();
});
afterAll(async () => {
  await t.stop();
  await database.close();
  await dns.close();
  await web.close();
});
beforeEach(async () => {
  await t.app.settled();
  await database.truncateAll();
  t.slack.reset();
  clientId = (await createAcmeClient(database.db)).id;
});

async function pendingOrder(overrides: Partial<OrderRequest>) {
  const { order } = await t.app.orders.createOrder(orderRequest(clientId, overrides));
  expect((await t.app.orders.place(order.id, "U0ANN")).kind).toBe("placed");
  return reloadOrder(database.db, order.id);
}

const instructionOf = (instructions: DcvInstruction[] | null) => {
  const [instruction] = instructions ?? [];
  if (!instruction) throw new Error("the sandbox gave no validation instruction");
  return instruction;
};

const clickCheck = (orderId: number) =>
  t.driver.interactive(
    messageButton({ channel: "C0SSL", ts: "1700000000.000100" }, "order_check_readiness", String(orderId), {
      userId: "U0BOB",
      responseUrl: t.slack.responseUrl(),
    }),
  );

async function threadReply(includes: string) {
  return t.slack.waitFor(
    "chat.postMessage",
    (call) => call.args.thread_ts !== undefined && String(call.args.text).includes(includes),
  );
}

describe("Will it issue?", () => {
  it("finds a CAA record that forbids the CA and a missing DNS record, then sees them fixed", async () => {
    const order = await pendingOrder({ dcvMethod: "dns", approverEmail: undefined });
    const record = instructionOf(order.dcvInstructions).dnsRecord;
    if (!record) throw new Error("a DNS order has a record to publish");
    // The placement's thread reply already carries the validation buttons.
    const placed = await threadReply("To prove control");
    expect(textOf(placed.args.blocks)).toContain("order_check_readiness");
    expect(textOf(placed.args.blocks)).toContain("order_change_validation");
    expect(textOf(placed.args.blocks)).not.toContain("order_resend_approval");

    dns.setZone({
      records: {
        "www.example.com": [{ type: "A", address: "127.0.0.1" }],
        "example.com": [{ type: "CAA", tag: "issue", value: "letsencrypt.org" }],
      },
    });
    expect((await clickCheck(order.id)).status).toBe(200);
    const answer = await t.slack.waitFor("response_url");
    expect(String(answer.args.text)).toBe(
      ":mag: *Will it issue?* for *SSL-1001*: 2 problems; the findings are in its thread.",
    );
    const reply = await threadReply("ran *Will it issue?*");
    const text = String(reply.args.text);
    expect(text).toContain("<@U0BOB> ran *Will it issue?*");
    expect(text).toContain(
      ":x: CAA at example.com allows only letsencrypt.org, not sandbox.certdesk.invalid",
    );
    expect(text).toContain(`:x: The CNAME record at ${record.name} is not published yet`);
    expect(text).toContain(":white_check_mark: www.example.com resolves to 127.0.0.1");
    // Worst first.
    expect(text.indexOf(":x:")).toBeLessThan(text.indexOf(":white_check_mark:"));
    expect(textOf(reply.args.blocks)).toContain("order_check_readiness");
    const events = await database.db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, order.id), eq(orderEvents.kind, "validation_checked")));
    expect(events).toMatchObject([{ actor: "U0BOB" }]);

    dns.setZone({
      records: {
        "www.example.com": [{ type: "A", address: "127.0.0.1" }],
        "example.com": [{ type: "CAA", tag: "issue", value: "sandbox.certdesk.invalid" }],
        [record.name]: [{ type: "CNAME", target: record.value }],
      },
    });
    t.slack.reset();
    await clickCheck(order.id);
    expect(String((await t.slack.waitFor("response_url")).args.text)).toContain("nothing in the way");
  });

  it("finds the HTTP file serving other content than the provider expects", async () => {
    const order = await pendingOrder({ dcvMethod: "http", approverEmail: undefined });
    const instruction = instructionOf(order.dcvInstructions);
    dns.setZone({ records: { "www.example.com": [{ type: "A", address: "127.0.0.1" }] } });
    web.setRoutes({ [new URL(instruction.httpUrl ?? "").pathname]: { status: 200, body: "an old token" } });
    await clickCheck(order.id);
    expect(String((await t.slack.waitFor("response_url")).args.text)).toContain("1 problem");
    const text = String((await threadReply("ran *Will it issue?*")).args.text);
    expect(text).toContain("serves different content than the provider expects");
    expect(text).toContain("(found: `an old token`)");
    // Asked as a CA asks: the domain in the Host header, at the path the thread gave.
    expect(web.requests).toEqual([`www.example.com ${new URL(instruction.httpUrl ?? "").pathname}`]);
  });

  it("says an order no longer waiting for validation has nothing to check", async () => {
    const order = await pendingOrder({});
    t.clock.advance(3_601_000);
    await t.app.status.checkStatus(order.id, "system");
    await clickCheck(order.id);
    expect(String((await t.slack.waitFor("response_url")).args.text)).toContain(
      "SSL-1001 is issued: the check is for an order waiting for validation.",
    );
  });
});

describe("Will it issue? in the order form", () => {
  it("opens the form with the approver list and the check's warning when both answer at once", async () => {
    dns.setZone({
      records: {
        "www.example.com": [{ type: "A", address: "127.0.0.1" }],
        "example.com": [{ type: "CAA", tag: "issue", value: "letsencrypt.org" }],
      },
    });
    await t.driver.slashCommand('order "Acme Ltd" www.example.com');
    const opened = await t.slack.waitFor("views.open");
    await t.app.settled();
    // One call: the local provider and DNS answered within the form's grace.
    expect(t.slack.callsTo("views.update")).toEqual([]);
    const text = textOf(opened.args.view);
    expect(text).toContain("Will it issue?");
    expect(text).toContain("(advice; the order can still be placed)");
    expect(text).toContain("CAA at example.com allows only letsencrypt.org, not sandbox.certdesk.invalid");
    // The approver list (shown once e-mail is chosen; DNS is the default) is in the same form.
    expect(holdsApprovers(opened.args.view)).toBe(true);
    expect(String((opened.args.view as { private_metadata?: string }).private_metadata)).toContain(
      "admin@example.com",
    );
  });

  it("shows a late check after the list, and never over a form the person changed meanwhile", async () => {
    // An app whose form opens at once (grace 0), as it does when DNS is slower than the grace.
    const quick = await startTestApp({
      database,
      formGraceMs: 0,
      env: { SSL_CHANNEL: "C0SSL", SANDBOX_APPROVAL_SECONDS: "3600", DNS_SERVERS: dns.address },
    });
    try {
      await quick.app.catalogue.get();
      dns.setZone({ records: { "www.example.com": [{ type: "A", address: "127.0.0.1" }] } });
      const release = dns.hold();
      await quick.driver.slashCommand('order "Acme Ltd" www.example.com');
      const opened = await quick.slack.waitFor("views.open");
      expect(textOf(opened.args.view)).not.toContain("Will it issue?");
      const listed = await quick.slack.waitFor("views.update", (call) => holdsApprovers(call.args.view));
      // The check is still waiting for DNS when the person picks a multi-domain product.
      await quick.driver.interactive(
        viewBlockAction(
          listed.args.view as Record<string, unknown>,
          { viewId: String(listed.args.view_id) },
          "order_product",
          { order_product: "sandbox:positivessl-multidomain" },
        ),
      );
      await quick.slack.waitFor("views.update", (call) =>
        textOf(call.args.view).includes("Additional domains"),
      );
      release();
      await quick.app.settled();
      const updates = quick.slack.callsTo("views.update");
      // The first check's result was refused (the form had changed); the second check's went over
      // the multi-domain form, which stays.
      expect(updates.filter((call) => call.refused === "hash_conflict")).toHaveLength(1);
      const shown = updates.filter((call) => !call.refused).at(-1);
      expect(textOf(shown?.args.view)).toContain("Additional domains");
      expect(textOf(shown?.args.view)).toContain("Will it issue?");
    } finally {
      await quick.stop();
    }
  });

  it("says nothing stands in the way when DNS and CAA are fine", async () => {
    dns.setZone({ records: { "www.example.com": [{ type: "A", address: "127.0.0.1" }] } });
    await t.driver.slashCommand('order "Acme Ltd" www.example.com');
    const opened = await t.slack.waitFor("views.open");
    expect(textOf(opened.args.view)).toContain("Nothing in the way for www.example.com (DNS and CAA)");
  });
});

describe("an order stuck in validation", () => {
  it("is told once in its thread, with the check's findings and the validation buttons", async () => {
    dns.setZone({ records: { "www.example.com": [{ type: "A", address: "127.0.0.1" }] } });
    const order = await pendingOrder({});
    t.clock.advance(23 * 3_600_000);
    expect(await t.app.validation.noticeStuck({ hours: 24 })).toEqual([]);
    t.clock.advance(2 * 3_600_000);
    const told = await t.app.validation.noticeStuck({ hours: 24 });
    expect(told.map((stuck) => stuck.reference)).toEqual(["SSL-1001"]);
    const post = await threadReply("has waited for domain validation");
    const text = String(post.args.text);
    expect(text).toContain("SSL-1001 has waited for domain validation at Sandbox for over 24 hours");
    // E-mail validation: the approver address's domain has no MX in this zone.
    expect(text).toContain(
      ":x: example.com has no MX record, so the approval e-mail to admin@example.com cannot arrive",
    );
    expect(textOf(post.args.blocks)).toContain("order_resend_approval");
    expect(textOf(post.args.blocks)).toContain("order_check_readiness");

    t.clock.advance(24 * 3_600_000);
    expect(await t.app.validation.noticeStuck({ hours: 24 })).toEqual([]);
    const stuckEvents = await database.db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, order.id), eq(orderEvents.kind, "validation_stuck")));
    expect(stuckEvents).toHaveLength(1);
  });

  it("is told once when two app instances on one database notice it together", async () => {
    // On PostgreSQL the second instance has its own connection pool, as a replica has.
    const replicaHandle = database.url
      ? {
          ...(await openDatabase({ kind: "postgres", url: database.url, max: 3 })),
          truncateAll: database.truncateAll,
        }
      : database;
    const replica = await startTestApp({
      database: replicaHandle,
      env: { SSL_CHANNEL: "C0SSL", SANDBOX_APPROVAL_SECONDS: "3600", DNS_SERVERS: dns.address },
    });
    try {
      await replica.app.catalogue.get();
      dns.setZone({ records: { "www.example.com": [{ type: "A", address: "127.0.0.1" }] } });
      await pendingOrder({});
      t.clock.advance(25 * 3_600_000);
      replica.clock.set(t.clock.now());
      const [first, second] = await Promise.all([
        t.app.validation.noticeStuck({ hours: 24 }),
        replica.app.validation.noticeStuck({ hours: 24 }),
      ]);
      expect([...(first ?? []), ...(second ?? [])].map((order) => order.reference)).toEqual(["SSL-1001"]);
      const posts = [...t.slack.calls, ...replica.slack.calls].filter(
        (call) =>
          call.method === "chat.postMessage" &&
          String(call.args.text).includes("has waited for domain validation"),
      );
      expect(posts).toHaveLength(1);
    } finally {
      await replica.stop();
      if (replicaHandle !== database) await replicaHandle.close();
    }
  });
});
