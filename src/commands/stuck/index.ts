import type { App } from "@slack/bolt";
import { z } from "zod";
import { OrderStateError } from "../../orders/order-service.js";
import { getOrder } from "../../orders/repository.js";
import { STUCK_ACTIONS } from "../../views/alert-message.js";
import { recordPlacedView, STUCK_MODAL } from "../../views/stuck-modal.js";
import type { Feature, FeatureContext } from "../context.js";
import { guard, refusalFor } from "../guard.js";
import { modalPayload, orderIdSchema, readOrderClick } from "../payloads.js";

/**
 * The buttons on a stuck-order notice: a person who looked in the provider's control panel records
 * the provider's order number, or marks the order as not placed. Either needs SSL_ORDERERS, since
 * "not placed" allows buying it again.
 */

const numberSchema = z.object({
  [STUCK_MODAL.numberBlock]: z.object({
    [STUCK_MODAL.numberAction]: z.object({ value: z.string().nullish() }),
  }),
});
/** Providers' order numbers: digits for Sectigo and GoGetSSL, letters for others; nothing else. */
const providerOrderId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    error: "Enter the order number exactly as the provider shows it.",
  });

async function referenceOf(context: FeatureContext, orderId: number): Promise<string | null> {
  return (await getOrder(context.db, orderId))?.reference ?? null;
}

export const stuckFeature: Feature = {
  register(app: App, context: FeatureContext) {
    const { db, logger, orders, slack } = context;

    app.action(STUCK_ACTIONS.notPlaced, async ({ ack, body }) => {
      await ack();
      const click = readOrderClick(body);
      if (!click) return;
      const { userId, orderId, listener } = click;
      const tell = (text: string) => slack.tell(listener, { text });
      try {
        const allowed = await guard(context, {
          userId,
          action: "settle",
          subject: () => referenceOf(context, orderId),
          tell,
        });
        if (!allowed) return;
        const order = await orders.resolveStuck(orderId, userId, { placed: false });
        const text = `:heavy_check_mark: <@${userId}> checked: ${order.reference} was not placed. It may be ordered again.`;
        if (listener.responseUrl) await slack.replaceViaResponseUrl(listener.responseUrl, { text });
        else await tell(text);
      } catch (error) {
        if (error instanceof OrderStateError) await tell(`:information_source: ${error.message}`);
        else {
          logger.error("Marking a stuck order as not placed failed:", error);
          await tell(context.describeFailure(error)).catch(() => undefined);
        }
      }
    });

    app.action(STUCK_ACTIONS.placed, async ({ ack, body }) => {
      await ack();
      const click = readOrderClick(body);
      if (!click) return;
      const { userId, orderId, listener } = click;
      const allowed = await guard(context, {
        userId,
        action: "settle",
        subject: () => referenceOf(context, orderId),
        tell: (text) => slack.tell(listener, { text }),
      });
      if (!allowed) return;
      const order = await getOrder(db, orderId);
      if (!order) return;
      await slack.openModal(
        click.triggerId,
        recordPlacedView(order.id, order.reference, context.providers.nameOf(order.provider)),
      );
    });

    app.view(STUCK_MODAL.callbackId, async ({ ack, body }) => {
      const parsed = modalPayload.safeParse(body);
      const orderId = orderIdSchema.safeParse(parsed.data?.view.private_metadata);
      if (!parsed.success || !orderId.success) {
        await ack({ response_action: "clear" });
        return;
      }
      const fieldError = (message: string) =>
        ack({ response_action: "errors", errors: { [STUCK_MODAL.numberBlock]: message } });
      const values = numberSchema.safeParse(parsed.data.view.state?.values);
      const typed = providerOrderId.safeParse(
        values.data?.[STUCK_MODAL.numberBlock][STUCK_MODAL.numberAction].value ?? "",
      );
      if (!typed.success) {
        await fieldError(typed.error.issues[0]?.message ?? "");
        return;
      }
      const userId = parsed.data.user.id;
      const refusal = await refusalFor(context, {
        userId,
        action: "settle",
        subject: () => referenceOf(context, orderId.data),
      }).catch((error: unknown) => {
        logger.error("Checking who may settle a stuck order failed:", error);
        return { sentence: context.describeFailure(error) };
      });
      if (refusal) {
        await fieldError(refusal.sentence);
        return;
      }
      try {
        await orders.resolveStuck(orderId.data, userId, { placed: true, providerOrderId: typed.data });
        await ack();
      } catch (error) {
        if (!(error instanceof OrderStateError))
          logger.error("Recording a stuck order's number failed:", error);
        await fieldError(error instanceof OrderStateError ? error.message : context.describeFailure(error));
      }
    });
  },
};
