import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OrderStatus } from "../../src/domain/order.js";
import type { Scheduler } from "../../src/jobs/scheduler.js";
import type { OrderRequest } from "../../src/orders/order-service.js";
import { getOrder } from "../../src/orders/repository.js";
import { GoGetSslProvider } from "../../src/providers/gogetssl/provider.js";
import { createProviderRegistry } from "../../src/providers/registry.js";
import { SectigoProvider } from "../../src/providers/sectigo/provider.js";
import { testScheduler } from "../jobs/jobs-support.js";
import { createAcmeClient } from "../support/fixtures.js";
import {
  GOGETSSL_STUB_PASSWORD,
  GOGETSSL_STUB_USER,
  type GoGetSslForcedResponse,
  type GoGetSslStub,
  startGoGetSslStub,
} from "../support/gogetssl-stub.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { textOf, viewSubmission } from "../support/modal.js";
import { pushOrderStep2, waitForLoadedOrderForm } from "../support/order-modal.js";
import { ACME_CONTACT, orderRequest } from "../support/orders.js";
import { type SectigoForcedResponse, type SectigoStub, startSectigoStub } from "../support/sectigo-stub.js";
import { TcpProxy } from "../support/tcp-proxy.js";

/**
 * Provider faults on the placement call, end to end through the real app: whatever goes wrong, the
 * provider receives the order once, and the order ends either `failed` with the reason in its thread
 * (the provider certainly did not take it) or `submitting` with "do not order again" in its thread (it
 * may exist), after which the poller hands it to a person once and never places it again.
 */

type StubbedProvider = "sectigo" | "gogetssl";

/** Short enough to keep the timeout cases quick, long enough for a loaded machine's real answers. */
const PROVIDER_TIMEOUT_MS = 1_500;
const MINUTE = 60_000;
/** A stub delay no run outlives: the provider never answers. */
const NEVER = 10 * MINUTE;

let t: TestApp;
let scheduler: Scheduler;
let sectigo: SectigoStub;
let gogetssl: GoGetSslStub;
/** The adapters talk to the stubs through these, so a test can refuse connections. */
let proxies: Record<StubbedProvider, TcpProxy>;
let clientId: number;

beforeAll(async () => {
  sectigo = await startSectigoStub();
  gogetssl = await startGoGetSslStub();
  proxies = {
    sectigo: await new TcpProxy("127.0.0.1", Number(new URL(sectigo.url).port)).start(),
    gogetssl: await new TcpProxy("127.0.0.1", Number(new URL(gogetssl.url).port)).start(),
  };
  t = await startTestApp({
    env: { SSL_CHANNEL: "C0SSL" },
    providers: ({ clock }) =>
      createProviderRegistry([
        new SectigoProvider({
          loginName: "reseller",
          loginPassword: "stub-password",
          apiUrl: `http://127.0.0.1:${proxies.sectigo.port}`,
          timeoutMs: PROVIDER_TIMEOUT_MS,
          retryDelayMs: 10,
          now: () => clock.now(),
        }),
        new GoGetSslProvider({
          user: GOGETSSL_STUB_USER,
          password: GOGETSSL_STUB_PASSWORD,
          apiUrl: `http://127.0.0.1:${proxies.gogetssl.port}/api`,
          timeoutMs: PROVIDER_TIMEOUT_MS,
          retryDelayMs: 10,
        }),
      ]),
  });
  await t.app.catalogue.get();
  scheduler = await testScheduler(t);
});
afterAll(async () => {
  await scheduler?.stop();
  await t?.stop();
  for (const proxy of Object.values(proxies ?? {})) await proxy.cut().catch(() => undefined);
  await sectigo?.close();
  await gogetssl?.close();
});
beforeEach(async () => {
  await t.database.truncateAll();
  t.slack.reset();
  // References restart at SSL-1001 in every test, and Sectigo refuses a uniqueValue it already holds.
  sectigo.state.requests.length = 0;
  sectigo.state.orders.clear();
  gogetssl.state.requests.length = 0;
  gogetssl.state.orders.clear();
  clientId = (await createAcmeClient(t.database.db)).id;
});

const NAMES: Record<StubbedProvider, string> = { sectigo: "Sectigo", gogetssl: "GoGetSSL" };

function request(provider: StubbedProvider, overrides: Partial<OrderRequest> = {}): OrderRequest {
  return orderRequest(clientId, {
    providerId: provider,
    productId: provider === "sectigo" ? "287" : "71",
    serverTypeId: "2",
    // GoGetSSL requires admin_title; the shared fixture leaves the title empty.
    contact: ACME_CONTACT,
    idempotencyKey: `${provider}-fault`,
    ...overrides,
  });
}

/** One fault in each provider's own terms. */
interface PlacementFault {
  sectigo: SectigoForcedResponse;
  gogetssl: GoGetSslForcedResponse;
}

function forceOnPlacement(provider: StubbedProvider, fault: PlacementFault): void {
  if (provider === "sectigo") sectigo.state.forceNext("AutoApplySSL", fault.sectigo);
  else gogetssl.state.forceNext("addSslOrder", fault.gogetssl);
}

const placements = (provider: StubbedProvider) =>
  provider === "sectigo"
    ? sectigo.state.requestsTo("AutoApplySSL")
    : gogetssl.state.requestsTo("addSslOrder");

const threadReplies = () =>
  t.slack
    .callsTo("chat.postMessage")
    .filter((call) => call.args.thread_ts)
    .map((call) => String(call.args.text));

async function statusOf(orderId: number): Promise<OrderStatus | undefined> {
  return (await getOrder(t.database.db, orderId))?.status;
}

const requested = (provider: StubbedProvider) =>
  `:outbox_tray: Requested by <@U0ANN>. Placing the order with ${NAMES[provider]}…`;
const unknownReply = (provider: StubbedProvider) =>
  `:warning: The order was sent to ${NAMES[provider]} but no answer came back, so it may or may not exist there. ` +
  `Do not order again: if it stays unresolved, certdesk asks someone here to look in ${NAMES[provider]}'s control panel.`;
const stuckNotice = (provider: StubbedProvider) =>
  `:warning: SSL-1001 has been on its way to ${NAMES[provider]} for over 10 minutes without an order number, ` +
  `so certdesk cannot ask ${NAMES[provider]} about it. Someone should look for it in ${NAMES[provider]}'s ` +
  "control panel before ordering again.";
const failedReply = (provider: StubbedProvider, reason: string) =>
  `:x: The order was not placed with ${NAMES[provider]}: ${reason}\n<@U0ANN> can fix it and order again with \`/ssl order\`.`;

/** The order through the app's order service, as the modal's submission does it. */
async function submit(provider: StubbedProvider, overrides: Partial<OrderRequest> = {}) {
  const { order, created } = await t.app.orders.createOrder(request(provider, overrides));
  expect(created).toBe(true);
  return { order, outcome: await t.app.orders.place(order.id, "U0ANN") };
}

/** An unknown outcome stays `submitting`: the poller hands it to a person once, later, and never re-places it. */
async function expectHandedToAPersonOnce(
  provider: StubbedProvider,
  orderId: number,
  repliesBefore: string[],
) {
  expect(await scheduler.runPoll()).toMatchObject({ flagged: 0 });
  t.clock.advance(11 * MINUTE);
  expect(await scheduler.runPoll()).toMatchObject({ flagged: 1 });
  t.clock.advance(60 * MINUTE);
  expect(await scheduler.runPoll()).toMatchObject({ flagged: 0 });
  expect(threadReplies()).toEqual([...repliesBefore, stuckNotice(provider)]);
  expect(await statusOf(orderId)).toBe("submitting");
  expect(placements(provider)).toHaveLength(1);
}

interface UnknownFault extends PlacementFault {
  fault: string;
}

const HTML_PAGE = "<html><body><h1>Down for maintenance</h1></body></html>";

/** After the request was sent, none of these says whether the provider took the order. */
const UNKNOWN_OUTCOMES: UnknownFault[] = [
  { fault: "no answer before the timeout", sectigo: { delayMs: NEVER }, gogetssl: { delayMs: NEVER } },
  {
    fault: "HTTP 500, even with an error body",
    sectigo: { status: 500, body: "Internal Server Error" },
    gogetssl: {
      status: 500,
      body: { error: true, message: "Internal error", description: "Try again later" },
    },
  },
  { fault: "a reset connection", sectigo: { destroySocket: true }, gogetssl: { destroySocket: true } },
  {
    fault: "an HTML page instead of an answer",
    sectigo: { status: 200, body: HTML_PAGE, contentType: "text/html" },
    gogetssl: { status: 200, body: HTML_PAGE },
  },
  {
    fault: "a truncated answer",
    sectigo: { status: 200, body: "errorCode=0&orderNumb" },
    gogetssl: { status: 200, body: '{"success":true,"order_id":15' },
  },
];

interface DefiniteFault extends PlacementFault {
  fault: string;
  /** The reason the order's thread and failureReason give. */
  says: Record<StubbedProvider, string>;
}

/** Answers that prove the provider did not take the order: it may be ordered again. */
const DEFINITE_FAILURES: DefiniteFault[] = [
  {
    fault: "a clear refusal",
    sectigo: { body: "errorCode=-15&errorMessage=Insufficient+funds!" },
    gogetssl: {
      status: 400,
      body: { error: true, message: "Insufficient funds", description: "The account balance is too low" },
    },
    says: {
      sectigo:
        "The Sectigo reseller account does not have enough credit: top it up, then submit again. " +
        "(Sectigo error -15: Insufficient funds!)",
      gogetssl:
        "GoGetSSL rejected the order while placing order SSL-1001: Insufficient funds: The account balance is too low.",
    },
  },
  {
    fault: "rate limiting (HTTP 429), which refuses before processing",
    sectigo: { status: 429, body: "Too Many Requests" },
    gogetssl: { status: 429, body: "" },
    says: {
      sectigo: "Sectigo is limiting requests (HTTP 429): try again later.",
      gogetssl:
        "GoGetSSL could not be reached or answered unexpectedly while placing order SSL-1001 (HTTP 429). Try again later.",
    },
  },
];

describe.each(["sectigo", "gogetssl"] as const)("placing an order with %s", (provider) => {
  it.each(UNKNOWN_OUTCOMES)("$fault: stays submitting, says so, is handed to a person once", async (row) => {
    forceOnPlacement(provider, row);

    const { order, outcome } = await submit(provider);

    expect(outcome.kind).toBe("unknown");
    expect(placements(provider)).toHaveLength(1);
    const stored = await getOrder(t.database.db, order.id);
    expect(stored).toMatchObject({ status: "submitting", providerOrderId: null });
    const replies = [requested(provider), unknownReply(provider)];
    expect(threadReplies()).toEqual(replies);
    await expectHandedToAPersonOnce(provider, order.id, replies);
  });

  it.each(DEFINITE_FAILURES)("$fault: ends failed with the reason in its thread", async (row) => {
    const says = row.says[provider];
    forceOnPlacement(provider, row);

    const { order, outcome } = await submit(provider);

    expect(outcome).toMatchObject({ kind: "failed", message: says });
    expect(placements(provider)).toHaveLength(1);
    expect(await getOrder(t.database.db, order.id)).toMatchObject({ status: "failed", failureReason: says });
    const replies = [requested(provider), failedReply(provider, says)];
    expect(threadReplies()).toEqual(replies);

    t.clock.advance(11 * MINUTE);
    expect(await scheduler.runPoll()).toMatchObject({ flagged: 0 });
    expect(threadReplies()).toEqual(replies);
    expect(placements(provider)).toHaveLength(1);
  });

  it("a refused connection: nothing was sent, so the order fails and may be ordered again", async () => {
    // Warm the product list and (GoGetSSL) the auth key, so the placement is the only call that meets the cut.
    const adapter = t.providers.get(provider);
    await adapter.listProducts();
    await adapter.getApproverEmails("example.com");
    const before = placements(provider).length;
    await proxies[provider].cut();
    try {
      // DNS validation: no approver list is fetched before the placement.
      const { order, outcome } = await submit(provider, { dcvMethod: "dns", approverEmail: undefined });

      expect(outcome.kind).toBe("failed");
      expect(placements(provider)).toHaveLength(before);
      expect(await statusOf(order.id)).toBe("failed");
      const reason = outcome.kind === "failed" ? outcome.message : "";
      expect(reason).toMatch(/ECONNREFUSED/);
      expect(threadReplies()).toEqual([requested(provider), failedReply(provider, reason)]);
    } finally {
      await proxies[provider].restore();
    }
  });
});

describe("the order form when the placement's outcome is unknown", () => {
  it("tells the requester not to order again, and the form cannot place it twice", async () => {
    sectigo.state.forceNext("AutoApplySSL", { destroySocket: true });
    await t.driver.slashCommand('order "Acme Ltd" www.example.com');
    const form = await waitForLoadedOrderForm(t.slack);
    const step2 = await pushOrderStep2(t.driver, form);
    const submitStep2 = () =>
      t.driver.interactive(viewSubmission(step2, { viewId: "V-STEP2", previousViewId: form.viewId }));

    await submitStep2();
    const confirmation = await t.slack.waitFor("views.update", (call) =>
      textOf(call.args.view).includes("did not confirm"),
    );
    expect(textOf(confirmation.args.view)).toContain(
      "Do not order it again: certdesk checks with the provider and reports in the order's thread.",
    );
    await submitStep2();
    await t.slack.waitFor("views.update", (call) =>
      textOf(call.args.view).includes("already submitted as *SSL-1001*"),
    );
    expect(placements("sectigo")).toHaveLength(1);
  });
});
