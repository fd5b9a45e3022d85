import type { App } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import { getOrder } from "../../orders/repository.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import { ORDER_MESSAGE_ACTIONS } from "../../views/order-message.js";
import { REISSUE_ACTIONS, reissueMessageView } from "../../views/reissue-modal.js";
import type { Feature, FeatureContext } from "../context.js";
import { refusalFor } from "../guard.js";
import { modalPayload, parseMetadata, readOrderClick } from "../payloads.js";
import { ORDER_SHORTCUTS, orderForCommand, shortcutTarget } from "../shortcuts.js";
import { registerReissueApproval } from "./approval.js";
import { readReissueForm, reissueMetadataSchema, renderReissueForm, valuesOf } from "./form.js";
import { registerReissueSubmission } from "./submit.js";

/**
 * Reissue (a new certificate inside the subscription, free): the order message's, Details' and
 * alerts' Reissue button, the `ssl_reissue` shortcut and `/ssl reissue`, and the form (submit.ts).
 */

/** Opens the reissue modal for an order, or a modal that says why it cannot be reissued now. */
export async function openReissue(
  context: FeatureContext,
  args: {
    triggerId: string;
    userId: string;
    orderId: number;
    channelId: string;
    /** Over another modal (Details): pushed onto its stack rather than opened. */
    push?: boolean;
  },
): Promise<void> {
  const show = (view: ModalView) =>
    args.push ? context.slack.pushModal(args.triggerId, view) : context.slack.openModal(args.triggerId, view);
  const order = await getOrder(context.db, args.orderId);
  let refusal = (
    await refusalFor(context, { userId: args.userId, action: "reissue", subject: order?.reference ?? null })
  )?.text;
  if (!refusal && order) {
    const reason = await context.reissues.refusal(order);
    if (reason) refusal = `:information_source: ${escapeMrkdwn(reason)}`;
  }
  if (refusal || !order) {
    await show(reissueMessageView(refusal ?? ":information_source: That order no longer exists."));
    return;
  }
  await show(
    await renderReissueForm(context, order, valuesOf(order), {
      orderId: order.id,
      channelId: args.channelId,
    }),
  );
}

export const reissueFeature: Feature = {
  register(app: App, context: FeatureContext) {
    registerReissueSubmission(app, context);
    registerReissueApproval(app, context);

    app.action(ORDER_MESSAGE_ACTIONS.reissue, async ({ ack, body }) => {
      await ack();
      const click = readOrderClick(body);
      if (!click) return;
      await openReissue(context, { ...click, channelId: click.channelId ?? "" });
    });

    // A new validation method redraws the form: e-mail asks for an approver address, the others not.
    app.action(REISSUE_ACTIONS.dcvMethod, async ({ ack, body }) => {
      await ack();
      const parsed = modalPayload.safeParse(body);
      const metadata = parsed.success
        ? parseMetadata(reissueMetadataSchema, parsed.data.view.private_metadata)
        : undefined;
      const order = metadata ? await getOrder(context.db, metadata.orderId) : undefined;
      if (!parsed.success || !metadata || !order) return;
      const values = readReissueForm(parsed.data.view.state?.values ?? {});
      await context.slack
        .updateModal(parsed.data.view.id, await renderReissueForm(context, order, values, metadata))
        .catch((error: unknown) => context.logger.error("Reissue form update failed:", error));
    });

    app.shortcut({ callback_id: ORDER_SHORTCUTS.reissue, type: "message_action" }, async ({ ack, body }) => {
      await ack();
      const target = await shortcutTarget(context, body);
      if (target) await openReissue(context, { ...target, orderId: target.order.id });
    });

    context.ssl.on("reissue", async ({ request, userId, channelId, triggerId, reply }) => {
      const usage = "Which certificate? `/ssl reissue SSL-1042` or `/ssl reissue www.example.com`.";
      const order = await orderForCommand(context, request.ref, { usage, reply });
      if (order) await openReissue(context, { triggerId, userId, orderId: order.id, channelId });
    });
  },
};
