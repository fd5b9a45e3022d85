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
 * After `/ssl order …`: the modal opens with the approver list when the provider answered within
 * the form's grace (commands/order/step1.ts), else a views.update brings it later (shown when
 * e-mail validation is chosen; DNS is the default), so step 1 is submitted from whichever holds it
 * (`triggerId` picks the open when earlier ones were recorded).
 * Waiting for the open first makes a modal that never opened fail as such. With `driver`,
 * e-mail validation is then chosen as a person would, and the form that shows the approver select
 * is returned.
 */
export async function waitForLoadedOrderForm(
  slack: SlackApiFake,
  options: { timeoutMs?: number; chooseEmail?: Driver; triggerId?: string } = {},
): Promise<LoadedOrderForm> {
  const { timeoutMs, triggerId } = options;
  const opened = await slack.waitFor(
    "views.open",
    (call) => triggerId === undefined || call.args.trigger_id === triggerId,
    timeoutMs,
  );
  const viewId = String((opened.answer?.view as { id?: string } | undefined)?.id ?? "");
  const form = holdsApprovers(opened.args.view)
    ? { view: opened.args.view as View, viewId }
    : await slack
        .waitFor(
          "views.update",
          (call) => call.args.view_id === viewId && holdsApprovers(call.args.view),
          timeoutMs,
        )
        .then((loaded) => ({ view: loaded.args.view as View, viewId }));
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
