import { expect } from "vitest";
import { textOf, viewBlockAction, viewSubmission } from "./modal.js";
import type { SlackApiFake } from "./slack-api-fake.js";
import type { SlackDriver } from "./slack-driver.js";

type Driver = Pick<SlackDriver, "interactive">;

type View = Record<string, unknown>;

/** Step 1 of the order modal once its approver select holds the provider's list. */
export interface LoadedOrderForm {
  view: View;
  viewId: string;
}

/** The view's private metadata holds the provider's approver list once it was loaded. */
export function holdsApprovers(view: unknown): boolean {
  const metadata = (view as { private_metadata?: string }).private_metadata ?? "";
  return metadata.includes('"approvers"');
}

/**
 * After `/ssl order …`: the modal opens at once and a views.update brings the approver list later
 * (shown when e-mail validation is chosen; DNS is the default), so step 1 is submitted from that
 * update. Waiting for the open first makes a modal that never opened fail as such. With `driver`,
 * e-mail validation is then chosen as a person would, and the form that shows the approver select
 * is returned.
 */
export async function waitForLoadedOrderForm(
  slack: SlackApiFake,
  options: { timeoutMs?: number; chooseEmail?: Driver } = {},
): Promise<LoadedOrderForm> {
  const { timeoutMs } = options;
  await slack.waitFor("views.open", () => true, timeoutMs);
  const loaded = await slack.waitFor("views.update", (call) => holdsApprovers(call.args.view), timeoutMs);
  const form = { view: loaded.args.view as View, viewId: String(loaded.args.view_id) };
  if (!options.chooseEmail) return form;
  await options.chooseEmail.interactive(
    viewBlockAction(form.view, { viewId: form.viewId }, "order_dcv_method", { order_dcv_method: "email" }),
  );
  const withSelect = await slack.waitFor(
    "views.update",
    (call) => textOf(call.args.view).includes("order_approver"),
    timeoutMs,
  );
  return { view: withSelect.args.view as View, viewId: String(withSelect.args.view_id) };
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
