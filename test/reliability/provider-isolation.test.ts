import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders } from "../../src/db/schema.js";
import { GoGetSslProvider } from "../../src/providers/gogetssl/provider.js";
import { createProviderRegistry } from "../../src/providers/registry.js";
import { SandboxProvider } from "../../src/providers/sandbox/provider.js";
import { SectigoProvider } from "../../src/providers/sectigo/provider.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { textOf, viewBlockAction, viewSubmission } from "../support/modal.js";
import { pushOrderStep2, waitForLoadedOrderForm } from "../support/order-modal.js";

/**
 * One provider down never blocks the others: with GoGetSSL accepting connections and never answering
 * and Sectigo answering every call with 503, a sandbox order goes from /ssl order to placed, and
 * every request is answered, while GoGetSSL still holds its first request unanswered. An ordering,
 * not a timing: the assertions look at what the hanging server has and has not answered.
 */

/** Accepts requests and never answers them until `release()`. */
class HangingServer {
  private server?: Server;
  readonly held: ServerResponse[] = [];
  port = 0;
  async start(): Promise<this> {
    this.server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      this.held.push(res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }
  get unanswered(): number {
    return this.held.filter((res) => !res.writableEnded).length;
  }
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

let hanging: HangingServer;
let refusing: Server;
let refusingUrl: string;
let t: TestApp;

beforeAll(async () => {
  hanging = await new HangingServer().start();
  refusing = createServer((_req, res) => {
    res.writeHead(503, { "content-type": "text/plain" });
    res.end("Service Unavailable");
  });
  await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
  refusingUrl = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
  t = await startTestApp({
    env: { SSL_CHANNEL: "C0SSL" },
    // The real adapters, with short retry pauses so the refusing provider's reads give up quickly.
    providers: ({ vault, clock, database }) =>
      createProviderRegistry([
        new SandboxProvider({ db: database.db, vault, clock, approvalSeconds: 0 }),
        new GoGetSslProvider({
          user: "reseller",
          password: "pw",
          apiUrl: `http://127.0.0.1:${hanging.port}/api`,
          retryDelayMs: 10,
        }),
        new SectigoProvider({
          loginName: "reseller",
          loginPassword: "pw",
          apiUrl: refusingUrl,
          retryDelayMs: 10,
          now: () => clock.now(),
        }),
      ]),
  });
  await createAcmeClient(t.database.db);
});
afterAll(async () => {
  await hanging.stop();
  await new Promise<void>((resolve) => refusing.close(() => resolve()));
  await t.stop();
});

describe("one provider down never blocks the others", () => {
  it("places a sandbox order while GoGetSSL hangs, showing its products as still loading", async () => {
    const command = await t.driver.slashCommand('order "Acme Ltd" www.example.com');
    expect(command.status).toBe(200);
    const opened = await t.slack.waitFor("views.open");
    expect(textOf(opened.args.view)).toContain("GoGetSSL products are still loading");
    expect(textOf(opened.args.view)).toContain("PositiveSSL (DV)");

    const form = await waitForLoadedOrderForm(t.slack);
    expect(textOf(form.view)).toContain("admin@example.com");
    const step2 = await pushOrderStep2(t.driver, form);
    const submitted = await t.driver.interactive(
      viewSubmission(step2, { viewId: "VSTEP2", previousViewId: form.viewId }),
    );
    expect(submitted.status).toBe(200);
    await t.slack.waitFor(
      "views.update",
      (call) => call.args.view_id === "VSTEP2" && textOf(call.args.view).includes("placed with Sandbox"),
    );

    const [order] = await t.database.db
      .select()
      .from(orders)
      .where(eq(orders.primaryDomain, "www.example.com"));
    expect(order).toMatchObject({ provider: "sandbox", status: "pending" });
    // GoGetSSL was asked (its login, at start-up) and has still not answered.
    expect(hanging.held.length).toBeGreaterThan(0);
    expect(hanging.unanswered).toBe(hanging.held.length);
  });

  it("shows a refusing provider's reason on its approver list and keeps the form usable", async () => {
    t.slack.reset();
    await t.driver.slashCommand('order "Acme Ltd" shop.example.com');
    // E-mail validation: the approver list (and a provider's refusal of it) is what this is about.
    const form = await waitForLoadedOrderForm(t.slack, { chooseEmail: t.driver });
    const view = form.view;
    expect(textOf(view)).toContain("Sectigo");
    // Choose a Sectigo product: its own approver list is fetched for the domain.
    const blocks = view.blocks as {
      element?: { action_id?: string; option_groups?: { options: { value: string }[] }[] };
    }[];
    const product = blocks.find((block) => block.element?.action_id === "order_product");
    const sectigoProduct = product?.element?.option_groups
      ?.flatMap((group) => group.options)
      .find((option) => option.value.startsWith("sectigo:"));
    expect(sectigoProduct).toBeDefined();
    const before = t.slack.callsTo("views.update").length;
    const response = await t.driver.interactive(
      viewBlockAction(view, { viewId: form.viewId }, "order_product", {
        order_product: sectigoProduct?.value ?? "",
      }),
    );
    expect(response.status).toBe(200);
    const failed = await t.slack.waitFor(
      "views.update",
      (call) =>
        t.slack.callsTo("views.update").indexOf(call) >= before &&
        textOf(call.args.view).includes("Sectigo could not be reached"),
    );
    expect(textOf(failed.args.view)).toContain("order_domain");
    expect(hanging.unanswered).toBe(hanging.held.length);
  });
});

describe("a provider that refuses its product list", () => {
  it("shows its products as unavailable with its reason, and the others as usual", async () => {
    const refusingApp = await startTestApp({
      env: { SSL_CHANNEL: "C0SSL" },
      providers: ({ vault, clock, database }) =>
        createProviderRegistry([
          new SandboxProvider({ db: database.db, vault, clock, approvalSeconds: 0 }),
          new GoGetSslProvider({
            user: "reseller",
            password: "pw",
            apiUrl: `${refusingUrl}/api`,
            retryDelayMs: 10,
          }),
        ]),
    });
    try {
      await refusingApp.app.catalogue.get();
      await createAcmeClient(refusingApp.database.db);
      await refusingApp.driver.slashCommand("order");
      const opened = textOf((await refusingApp.slack.waitFor("views.open")).args.view);
      expect(opened).toContain("GoGetSSL products are unavailable: ");
      expect(opened).toContain("503");
      expect(opened).toContain("PositiveSSL (DV)");
      expect(opened).not.toContain("gogetssl:");
    } finally {
      await refusingApp.stop();
    }
  });
});
