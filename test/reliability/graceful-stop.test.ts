import http from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { orders } from "../../src/db/schema.js";
import { createProviderRegistry } from "../../src/providers/registry.js";
import { SandboxProvider } from "../../src/providers/sandbox/provider.js";
import type { PlaceOrderRequest, PlaceOrderResult } from "../../src/providers/types.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { viewSubmission } from "../support/modal.js";
import { pushOrderStep2, waitForLoadedOrderForm } from "../support/order-modal.js";

/**
 * The graceful stop in the app itself, on either database: work in flight is waited for, within the
 * budget; what outlives the budget is left as it is. (crash-during-submission.test.ts sends a real
 * SIGTERM to a child process, on PostgreSQL.)
 */

/** The sandbox, holding each placement until the test lets it answer. */
class HeldSandbox extends SandboxProvider {
  started = 0;
  private release: () => void = () => undefined;
  private gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  answer(): void {
    this.release();
  }
  override async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    this.started += 1;
    await this.gate;
    return super.placeOrder(request);
  }
}

let t: TestApp | undefined;
let sandbox: HeldSandbox;
afterEach(async () => {
  sandbox?.answer();
  // The app itself was stopped by the test; what remains is Slack's fake and the database.
  await t?.slack.stop();
  await t?.database.close();
  t = undefined;
});

async function startPlacing(): Promise<TestApp> {
  const app = await startTestApp({
    env: { SSL_CHANNEL: "C0SSL" },
    providers: ({ vault, clock, database }) => {
      sandbox = new HeldSandbox({ db: database.db, vault, clock, approvalSeconds: 0 });
      return createProviderRegistry([sandbox]);
    },
  });
  await createAcmeClient(app.database.db);
  await app.driver.slashCommand('order "Acme Ltd" www.example.com');
  const form = await waitForLoadedOrderForm(app.slack);
  const step2 = await pushOrderStep2(app.driver, form);
  await app.driver.interactive(viewSubmission(step2, { viewId: "VSTEP2", previousViewId: form.viewId }));
  await vi.waitFor(() => expect(sandbox.started).toBe(1), { timeout: 10_000, interval: 20 });
  return app;
}

describe("stopping with work in flight", () => {
  it("waits for a placement in flight, then stops", async () => {
    t = await startPlacing();
    const stopped = t.app.stop({ drainMs: 60_000 });
    sandbox.answer();
    expect(await stopped).toEqual({ unfinished: 0 });
    const [order] = await t.database.db.select().from(orders);
    expect(order).toMatchObject({ status: "pending", providerOrderId: "SBX-1" });
  });

  it("answers /healthz healthy no more once stopping, even on a connection kept alive", async () => {
    t = await startPlacing();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const health = () =>
      new Promise<number>((resolve, reject) => {
        http
          .get(`${t?.url}/healthz`, { agent }, (response) => {
            response.resume();
            response.on("end", () => resolve(response.statusCode ?? 0));
          })
          .on("error", reject);
      });
    expect(await health()).toBe(200);
    const stopped = t.app.stop({ drainMs: 60_000 });
    // The placement holds the stop open: whatever the kept-alive socket meets now is not "healthy".
    const during = await health().catch((error: NodeJS.ErrnoException) => error.code ?? "error");
    expect(during).not.toBe(200);
    expect([503, "ECONNRESET", "ECONNREFUSED", "EPIPE"]).toContain(during);
    sandbox.answer();
    expect(await stopped).toEqual({ unfinished: 0 });
    agent.destroy();
  });

  it("leaves a placement that outlives the budget as it is, submitting, and says so", async () => {
    t = await startPlacing();
    expect(await t.app.stop({ drainMs: 1 })).toEqual({ unfinished: 1 });
    expect(t.logLines.join("\n")).toContain("Stopped with 1 request still at work");
    const [order] = await t.database.db.select().from(orders);
    expect(order).toMatchObject({ status: "submitting", providerOrderId: null });
  });
});
