import { randomBytes } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { orderEvents, orders } from "../../src/db/schema.js";
import { type AppProcess, killAppProcesses, startAppProcess } from "../support/app-process.js";
import { createTestDatabase, type TestDatabase, testDatabaseUrl } from "../support/database.js";
import { createAcmeClient } from "../support/fixtures.js";
import { SIGNING_SECRET } from "../support/harness.js";
import { viewSubmission } from "../support/modal.js";
import { pushOrderStep2, waitForLoadedOrderForm } from "../support/order-modal.js";
import { type SectigoStub, startSectigoStub } from "../support/sectigo-stub.js";
import { type SlackApiFake, startSlackApiFake } from "../support/slack-api-fake.js";
import { SlackDriver } from "../support/slack-driver.js";

/**
 * certdesk killed with SIGKILL after the placement reached Sectigo and before Sectigo answered: after
 * a restart on the same database the order is still `submitting`, the poller hands it to a person once
 * in its thread, and Sectigo never receives it a second time. And stopped with SIGTERM at the same
 * moment: it takes no new requests, waits for Sectigo's answer, records the order and exits 0.
 *
 * PostgreSQL only: on PGlite the database must be created in DATA_DIR and opened by two children in
 * turn, about 25 s on an idle 2-core machine (a minute under load) against well under 10 s here.
 * The PGlite DATA_DIR did survive the kill and reopen when this was written. .ci/run sets
 * TEST_DATABASE_URL for its PostgreSQL pass.
 */

const MINUTE = 60_000;
const STUCK_NOTICE =
  ":warning: SSL-1001 has been on its way to Sectigo for over 10 minutes without an order number, so certdesk " +
  "cannot ask Sectigo about it. Someone should look for it in Sectigo's control panel before ordering again.";

describe.skipIf(!testDatabaseUrl)("kill -9 while a placement is in flight (PostgreSQL)", () => {
  let sectigo: SectigoStub;
  let slack: SlackApiFake;
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    sectigo = await startSectigoStub();
    slack = await startSlackApiFake();
    database = await createTestDatabase();
    await createAcmeClient(database.db);
    env = {
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: "1",
      DATABASE_URL: database.url ?? "",
      CERTDESK_KEY: randomBytes(32).toString("base64"),
      SSL_CHANNEL: "C0SSL",
      SSL_PROVIDERS: "sectigo",
      SECTIGO_LOGIN_NAME: "reseller",
      SECTIGO_LOGIN_PASSWORD: "stub-password",
      SECTIGO_API_URL: sectigo.url,
      // The test runs the poll itself; the schedules must not fire during it.
      POLL_CRON: "0 0 1 1 *",
      EXPIRY_CRON: "0 0 1 1 *",
      LOG_LEVEL: "info",
    };
  });

  afterAll(async () => {
    await killAppProcesses();
    await sectigo?.close();
    await slack?.stop();
    await database?.close();
  });

  /** `/ssl order` through the child's Slack endpoint, both steps of the modal, as a person would. */
  async function submitOrderForm(app: AppProcess): Promise<void> {
    const driver = new SlackDriver(app.url, SIGNING_SECRET, {
      teamId: "T0TEST",
      userId: "U0ANN",
      channelId: "C0OPS",
      responseUrl: () => slack.responseUrl(),
    });
    expect((await driver.slashCommand('order "Acme Ltd" www.example.com')).status).toBe(200);
    const form = await waitForLoadedOrderForm(slack, { timeoutMs: 15_000 });
    const step2 = await pushOrderStep2(driver, form);
    const submitted = await driver.interactive(
      viewSubmission(step2, { viewId: "V-STEP2", previousViewId: form.viewId }),
    );
    expect(submitted.status).toBe(200);
  }

  const threadReplies = () =>
    slack
      .callsTo("chat.postMessage")
      .filter((call) => call.args.thread_ts)
      .map((call) => [call.args.thread_ts, String(call.args.text)]);

  it("keeps the order submitting across the restart, flags it once and never places it again", async () => {
    // Sectigo takes the order and never answers: certdesk dies while waiting.
    sectigo.state.forceNext("AutoApplySSL", { delayMs: 10 * MINUTE });
    const first = await startAppProcess(env);
    await submitOrderForm(first);
    await vi.waitFor(() => expect(sectigo.state.requestsTo("AutoApplySSL")).toHaveLength(1), {
      timeout: 30_000,
      interval: 50,
    });
    await first.stop("SIGKILL");

    const [order] = await database.db.select().from(orders);
    expect(order).toMatchObject({ reference: "SSL-1001", status: "submitting", providerOrderId: null });
    expect(order?.csr).toContain("BEGIN CERTIFICATE REQUEST");
    const thread = order?.slackThreadTs;
    expect(thread).toBeTruthy();
    const requested = [thread, ":outbox_tray: Requested by <@U0ANN>. Placing the order with Sectigo…"];
    expect(threadReplies()).toEqual([requested]);

    const second = await startAppProcess(env);
    expect(await second.poll()).toMatchObject({ flagged: 0 });
    await second.advanceClock(11 * MINUTE);
    expect(await second.poll()).toMatchObject({ flagged: 1 });
    await second.advanceClock(60 * MINUTE);
    expect(await second.poll()).toMatchObject({ flagged: 0 });
    await second.stop("SIGTERM");

    expect(threadReplies()).toEqual([requested, [thread, STUCK_NOTICE]]);
    expect(sectigo.state.requestsTo("AutoApplySSL")).toHaveLength(1);
    const [after] = await database.db.select().from(orders);
    expect(after).toMatchObject({ id: order?.id, status: "submitting", providerOrderId: null });
    const events = await database.db
      .select({ kind: orderEvents.kind, detail: orderEvents.detail })
      .from(orderEvents)
      .where(eq(orderEvents.orderId, order?.id ?? -1))
      .orderBy(asc(orderEvents.id));
    expect(events).toEqual([
      { kind: "requested", detail: expect.anything() },
      { kind: "submission_unknown", detail: expect.objectContaining({ reason: "stuck_submitting" }) },
    ]);
  }, 90_000);

  it("on SIGTERM takes no new requests, finishes the placement in flight, then exits cleanly", async () => {
    await database.truncateAll();
    await createAcmeClient(database.db);
    slack.reset();
    const placedBefore = sectigo.state.requestsTo("AutoApplySSL").length;
    let answer: () => void = () => undefined;
    sectigo.state.forceNext("AutoApplySSL", { until: new Promise<void>((resolve) => (answer = resolve)) });
    const app = await startAppProcess(env);
    await submitOrderForm(app);
    await vi.waitFor(() => expect(sectigo.state.requestsTo("AutoApplySSL").length).toBe(placedBefore + 1), {
      timeout: 30_000,
      interval: 50,
    });
    const exited = app.stop("SIGTERM");
    // Stopping: the port no longer takes connections, while Sectigo still holds the placement.
    await vi.waitFor(() => expect(fetch(`${app.url}/healthz`)).rejects.toThrow(), {
      timeout: 10_000,
      interval: 50,
    });
    const [during] = await database.db.select().from(orders);
    expect(during?.status).toBe("submitting");

    answer();
    expect(await exited).toBe(0);
    const [order] = await database.db.select().from(orders);
    expect(order).toMatchObject({ reference: "SSL-1001", status: "pending" });
    expect(order?.providerOrderId).toMatch(/^\d+$/);
    expect(sectigo.state.requestsTo("AutoApplySSL")).toHaveLength(placedBefore + 1);
    expect(app.output()).toContain("SIGTERM received: taking no new requests");
    expect(app.output()).toContain("All work in flight finished; closing the database.");
  }, 90_000);
});
