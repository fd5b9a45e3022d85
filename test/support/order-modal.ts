import { expect } from "vitest";
import { textOf, viewSubmission } from "./modal.js";
import type { SlackApiFake } from "./slack-api-fake.js";
import type { SlackDriver } from "./slack-driver.js";

type Driver = Pick<SlackDriver, "interactive">;

type View = Record<string, unknown>;

/** Step 1 of the order modal once its approver select holds the provider's list. */
export interface LoadedOrderForm {
  view: View;
  viewId: string;
}

/**
 * After `/ssl order …`: the modal opens at once and a views.update fills the approver select later,
 * so step 1 can only be submitted from that update. Waiting for the open first makes a modal that
 * never opened fail as such, not as a missing update.
 */
export async function waitForLoadedOrderForm(
  slack: SlackApiFake,
  timeoutMs?: number,
): Promise<LoadedOrderForm> {
  await slack.waitFor("views.open", () => true, timeoutMs);
  const loaded = await slack.waitFor(
    "views.update",
    (call) => textOf(call.args.view).includes("order_approver"),
    timeoutMs,
  );
  return { view: loaded.args.view as View, viewId: String(loaded.args.view_id) };
}

/** Submits step 1 with `approver` chosen and returns step 2, which the app must push on top. */
export async function pushOrderStep2(
  driver: Driver,
  form: LoadedOrderForm,
  approver = "admin@example.com",
): Promise<View> {
  const step1 = await driver.interactive(
    viewSubmission(form.view, { viewId: form.viewId }, { order_approver: approver }),
  );
  const pushed = step1.json() as { response_action: string; view: View };
  expect(pushed.response_action).toBe("push");
  return pushed.view;
}
