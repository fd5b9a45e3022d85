import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAcmeClient } from "../support/fixtures.js";
import { useTestApp } from "../support/harness.js";
import { textOf, viewBlockAction } from "../support/modal.js";
import { holdsApprovers } from "../support/order-modal.js";

type View = Record<string, unknown>;

/**
 * The order form when the domain's lookups are slower than its grace: here a grace of 0, so the
 * local sandbox is "slow" without a test waiting for anything.
 */
const t = useTestApp({ env: { SSL_CHANNEL: "C0SSL" }, formGraceMs: 0 });
beforeAll(async () => {
  await t.app.catalogue.get();
});
beforeEach(async () => {
  await createAcmeClient(t.database.db);
});

describe("/ssl order with a slow approver list", () => {
  it("opens at once without the list, then shows it in an update", async () => {
    await t.driver.slashCommand('order "Acme Ltd" www.example.com');
    const opened = await t.slack.waitFor("views.open");
    expect(holdsApprovers(opened.args.view)).toBe(false);
    const loaded = await t.slack.waitFor("views.update", (call) => holdsApprovers(call.args.view));
    expect(String((loaded.args.view as { private_metadata?: string }).private_metadata)).toContain(
      "admin@example.com",
    );
  });
});

describe("entering the domain in the form with a slow approver list", () => {
  it("shows whose list is loading, then the list", async () => {
    await t.driver.slashCommand("order");
    const opened = await t.slack.waitFor("views.open");
    const viewId = "V-OPEN";
    await t.driver.interactive(
      viewBlockAction(opened.args.view as View, { viewId }, "order_dcv_method", {
        order_dcv_method: "email",
      }),
    );
    const emailChosen = await t.slack.waitFor("views.update", (call) =>
      textOf(call.args.view).includes("enter the domain above and press Enter"),
    );
    t.slack.reset();
    await t.driver.interactive(
      viewBlockAction(emailChosen.args.view as View, { viewId }, "order_domain", {
        order_domain: "Bücher.example.com",
      }),
    );
    await t.slack.waitFor("views.update", (call) => textOf(call.args.view).includes("order_approver"));
    const [loading, loaded] = t.slack.callsTo("views.update").map((call) => textOf(call.args.view));
    expect(loading).toContain("Fetching approver addresses for *xn--bcher-kva.example.com*");
    expect(loaded).toContain("admin@xn--bcher-kva.example.com");
  });
});
