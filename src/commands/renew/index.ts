import type { App } from "@slack/bolt";
import { getOrder } from "../../orders/repository.js";
import { ORDER_MESSAGE_ACTIONS } from "../../views/order-message.js";
import { RENEW_ACTIONS } from "../../views/renew-modal.js";
import type { Feature, FeatureContext } from "../context.js";
import { modalPayload, parseMetadata, readOrderClick } from "../payloads.js";
import { ORDER_SHORTCUTS, orderForCommand, shortcutTarget } from "../shortcuts.js";
import { readRenewForm, renewMetadataSchema } from "./form.js";
import { loadRenewApprovers, openRenewal, renderRenewForm } from "./open.js";
import { registerRenewReview } from "./review.js";

/**
 * Renew (a new purchase of the same certificate): the order message's and alerts' Renew button, the
 * `ssl_renew` shortcut and `/ssl renew`, the form (open.ts) and its review step (review.ts).
 */
export const renewFeature: Feature = {
  register(app: App, context: FeatureContext) {
    registerRenewReview(app, context);

    app.action(ORDER_MESSAGE_ACTIONS.renew, async ({ ack, body }) => {
      await ack();
      const click = readOrderClick(body);
      if (!click) return;
      // Failures reach the app-wide error handler, which tells the user where they are.
      await openRenewal(context, { ...click, channelId: click.channelId ?? "" });
    });

    app.shortcut({ callback_id: ORDER_SHORTCUTS.renew, type: "message_action" }, async ({ ack, body }) => {
      await ack();
      // Answers, through the response_url, a shortcut used on a message that is not an order's.
      const target = await shortcutTarget(context, body);
      if (target) await openRenewal(context, { ...target, orderId: target.order.id });
    });

    app.action(RENEW_ACTIONS.dcvMethod, async ({ ack, body }) => {
      await ack();
      const parsed = modalPayload.safeParse(body);
      if (!parsed.success) return;
      const { view } = parsed.data;
      const metadata = parseMetadata(renewMetadataSchema, view.private_metadata);
      const original = metadata ? await getOrder(context.db, metadata.orderId) : undefined;
      if (!metadata || !original) return;
      const values = readRenewForm(view.state?.values ?? {});
      try {
        await context.slack.updateModal(view.id, await renderRenewForm(context, original, values, metadata));
        if (values.dcvMethod === "email" && !metadata.approvers) {
          await loadRenewApprovers(context, view.id, original, values, metadata);
        }
      } catch (error) {
        context.logger.error("Renewal form update failed:", error);
      }
    });

    context.ssl.on("renew", async ({ request, userId, channelId, triggerId, reply }) => {
      const usage = "Which certificate? `/ssl renew SSL-1042` or `/ssl renew www.example.com`.";
      const order = await orderForCommand(context, request.ref, { usage, reply });
      if (order) await openRenewal(context, { triggerId, userId, orderId: order.id, channelId });
    });
  },
};
