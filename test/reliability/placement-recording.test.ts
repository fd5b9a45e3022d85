import { asc, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { orders, sandboxOrders } from "../../src/db/schema.js";
import { ProviderOutcomeUnknownError } from "../../src/providers/errors.js";
import { createProviderRegistry } from "../../src/providers/registry.js";
import { SandboxProvider } from "../../src/providers/sandbox/provider.js";
import type { PlaceOrderRequest, PlaceOrderResult } from "../../src/providers/types.js";
import { createAcmeClient } from "../support/fixtures.js";
import { useTestApp } from "../support/harness.js";
import { textOf, viewSubmission } from "../support/modal.js";
import { pushOrderStep2, waitForLoadedOrderForm } from "../support/order-modal.js";

/**
 * After the provider said yes, nothing says "nothing changed": a database that refuses to record the
 * placement (a trigger raising an error on the move to `pending`, on PGlite and PostgreSQL alike) is
 * retried; if it keeps refusing, the person is told the order was placed, with the provider's order
 * number, the error log has that number, and submitting again buys nothing.
 */

/** The sandbox, except that a test can make the answer to a placement get lost after it was placed. */
class LosingSandbox extends SandboxProvider {
  loseAnswer = false;
  override async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const result = await super.placeOrder(request);
    if (this.loseAnswer) throw new ProviderOutcomeUnknownError("sandbox", "The sandbox's answer was lost.");
    return result;
  }
}

const t = useTestApp({
  env: { SSL_CHANNEL: "C0SSL" },
  providers: ({ vault, clock, database }) => {
    sandbox = new LosingSandbox({ db: database.db, vault, clock, approvalSeconds: 0 });
    return createProviderRegistry([sandbox]);
  },
});
let sandbox: LosingSandbox;
beforeEach(async () => {
  sandbox.loseAnswer = false;
  await t.database.db.execute(sql.raw("drop trigger if exists test_fail_recording on orders"));
  await t.database.db.execute(sql.raw("drop trigger if exists test_fail_unknown on order_events"));
  await createAcmeClient(t.database.db);
});

/** The next `failures` attempts to move an order to `pending` fail (a sequence is not rolled back). */
async function failRecording(failures: number): Promise<void> {
  await t.database.db.execute(sql.raw("drop sequence if exists test_record_failures"));
  await t.database.db.execute(sql.raw("create sequence test_record_failures"));
  await t.database.db.execute(
    sql.raw(`create or replace function test_fail_recording() returns trigger language plpgsql as $$
      begin
        if old.status = 'submitting' and new.status = 'pending' and nextval('test_record_failures') <= ${failures} then
          raise exception 'injected: the database refused the write';
        end if;
        return new;
      end $$`),
  );
  await t.database.db.execute(sql.raw("drop trigger if exists test_fail_recording on orders"));
  await t.database.db.execute(
    sql.raw(
      "create trigger test_fail_recording before update on orders for each row execute function test_fail_recording()",
    ),
  );
}

async function submitOrder(): Promise<{ step2: Record<string, unknown>; viewId: string }> {
  await t.driver.slashCommand('order "Acme Ltd" www.example.com');
  const form = await waitForLoadedOrderForm(t.slack);
  const step2 = await pushOrderStep2(t.driver, form);
  const response = await t.driver.interactive(
    viewSubmission(step2, { viewId: "VSTEP2", previousViewId: form.viewId }),
  );
  expect(response.status).toBe(200);
  return { step2, viewId: "VSTEP2" };
}

const outcomeIn = (viewId: string, text: string) =>
  t.slack.waitFor(
    "views.update",
    (call) => call.args.view_id === viewId && textOf(call.args.view).includes(text),
  );

describe("recording a placement the provider accepted", () => {
  it("retries through a short database failure and ends placed, with one purchase", async () => {
    await failRecording(3);
    const { viewId } = await submitOrder();
    await outcomeIn(viewId, "placed with Sandbox");
    const [order] = await t.database.db.select().from(orders);
    expect(order).toMatchObject({ status: "pending", providerOrderId: "SBX-1" });
    expect(await t.database.db.select().from(sandboxOrders)).toHaveLength(1);
    const retries = t.logLines.filter((line) => line.includes("could not be recorded yet; retrying"));
    expect(retries).toHaveLength(3);
    expect(retries[0]).toContain("SBX-1");
  });

  it("tells the person the order was placed and must not be placed again when the database keeps refusing", async () => {
    await failRecording(1_000);
    const { step2, viewId } = await submitOrder();
    const told = textOf((await outcomeIn(viewId, "could not record it")).args.view);
    expect(told).toContain("SSL-1001");
    expect(told).toContain("was placed with Sandbox (their order SBX-1) and is paid for");
    expect(told).toContain("Do not order it again");
    expect(told).not.toContain("nothing was changed");
    const errors = t.logLines.filter((line) => line.includes(" ERROR "));
    expect(errors.join("\n")).toContain("SSL-1001 WAS PLACED with Sandbox as order SBX-1");

    // A retry of the same submission (double click, Slack retry) buys nothing.
    const again = await t.driver.interactive(viewSubmission(step2, { viewId: "VSTEP2B" }));
    expect(again.status).toBe(200);
    await outcomeIn("VSTEP2B", "already submitted as *SSL-1001*");
    expect(await t.database.db.select().from(sandboxOrders).orderBy(asc(sandboxOrders.id))).toHaveLength(1);
    const [order] = await t.database.db.select().from(orders);
    expect(order?.status).toBe("submitting");
  });

  it("says 'do not order again' when the answer was lost and even that cannot be recorded", async () => {
    sandbox.loseAnswer = true;
    await t.database.db.execute(
      sql.raw(`create or replace function test_fail_unknown() returns trigger language plpgsql as $$
        begin
          if new.kind = 'submission_unknown' then raise exception 'injected: the database refused the write'; end if;
          return new;
        end $$`),
    );
    await t.database.db.execute(
      sql.raw(
        "create trigger test_fail_unknown before insert on order_events for each row execute function test_fail_unknown()",
      ),
    );
    const { viewId } = await submitOrder();
    const told = textOf((await outcomeIn(viewId, "did not confirm it")).args.view);
    expect(told).toContain("Do not order it again");
    expect(told).not.toContain("nothing was changed");
    expect(t.logLines.filter((line) => line.includes(" ERROR ")).join("\n")).toContain(
      "SSL-1001 was sent to sandbox with no answer, and that could not be recorded",
    );
    const [order] = await t.database.db.select().from(orders);
    expect(order?.status).toBe("submitting");
    expect(await t.database.db.select().from(sandboxOrders)).toHaveLength(1);
  });
});
