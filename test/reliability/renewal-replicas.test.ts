import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { orders, sandboxOrders } from "../../src/db/schema.js";
import { getOrder, type Order } from "../../src/orders/repository.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { textOf, viewSubmission } from "../support/modal.js";
import { orderRequest } from "../support/orders.js";

/**
 * Two app instances on one database (on PostgreSQL, each with its own connection pool, as two
 * replicas have) and one renewal form open on each: one renewal is placed, the other form is told
 * which renewal is already live. The database itself refuses a second live renewal.
 */

let database: TestDatabase;
let replicaDatabase: TestDatabase;
let first: TestApp;
let second: TestApp;
let original: Order;

beforeAll(async () => {
  database = await createTestDatabase();
  replicaDatabase = database.url
    ? {
        ...(await openDatabase({ kind: "postgres", url: database.url, max: 3 })),
        truncateAll: database.truncateAll,
      }
    : database;
  first = await startTestApp({ database, env: { SSL_CHANNEL: "C0SSL" } });
  second = await startTestApp({ database: replicaDatabase, env: { SSL_CHANNEL: "C0SSL" } });
  const client = await createAcmeClient(database.db);
  const { order } = await first.app.orders.createOrder(orderRequest(client.id));
  await first.app.orders.place(order.id, "U0ANN");
  await first.app.status.checkStatus(order.id, "system");
  original = (await getOrder(database.db, order.id)) as Order;
});
afterAll(async () => {
  await first.stop();
  await second.stop();
  if (replicaDatabase !== database) await replicaDatabase.close();
  await database.close();
});

async function renewalForm(app: TestApp, userId: string): Promise<Record<string, unknown>> {
  await app.driver.slashCommand("renew SSL-1001", { userId });
  const loaded = await app.slack.waitFor("views.update", (call) =>
    textOf(call.args.view).includes("renew_approver"),
  );
  return loaded.args.view as Record<string, unknown>;
}

describe("renewals across replicas", () => {
  it("places one renewal when two instances submit renewal forms of the same order at once", async () => {
    const [annForm, bobForm] = await Promise.all([renewalForm(first, "U0ANN"), renewalForm(second, "U0BOB")]);
    const review = async (app: TestApp, form: Record<string, unknown>, viewId: string, userId: string) =>
      (
        (await app.driver.interactive(viewSubmission(form, { viewId, userId }))).json() as {
          view: Record<string, unknown>;
        }
      ).view;
    const [annReview, bobReview] = await Promise.all([
      review(first, annForm, "VANN", "U0ANN"),
      review(second, bobForm, "VBOB", "U0BOB"),
    ]);
    await Promise.all([
      first.driver.interactive(viewSubmission(annReview, { viewId: "VANN", userId: "U0ANN" })),
      second.driver.interactive(viewSubmission(bobReview, { viewId: "VBOB", userId: "U0BOB" })),
    ]);
    const outcome = (app: TestApp, viewId: string) =>
      app.slack.waitFor(
        "views.update",
        (call) =>
          call.args.view_id === viewId &&
          /renews SSL-1001: placed with Sandbox|already being renewed by SSL-\d+/.test(
            textOf(call.args.view),
          ),
      );
    const texts = [
      textOf((await outcome(first, "VANN")).args.view),
      textOf((await outcome(second, "VBOB")).args.view),
    ];
    expect(texts.filter((text) => text.includes("placed with Sandbox"))).toHaveLength(1);
    expect(texts.filter((text) => text.includes("already being renewed"))).toHaveLength(1);
    const renewals = await database.db.select().from(orders).where(eq(orders.renewalOfId, original.id));
    expect(renewals.map((renewal) => renewal.status)).toEqual(["pending"]);
    expect(await database.db.select().from(sandboxOrders)).toHaveLength(2);
  });

  it("is enforced by the database: a second live renewal row cannot be stored", async () => {
    const [live] = await database.db.select().from(orders).where(eq(orders.renewalOfId, original.id));
    if (!live) throw new Error("no live renewal from the previous test");
    const { id: _id, reference: _reference, ...copy } = live;
    await expect(
      replicaDatabase.db.insert(orders).values({ ...copy, idempotencyKey: "by-hand", status: "submitting" }),
    ).rejects.toThrow();
    // A failed one does not count.
    await replicaDatabase.db
      .insert(orders)
      .values({ ...copy, idempotencyKey: "failed-one", status: "failed" });
  });
});
