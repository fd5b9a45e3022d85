import { format } from "date-fns/format";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { orderEvents } from "../../src/db/schema.js";
import type { Scheduler } from "../../src/jobs/scheduler.js";
import { getOrder } from "../../src/orders/repository.js";
import { ProviderUnavailableError } from "../../src/providers/errors.js";
import { createProviderRegistry } from "../../src/providers/registry.js";
import { SandboxProvider } from "../../src/providers/sandbox/provider.js";
import type { ProviderCapabilities, SslProvider, StatusResult } from "../../src/providers/types.js";
import { createAcmeClient } from "../support/fixtures.js";
import { useTestApp } from "../support/harness.js";
import { orderRequest } from "../support/orders.js";
import { insertOrder, testScheduler } from "./jobs-support.js";

/** A second provider whose status answers the test controls, and which counts how it is asked. */
class ScriptedProvider implements Pick<SslProvider, "id" | "displayName" | "capabilities" | "getStatus"> {
  readonly id = "gogetssl" as const;
  readonly displayName = "GoGetSSL";
  readonly capabilities: ProviderCapabilities = {
    caIdentifiers: ["example-ca.test"],
    dcvMethods: ["email"],
    addons: false,
    multiDomain: false,
    wildcard: false,
    renew: false,
    reissue: false,
    resendApproval: false,
    changeValidation: false,
    changeValidationPerDomain: false,
    recheckValidation: false,
    validatesWhenAsked: false,
    revoke: false,
    minPollIntervalSeconds: 60,
  };
  readonly asked: string[] = [];
  inFlight = 0;
  peakInFlight = 0;
  down = false;
  /** When set, answers are held until this many calls are in flight (or every order was asked). */
  gate?: { inFlight: number; total: number };
  private held: (() => void)[] = [];

  async getStatus(providerOrderId: string): Promise<StatusResult> {
    this.asked.push(providerOrderId);
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    if (this.gate) {
      const released = new Promise<void>((resolve) => this.held.push(resolve));
      if (this.inFlight >= this.gate.inFlight || this.asked.length >= this.gate.total) {
        for (const release of this.held.splice(0)) release();
      }
      await released;
    }
    this.inFlight -= 1;
    if (this.down) throw new ProviderUnavailableError("gogetssl", "GoGetSSL did not answer within 30 s");
    return { status: "pending", detail: ["Awaiting domain validation"], domains: [] };
  }
}

const scripted = new ScriptedProvider();
const t = useTestApp({
  env: { SSL_CHANNEL: "C0SSL" },
  providers: ({ vault, clock, database }) =>
    createProviderRegistry([
      new SandboxProvider({ db: database.db, vault, clock, approvalSeconds: 0 }),
      scripted as unknown as SslProvider,
    ]),
});
let scheduler: Scheduler;
let clientId: number;
beforeAll(async () => {
  scheduler = await testScheduler(t);
});
afterAll(async () => {
  await scheduler.stop();
});
beforeEach(async () => {
  scripted.asked.length = 0;
  scripted.peakInFlight = 0;
  scripted.down = false;
  scripted.gate = undefined;
  clientId = (await createAcmeClient(t.database.db)).id;
});

const request = () => orderRequest(clientId, { organisation: { country: "GB" }, idempotencyKey: "poll-1" });

async function placedSandboxOrder() {
  const { order } = await t.app.orders.createOrder(request());
  expect((await t.app.orders.place(order.id, "U0ANN")).kind).toBe("placed");
  return order;
}

async function scriptedOrders(count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    await insertOrder(t.database.db, {
      clientId,
      domain: `host${index}.example.com`,
      status: "pending",
      provider: "gogetssl",
      providerOrderId: `GG-${index}`,
    });
  }
}

const channelPosts = () =>
  t.slack.callsTo("chat.postMessage").filter((call) => call.args.channel === "C0SSL" && !call.args.thread_ts);
const logged = (text: string) => t.logLines.filter((line) => line.includes(text));

describe("pending-order poller", () => {
  it("posts an issued certificate to SSL_CHANNEL once, with a Details button", async () => {
    const order = await placedSandboxOrder();
    t.slack.reset();

    expect(await scheduler.runPoll()).toMatchObject({ checked: 1, issued: 1, failed: 0 });
    const issued = await getOrder(t.database.db, order.id);
    expect(issued?.status).toBe("issued");
    const expected = `✅ SSL-1001 www.example.com issued for Acme Ltd — valid until ${format(issued?.notAfter ?? 0, "yyyy-MM-dd")}`;
    // Announced by the status service, which the poll does not wait for.
    await t.slack.waitFor("chat.postMessage", (call) => String(call.args.text).startsWith("✅"));
    const posts = channelPosts().filter((call) => String(call.args.text).startsWith("✅"));
    expect(posts.map((call) => call.args.text)).toEqual([expected]);
    const blocks = posts[0]?.args.blocks as { elements?: { action_id: string; value: string }[] }[];
    expect(blocks.flatMap((block) => block.elements ?? [])).toEqual([
      expect.objectContaining({ action_id: "order_details", value: String(order.id) }),
    ]);

    t.clock.advance(60 * 60_000);
    await scheduler.runPoll();
    expect(channelPosts().filter((call) => String(call.args.text).startsWith("✅"))).toHaveLength(1);
  });

  it("asks a provider about at most 4 orders at once, and never inside its minimum interval", async () => {
    await scriptedOrders(10);
    scripted.gate = { inFlight: 4, total: 10 };
    expect(await scheduler.runPoll()).toMatchObject({ checked: 10 });
    expect(scripted.asked).toHaveLength(10);
    expect(scripted.peakInFlight).toBe(4);

    t.clock.advance(59_000);
    expect(await scheduler.runPoll()).toMatchObject({ checked: 0, skipped: 10 });
    expect(scripted.asked).toHaveLength(10);
    t.clock.advance(2_000);
    await scheduler.runPoll();
    expect(scripted.asked).toHaveLength(20);
  });

  it("logs a provider outage once, goes on with the other providers, and logs the recovery", async () => {
    await scriptedOrders(12);
    const order = await placedSandboxOrder();
    scripted.down = true;

    const first = await scheduler.runPoll();
    expect(first).toMatchObject({ issued: 1 });
    expect((await getOrder(t.database.db, order.id))?.status).toBe("issued");
    // After three failures in a row the rest of its orders wait for the next run rather than time out too.
    expect(scripted.asked.length).toBeLessThanOrEqual(6);
    expect(first?.skipped).toBe(12 - scripted.asked.length);
    t.clock.advance(60 * 60_000);
    await scheduler.runPoll();
    expect(logged("GoGetSSL is failing status checks (GoGetSSL did not answer within 30 s)")).toHaveLength(1);
    expect(logged("recovered")).toHaveLength(0);

    scripted.down = false;
    t.clock.advance(60 * 60_000);
    expect(await scheduler.runPoll()).toMatchObject({ checked: 12, failed: 0 });
    await scheduler.runPoll();
    expect(logged("GoGetSSL recovered: status checks answer again.")).toHaveLength(1);
    expect(logged("is failing")).toHaveLength(1);
  });

  it("flags an order stuck in submitting once, in its thread, for a person to look at", async () => {
    const now = t.clock.now().getTime();
    const stuck = await insertOrder(t.database.db, {
      clientId,
      domain: "stuck.example.com",
      status: "submitting",
      slackChannel: "C0SSL",
      slackThreadTs: "1700000000.000100",
      updatedAt: new Date(now - 11 * 60_000),
    });
    await insertOrder(t.database.db, {
      clientId,
      domain: "fresh.example.com",
      status: "submitting",
      slackChannel: "C0SSL",
      slackThreadTs: "1700000000.000200",
      updatedAt: new Date(now - 5 * 60_000),
    });

    expect(await scheduler.runPoll()).toMatchObject({ flagged: 1 });
    await scheduler.runPoll();
    const replies = t.slack.callsTo("chat.postMessage").filter((call) => call.args.thread_ts);
    expect(replies.map((call) => [call.args.thread_ts, call.args.text])).toEqual([
      [
        "1700000000.000100",
        ":warning: SSL-1001 has been on its way to Sandbox for over 10 minutes without an order number, so certdesk cannot ask Sandbox about it. Someone should look for it in Sandbox's control panel before ordering again.",
      ],
    ]);
    const events = await t.database.db.select().from(orderEvents).where(eq(orderEvents.orderId, stuck.id));
    expect(events).toMatchObject([
      { kind: "submission_unknown", actor: "system", detail: { reason: "stuck_submitting" } },
    ]);
  });
});
