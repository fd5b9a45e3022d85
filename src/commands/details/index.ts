import type { App } from "@slack/bolt";
import { z } from "zod";
import type { PfxEncryption } from "../../certs/bundle.js";
import { getOrder } from "../../orders/repository.js";
import { DETAILS_ACTIONS, DETAILS_TABS, type DeliveryState } from "../../views/order-details.js";
import { ORDER_MESSAGE_ACTIONS } from "../../views/order-message.js";
import type { Feature, FeatureContext } from "../context.js";
import { modalPayload, parseMetadata, readOrderClick, shortcutUserPayload } from "../payloads.js";
import { openReissue } from "../reissue/index.js";
import { ORDER_SHORTCUTS, orderForShortcut } from "../shortcuts.js";
import { deliverFiles } from "./delivery.js";
import { openOrderDetails, renderDetails } from "./render.js";
import { registerRevokeOpen } from "./revoke.js";
import { registerRevokeSubmission } from "./revoke-submit.js";

const metadataSchema = z.object({ orderId: z.number().int(), tab: z.enum(DETAILS_TABS) });

/**
 * The order's Details modal: the order message's button, the `ssl_details` shortcut, tabs, "Send me
 * the files", and Revoke… with its form (revoke.ts, revoke-submit.ts).
 */
export const detailsFeature: Feature = {
  register(app: App, context: FeatureContext) {
    const { db, logger } = context;
    registerRevokeOpen(app, context);
    registerRevokeSubmission(app, context);

    app.action(ORDER_MESSAGE_ACTIONS.details, async ({ ack, body }) => {
      await ack();
      const click = readOrderClick(body);
      if (!click) return;
      // Failures reach the app-wide error handler, which tells the user where they are.
      await openOrderDetails(context, click);
    });

    app.shortcut({ callback_id: ORDER_SHORTCUTS.details, type: "message_action" }, async ({ ack, body }) => {
      await ack();
      // Answers, through the response_url, a shortcut used on a message that is not an order's.
      const order = await orderForShortcut(context, body);
      const parsed = shortcutUserPayload.safeParse(body);
      if (!order || !parsed.success) return;
      await openOrderDetails(context, {
        triggerId: parsed.data.trigger_id,
        userId: parsed.data.user.id,
        orderId: order.id,
      });
    });

    /** The modal's order and the view to update, from a button inside it. */
    async function modalAction(body: unknown) {
      const parsed = modalPayload.safeParse(body);
      if (!parsed.success) return undefined;
      const metadata = parseMetadata(metadataSchema, parsed.data.view.private_metadata);
      const order = metadata ? await getOrder(db, metadata.orderId) : undefined;
      if (!metadata || !order) return undefined;
      return {
        order,
        viewId: parsed.data.view.id,
        userId: parsed.data.user.id,
        actionId: parsed.data.actions?.[0]?.action_id,
      };
    }

    app.action(DETAILS_ACTIONS.reissue, async ({ ack, body }) => {
      await ack();
      const found = await modalAction(body);
      const parsed = modalPayload.safeParse(body);
      if (!found || !parsed.data?.trigger_id) return;
      await openReissue(context, {
        triggerId: parsed.data.trigger_id,
        userId: found.userId,
        orderId: found.order.id,
        channelId: found.order.slackChannel ?? "",
        push: true,
      });
    });

    app.action(new RegExp(`^${DETAILS_ACTIONS.tabPrefix}`), async ({ ack, body }) => {
      await ack();
      try {
        const found = await modalAction(body);
        const tab = DETAILS_TABS.find(
          (candidate) => found?.actionId === `${DETAILS_ACTIONS.tabPrefix}${candidate}`,
        );
        if (!found || !tab) return;
        await context.slack.updateModal(
          found.viewId,
          await renderDetails(context, found.order, found.userId, tab),
        );
      } catch (error) {
        logger.error("Switching the details tab failed:", error);
      }
    });

    const sendFiles =
      (pfx: PfxEncryption) =>
      async ({ ack, body }: { ack: () => Promise<void>; body: unknown }) => {
        await ack();
        const found = await modalAction(body).catch((error: unknown) => {
          logger.error("Reading the details modal failed:", error);
          return undefined;
        });
        if (!found) return;
        const { order, viewId, userId } = found;
        const show = async (delivery: DeliveryState) =>
          context.slack.updateModal(
            viewId,
            await renderDetails(context, order, userId, "certificate", delivery),
          );
        try {
          await show({ state: "sending" });
          const { delivery, passwordSent } = await deliverFiles(context, order, userId, pfx);
          await show({
            state: "sent",
            filenames: delivery.files.map((file) => file.filename),
            includesKey: delivery.includesKey,
            pfxPassword: delivery.pfxPassword === undefined ? "none" : passwordSent ? "sent" : "failed",
            pfxUnavailable: delivery.pfxUnavailable,
          });
        } catch (error) {
          logger.error(`Sending ${order.reference}'s files failed:`, error);
          await show({ state: "failed", message: context.describeFailure(error) }).catch(() => undefined);
        }
      };
    app.action(DETAILS_ACTIONS.sendFiles, sendFiles("aes-256"));
    // 3DES with a SHA-1 MAC only when asked for, for servers that cannot import anything newer.
    app.action(DETAILS_ACTIONS.sendFilesLegacyPfx, sendFiles("legacy-3des"));
  },
};
