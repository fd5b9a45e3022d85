import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GoGetSslProvider } from "../../src/providers/gogetssl/provider.js";
import { createProviderRegistry } from "../../src/providers/registry.js";
import { TestDnsServer } from "../support/dns-server.js";
import { createAcmeClient } from "../support/fixtures.js";
import {
  GOGETSSL_STUB_PASSWORD,
  GOGETSSL_STUB_USER,
  type GoGetSslStub,
  startGoGetSslStub,
} from "../support/gogetssl-stub.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { messageButton, textOf, viewSubmission } from "../support/modal.js";
import { ACME_CONTACT, orderRequest, reloadOrder } from "../support/orders.js";

/**
 * A pending multi-domain order's validation, through Slack and GoGetSSL's wire format. Change
 * validation for some of its domains: the form asks which, only those reach the provider, the others
 * keep their instructions, and the thread names the domains that changed. Will it issue?: once the
 * records are in place (a local DNS server), GoGetSSL is asked to check again (revalidate).
 */

let stub: GoGetSslStub;
let dns: TestDnsServer;
let t: TestApp;
let clientId: number;

beforeAll(async () => {
  stub = await startGoGetSslStub();
  dns = await TestDnsServer.start();
  t = await startTestApp({
    env: { SSL_CHANNEL: "C0SSL", DNS_SERVERS: dns.address },
    providers: () =>
      createProviderRegistry([
        new GoGetSslProvider({
          user: GOGETSSL_STUB_USER,
          password: GOGETSSL_STUB_PASSWORD,
          apiUrl: stub.url,
          retryDelayMs: 10,
        }),
      ]),
  });
  await t.app.catalogue.get();
});
afterAll(async () => {
  await t.stop();
  await stub.close();
  await dns.close();
});
beforeEach(async () => {
  await t.app.settled();
  await t.database.truncateAll();
  t.slack.reset();
  stub.state.requests.length = 0;
  clientId = (await createAcmeClient(t.database.db)).id;
});

async function pendingMultiDomainOrder(dcvMethod: "email" | "dns" = "email") {
  const { order } = await t.app.orders.createOrder(
    orderRequest(clientId, {
      providerId: "gogetssl",
      productId: "74",
      periodMonths: 12,
      serverTypeId: "2",
      sans: ["shop.example.com"],
      dcvMethod,
      approverEmail: dcvMethod === "email" ? "admin@example.com" : undefined,
      contact: ACME_CONTACT,
    }),
  );
  expect((await t.app.orders.place(order.id, "U0ANN")).kind).toBe("placed");
  return reloadOrder(t.database.db, order.id);
}

/** Change validation on the order message, as a person clicks it: the form Slack opens. */
async function openChangeForm(orderId: number): Promise<Record<string, unknown>> {
  await t.driver.interactive(
    messageButton({ channel: "C0SSL", ts: "1700000000.000100" }, "order_change_validation", String(orderId), {
      userId: "U0ANN",
      responseUrl: t.slack.responseUrl(),
    }),
  );
  return (await t.slack.waitFor("views.open")).args.view as Record<string, unknown>;
}

describe("Change validation, domain by domain", () => {
  it("moves one domain to DNS at GoGetSSL and leaves the other on e-mail", async () => {
    const order = await pendingMultiDomainOrder();
    const form = await openChangeForm(order.id);
    expect(textOf(form)).toContain("Domains to change");

    const answer = await t.driver.interactive(
      viewSubmission(
        form,
        { viewId: "V-CHANGE", userId: "U0ANN" },
        { validation_domains: ["shop.example.com"], validation_method: "dns" },
      ),
    );
    expect(answer.status).toBe(200);
    const done = await t.slack.waitFor("views.update", (call) =>
      textOf(call.args.view).includes("from now on"),
    );
    expect(textOf(done.args.view)).toContain("is validated by a DNS record for shop.example.com from now on");

    // Only the chosen domain reached the provider.
    const calls = [
      ...stub.state.requestsTo("changeValidationMethod"),
      ...stub.state.requestsTo("changeDomainsValidationMethod"),
      ...stub.state.requestsTo("changeValidationEmail"),
    ];
    expect(calls.map((call) => JSON.stringify(call.form))).toEqual([
      expect.stringContaining("shop.example.com"),
    ]);
    expect(JSON.stringify(calls[0]?.form)).not.toContain("www.example.com");

    const stored = await reloadOrder(t.database.db, order.id);
    expect(stored.dcvMethod).toBe("email");
    expect(stored.approverEmail).toBe("admin@example.com");
    expect(stored.dcvInstructions?.map((instruction) => [instruction.domain, instruction.method])).toEqual([
      ["www.example.com", "email"],
      ["shop.example.com", "dns"],
    ]);
    const reply = await t.slack.waitFor(
      "chat.postMessage",
      (call) =>
        call.args.thread_ts !== undefined && String(call.args.text).includes("changed the validation"),
    );
    expect(String(reply.args.text)).toContain(
      "<@U0ANN> changed the validation of shop.example.com to a DNS record.",
    );
  });

  it("keeps the form and says so when no domain is chosen", async () => {
    const order = await pendingMultiDomainOrder();
    const form = await openChangeForm(order.id);
    const answer = await t.driver.interactive(
      viewSubmission(
        form,
        { viewId: "V-CHANGE", userId: "U0ANN" },
        { validation_domains: [], validation_method: "dns" },
      ),
    );
    expect(answer.json()).toEqual({
      response_action: "errors",
      errors: { validation_domains_blk: "Choose at least one domain to change." },
    });
  });
});

describe("Will it issue? on a GoGetSSL order", () => {
  const check = (orderId: number) =>
    t.driver.interactive(
      messageButton({ channel: "C0SSL", ts: "1700000000.000100" }, "order_check_readiness", String(orderId), {
        userId: "U0BOB",
        responseUrl: t.slack.responseUrl(),
      }),
    );

  it("asks GoGetSSL to check again once the records are in place, and not while one is missing", async () => {
    const order = await pendingMultiDomainOrder("dns");
    const records = (order.dcvInstructions ?? []).flatMap((instruction) =>
      instruction.dnsRecord ? [instruction.dnsRecord] : [],
    );
    expect(records).toHaveLength(2);
    const zone = (published: typeof records) => ({
      records: {
        "www.example.com": [{ type: "A" as const, address: "127.0.0.1" }],
        "shop.example.com": [{ type: "A" as const, address: "127.0.0.1" }],
        ...Object.fromEntries(
          published.map((record) => [record.name, [{ type: "CNAME" as const, target: record.value }]]),
        ),
      },
    });

    dns.setZone(zone(records.slice(0, 1)));
    await check(order.id);
    expect(String((await t.slack.waitFor("response_url")).args.text)).toContain("1 problem");
    const first = await t.slack.waitFor(
      "chat.postMessage",
      (call) => call.args.thread_ts !== undefined && String(call.args.text).includes("ran *Will it issue?*"),
    );
    expect(String(first.args.text)).toContain(
      "Fix what is marked :x:, then press *Will it issue?* again: certdesk then asks GoGetSSL to check again.",
    );
    expect(stub.state.requestsTo("revalidate")).toEqual([]);

    dns.setZone(zone(records));
    t.slack.reset();
    await check(order.id);
    expect(String((await t.slack.waitFor("response_url")).args.text)).toBe(
      ":mag: *Will it issue?* for *SSL-1001*: nothing in the way; the findings are in its thread. GoGetSSL was asked to check again now.",
    );
    expect(stub.state.requestsTo("revalidate").map((request) => request.form.domain)).toEqual([
      "www.example.com",
      "shop.example.com",
    ]);
    const second = await t.slack.waitFor(
      "chat.postMessage",
      (call) => call.args.thread_ts !== undefined && String(call.args.text).includes("ran *Will it issue?*"),
    );
    expect(String(second.args.text)).toContain(
      ":arrows_counterclockwise: GoGetSSL was asked to check again now.",
    );
  });
});
