import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renewalCertId } from "../../src/certs/renewal-id.js";
import { orderEvents, orders } from "../../src/db/schema.js";
import type { Scheduler } from "../../src/jobs/scheduler.js";
import type { Order } from "../../src/orders/repository.js";
import { testScheduler } from "../jobs/jobs-support.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { TestHttpFileServer } from "../support/http-file-server.js";
import { messageButton, textOf, viewSubmission } from "../support/modal.js";
import { orderRequest, reloadOrder } from "../support/orders.js";
import {
  type AcmeExtensionsProxy,
  type PebbleServer,
  pebbleInstalled,
  startAcmeExtensionsProxy,
  startPebble,
} from "../support/pebble.js";

/**
 * Renewal by the CA's window, through the scheduler and Slack, against Pebble. Pebble 2.4 has no
 * renewal information (RFC 9773) nor profiles, so a small proxy in front of it adds just those
 * (test/support/pebble.ts) and records what certdesk sent. Authorizations are reused (as Let's
 * Encrypt does for 30 days), so a renewal validates by itself.
 */

const DAY_MS = 86_400_000;

type View = Record<string, unknown>;

interface Setup {
  pebble: PebbleServer;
  site: TestHttpFileServer;
  proxy?: AcmeExtensionsProxy;
  t: TestApp;
  scheduler: Scheduler;
}

async function setUp(options: { ari: boolean; autoRenew: boolean; reuse?: boolean }): Promise<Setup> {
  const site = await TestHttpFileServer.start();
  const pebble = await startPebble({
    httpPort: site.port,
    authzReusePercent: options.reuse === false ? 0 : 100,
  });
  const proxy = options.ari
    ? await startAcmeExtensionsProxy(pebble, {
        profiles: { classic: "The usual 90 days", shortlived: "6 days" },
      })
    : undefined;
  const t = await startTestApp({
    env: {
      SSL_CHANNEL: "C0SSL",
      SSL_PROVIDERS: "acme",
      ACME_DIRECTORY_URL: proxy?.directoryUrl ?? pebble.directoryUrl,
      ACME_CA_BUNDLE: pebble.caBundlePath,
      ACME_AUTO_RENEW: String(options.autoRenew),
      DNS_SERVERS: pebble.dnsServer,
      VALIDATION_CHECK_HTTP_PORT: String(site.port),
    },
  });
  await t.app.catalogue.get();
  return { pebble, site, proxy, t, scheduler: await testScheduler(t) };
}

async function tearDown(setup: Setup | undefined): Promise<void> {
  await setup?.t.stop();
  await setup?.proxy?.close();
  await setup?.pebble.close();
  await setup?.site.close();
}

/** Polls (a minute of the test clock apart) until `done`; the CA works in real time meanwhile. */
async function pollUntil(setup: Setup, done: () => Promise<boolean>): Promise<void> {
  for (let round = 0; round < 100; round++) {
    setup.t.clock.advance(60_000);
    await setup.scheduler.runPoll();
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("never happened");
}

/** An issued ACME order for `domain`, validated by an HTTP file on the local site. */
async function issuedOrder(setup: Setup, domain: string, productId: string): Promise<Order> {
  const client = await createAcmeClient(setup.t.database.db);
  const { order } = await setup.t.app.orders.createOrder(
    orderRequest(client.id, {
      providerId: "acme",
      productId,
      periodMonths: 3,
      dcvMethod: "http",
      approverEmail: undefined,
      primaryDomain: domain,
      idempotencyKey: `order-${domain}`,
    }),
  );
  expect((await setup.t.app.orders.place(order.id, "U0ANN")).kind).toBe("placed");
  const placed = await reloadOrder(setup.t.database.db, order.id);
  const [instruction] = placed.dcvInstructions ?? [];
  setup.site.setRoutes({
    [new URL(instruction?.httpUrl ?? "http://x/").pathname]: {
      status: 200,
      body: instruction?.httpContent ?? "",
    },
  });
  await pollUntil(setup, async () => (await reloadOrder(setup.t.database.db, order.id)).status === "issued");
  return reloadOrder(setup.t.database.db, order.id);
}

describe.skipIf(!pebbleInstalled() && !process.env.CI)(
  "ACME renewal in the CA's window (RFC 9773), automatic",
  () => {
    let setup: Setup;
    beforeAll(async () => {
      setup = await setUp({ ari: true, autoRenew: true });
    }, 30_000);
    afterAll(() => tearDown(setup));
    beforeEach(async () => {
      await setup.t.app.settled();
      await setup.t.database.truncateAll();
      setup.t.slack.reset();
    });

    it("follows the CA's window, renews in it with `replaces`, and the renewal issues by itself", async () => {
      const { t, proxy } = setup;
      const original = await issuedOrder(setup, "renew.example.com", "dv@classic");
      // The order went out with the profile the product names.
      expect(
        proxy?.posts.some((post) => (post.payload as { profile?: string } | null)?.profile === "classic"),
      ).toBe(true);
      const certId = await renewalCertId(original.certificate ?? "");
      // The CA moves the window close (as after an incident), and says why.
      const start = new Date(t.clock.now().getTime() + 2 * DAY_MS);
      const end = new Date(t.clock.now().getTime() + 3 * DAY_MS);
      proxy?.setRenewalInfo(
        certId,
        {
          suggestedWindow: { start: start.toISOString(), end: end.toISOString() },
          explanationURL: "https://ca.example/incident-42",
        },
        3600,
      );

      // Until the next look at the window (at most 6 hours without a Retry-After), the lifetime rule stood.
      t.clock.advance(7 * 3_600_000);
      await setup.scheduler.runPoll();
      const windowed = await reloadOrder(t.database.db, original.id);
      expect(proxy?.renewalInfoRequests).toContain(certId);
      expect(windowed.renewalWindowStart).toEqual(start);
      expect(windowed.renewalWindowEnd).toEqual(end);
      expect(windowed.renewalWindowUrl).toBe("https://ca.example/incident-42");
      expect(await t.database.db.select().from(orders)).toHaveLength(1);

      // The window opens: told once in the thread with the CA's link, and renewed at once.
      t.clock.set(new Date(start.getTime() + 60_000));
      await setup.scheduler.runPoll();
      const told = await t.slack.waitFor(
        "chat.postMessage",
        (call) => call.args.thread_ts !== undefined && String(call.args.text).includes("renewal window"),
      );
      expect(String(told.args.text)).toContain("<https://ca.example/incident-42|Why");
      expect(String(told.args.text)).toContain("Renewing automatically");
      const renewal = (await t.database.db.select().from(orders)).find(
        (row) => row.renewalOfId === original.id,
      );
      expect(renewal).toBeDefined();
      const newOrder = proxy?.posts.filter((post) => post.path.includes("order-plz")).at(-1);
      expect(newOrder?.payload).toMatchObject({ replaces: certId, profile: "classic" });

      // The authorization is reused: nothing to publish, the next polls issue it.
      await pollUntil(
        setup,
        async () => (await reloadOrder(t.database.db, renewal?.id ?? 0)).status === "issued",
      );
      expect((await reloadOrder(t.database.db, original.id)).renewedAt).not.toBeNull();
      // Another poll in the window neither tells nor renews again.
      await setup.scheduler.runPoll();
      const opened = await t.database.db
        .select()
        .from(orderEvents)
        .where(eq(orderEvents.kind, "renewal_window_open"));
      expect(opened).toHaveLength(1);
      expect(await t.database.db.select().from(orders)).toHaveLength(2);
    });
  },
);

describe.skipIf(!pebbleInstalled() && !process.env.CI)("ACME renewal without renewal information", () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await setUp({ ari: false, autoRenew: false });
  }, 30_000);
  afterAll(() => tearDown(setup));

  it("opens the window at two thirds of the lifetime and asks a person, who renews from the thread", async () => {
    const { t } = setup;
    const original = await issuedOrder(setup, "lifetime.example.com", "dv");
    const notBefore = original.notBefore?.getTime() ?? 0;
    const lifetime = (original.notAfter?.getTime() ?? 0) - notBefore;
    const stored = await reloadOrder(t.database.db, original.id);
    // Two thirds of the lifetime, to the millisecond a timestamp keeps.
    expect(
      Math.abs((stored.renewalWindowStart?.getTime() ?? 0) - (notBefore + (lifetime * 2) / 3)),
    ).toBeLessThan(1);
    expect(stored.renewalWindowUrl).toBeNull();

    t.clock.set(new Date(notBefore + (lifetime * 2) / 3 + 60_000));
    await setup.scheduler.runPoll();
    const told = await t.slack.waitFor(
      "chat.postMessage",
      (call) =>
        call.args.thread_ts !== undefined && String(call.args.text).includes("two thirds of its lifetime"),
    );
    expect(String(told.args.text)).toContain("Press *Renew* (free)");
    expect(textOf(told.args.blocks)).toContain('"action_id":"order_renew"');
    expect(await t.database.db.select().from(orders)).toHaveLength(1);

    // A person presses Renew under that reply: the renewal form, the review (free), the renewal.
    await t.driver.interactive(
      messageButton(
        { channel: "C0SSL", ts: String(told.args.thread_ts) },
        "order_renew",
        String(original.id),
        {
          userId: "U0ANN",
          responseUrl: t.slack.responseUrl(),
        },
      ),
    );
    // Validated by an HTTP file, so no approver list is fetched: the form opens ready.
    const opened = await t.slack.waitFor("views.open", (call) => textOf(call.args.view).includes("renew"));
    const viewId = "V-RENEW";
    const loaded = opened;
    const reviewed = await t.driver.interactive(viewSubmission(loaded.args.view as View, { viewId }));
    const answer = reviewed.json() as { response_action: string; view: View; errors?: unknown };
    expect(answer.errors).toBeUndefined();
    expect(textOf(answer.view)).toContain("Price: *free*");
    expect(textOf(answer.view)).toContain("Place renewal");
    await t.driver.interactive(viewSubmission(answer.view, { viewId }));
    await t.slack.waitFor("views.update", (call) => textOf(call.args.view).includes("placed with"));
    const renewal = (await t.database.db.select().from(orders)).find(
      (row) => row.renewalOfId === original.id,
    );
    expect(renewal).toMatchObject({ status: "pending", dcvMethod: "http" });
    // Pebble reuses the authorization (as Let's Encrypt does for a while): it issues by itself.
    await pollUntil(
      setup,
      async () => (await reloadOrder(t.database.db, renewal?.id ?? 0)).status === "issued",
    );
  });
});

describe.skipIf(!pebbleInstalled() && !process.env.CI)("ACME automatic renewal that needs a person", () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await setUp({ ari: false, autoRenew: true, reuse: false });
  }, 30_000);
  afterAll(() => tearDown(setup));

  it("places the renewal, and its thread asks for the new file when the CA cannot reuse the validation", async () => {
    const { t } = setup;
    const original = await issuedOrder(setup, "again.example.com", "dv");
    // The file of the first validation is gone; the renewal's challenge has a new token.
    setup.site.setRoutes({});
    t.clock.set(new Date((original.renewalWindowStart ?? new Date()).getTime() + 60_000));
    await setup.scheduler.runPoll();
    const renewal = (await t.database.db.select().from(orders)).find(
      (row) => row.renewalOfId === original.id,
    );
    expect(renewal).toMatchObject({ status: "pending", requestedBy: "system" });
    const [instruction] = renewal?.dcvInstructions ?? [];
    expect(instruction?.httpUrl).toMatch(/^http:\/\/again\.example\.com\/\.well-known\/acme-challenge\//);
    // The renewal's own thread says what to publish, with the button a person presses.
    const ask = await t.slack.waitFor(
      "chat.postMessage",
      (call) =>
        call.args.thread_ts !== undefined &&
        String(call.args.text).includes(instruction?.httpContent ?? "?") &&
        textOf(call.args.blocks).includes("Record is in place"),
    );
    expect(ask.args.channel).toBe("C0SSL");
    // More polls ask the CA nothing while the file is missing: the renewal waits for a person.
    t.clock.advance(60_000);
    expect(await setup.scheduler.runPoll()).toMatchObject({ askedToValidate: 0 });
    expect((await reloadOrder(t.database.db, renewal?.id ?? 0)).status).toBe("pending");

    // The original is still not renewed, so each run looks at its window again: two at once (as
    // two replicas) and another after neither tell again nor place a second renewal.
    await Promise.all([t.app.renewalWindows.run(), t.app.renewalWindows.run()]);
    await t.app.renewalWindows.run();
    const opened = await t.database.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.kind, "renewal_window_open"));
    expect(opened).toHaveLength(1);
    expect(
      (await t.database.db.select().from(orders)).filter((row) => row.renewalOfId === original.id),
    ).toHaveLength(1);
  });
});
