import type { App } from "@slack/bolt";
import { findOrderByReference, getOrder } from "../../orders/repository.js";
import { clip, escapeMrkdwn } from "../../views/blocks.js";
import { ORDER_MESSAGE_ACTIONS } from "../../views/order-message.js";
import { RENEW_ACTIONS } from "../../views/renew-modal.js";
import type { Feature, FeatureContext } from "../context.js";
import { messageShortcutPayload, modalPayload, parseMetadata, readOrderClick } from "../payloads.js";
import { ORDER_SHORTCUTS, orderForShortcut } from "../shortcuts.js";
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
      const order = await orderForShortcut(context, body);
      const parsed = messageShortcutPayload.safeParse(body);
      if (!order || !parsed.success) return;
      await openRenewal(context, {
        triggerId: parsed.data.trigger_id,
        userId: parsed.data.user.id,
        orderId: order.id,
        channelId: parsed.data.channel.id,
      });
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
      if (!request.ref) {
        await reply({ text: "Which certificate? `/ssl renew SSL-1042` or `/ssl renew www.example.com`." });
        return;
      }
      const order = await findOrderByReference(context.db, request.ref);
      if (!order) {
        await reply({
          text: `:mag: No order matches “${escapeMrkdwn(clip(request.ref, 100))}”. Use a reference like SSL-1042 or a domain; \`/ssl list\` shows recent orders.`,
        });
        return;
      }
      await openRenewal(context, { triggerId, userId, orderId: order.id, channelId });
    });
  },
};
