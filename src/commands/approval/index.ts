import type { App } from "@slack/bolt";
import { z } from "zod";
import { OrderStateError, SelfApprovalError } from "../../orders/order-service.js";
import { getOrder } from "../../orders/repository.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import { ORDER_MESSAGE_ACTIONS } from "../../views/order-message.js";
import { REJECT_MODAL, rejectOutcomeView, rejectView } from "../../views/reject-modal.js";
import type { Feature, FeatureContext } from "../context.js";
import { type Refusal, refusalFor } from "../guard.js";
import { modalPayload, orderIdSchema, readOrderClick } from "../payloads.js";
import { placementMessage } from "../placement.js";

const reasonSchema = z.object({
  [REJECT_MODAL.reasonBlock]: z.object({
    [REJECT_MODAL.reasonAction]: z.object({ value: z.string().nullish() }),
  }),
});

/** The refusal, recorded in the access audit, when the person is not an approver. */
function approverRefusal(
  context: FeatureContext,
  orderId: number,
  userId: string,
  action: "approve" | "reject",
) {
  return refusalFor(context, {
    userId,
    action,
    subject: async () => (await getOrder(context.db, orderId))?.reference ?? null,
  });
}

/**
 * Within the audit's per-person limit, the refusal is also in the order's history and thread, so a
 * script clicking Approve cannot flood the thread. A Slack post: after the ack.
 */
async function tellOrderThread(
  context: FeatureContext,
  refusal: Refusal,
  orderId: number,
  userId: string,
  action: "approve" | "reject",
): Promise<void> {
  if (refusal.stored)
    await context.orders.refused(orderId, userId, { action, reason: "not in SSL_APPROVERS" });
}

/** Approve / Reject on an order message (SSL_REQUIRE_APPROVAL): only approvers, never the requester. */
export const approvalFeature: Feature = {
  register(app: App, context: FeatureContext) {
    const { logger, orders, slack } = context;

    app.action(ORDER_MESSAGE_ACTIONS.approve, async ({ ack, body }) => {
      await ack();
      const click = readOrderClick(body);
      if (!click) return;
      const { userId, orderId } = click;
      // Buttons on the App Home carry no response_url: the answer goes to the person's DM there.
      const tell = (text: string) => slack.tell(click.listener, { text });
      try {
        const refusal = await approverRefusal(context, orderId, userId, "approve");
        if (refusal) {
          await tellOrderThread(context, refusal, orderId, userId, "approve");
          await tell(refusal.text);
          return;
        }
        const approved = await orders.approve(orderId, userId);
        const outcome = await orders.place(approved.id, userId);
        // The thread tells everyone else; when certdesk could not even record the placement, it may not.
        if (outcome.kind === "placed_unrecorded") {
          const message = placementMessage(context, outcome);
          await tell(`${message.text}\n${message.detail ?? ""}`).catch((error: unknown) =>
            logger.warn("Could not tell the approver about an unrecorded placement:", error),
          );
        }
      } catch (error) {
        if (error instanceof SelfApprovalError) {
          await context.refusals.record({
            actor: userId,
            action: "approve",
            subject: error.reference,
            reason: "self-approval",
            at: context.clock.now(),
          });
        }
        if (error instanceof OrderStateError) {
          await tell(`:information_source: ${error.message}`);
          return;
        }
        logger.error("Approval failed:", error);
        await tell(context.describeFailure(error)).catch(() => undefined);
      }
    });

    app.action(ORDER_MESSAGE_ACTIONS.reject, async ({ ack, body }) => {
      await ack();
      const click = readOrderClick(body);
      if (!click) return;
      const { userId, orderId } = click;
      try {
        const refusal = await approverRefusal(context, orderId, userId, "reject");
        if (refusal) {
          await tellOrderThread(context, refusal, orderId, userId, "reject");
          await slack.tell(click.listener, { text: refusal.text });
          return;
        }
        const order = await getOrder(context.db, orderId);
        if (!order) {
          await slack.tell(click.listener, { text: ":information_source: That order no longer exists." });
          return;
        }
        await slack.openModal(click.triggerId, rejectView(order.id, order.reference));
      } catch (error) {
        logger.error("Opening the rejection failed:", error);
        await slack.tell(click.listener, { text: context.describeFailure(error) }).catch(() => undefined);
      }
    });

    app.view(REJECT_MODAL.callbackId, async ({ ack, body }) => {
      const parsed = modalPayload.safeParse(body);
      const orderId = orderIdSchema.safeParse(parsed.data?.view.private_metadata);
      if (!parsed.success || !orderId.success) {
        await ack({
          response_action: "update",
          view: rejectOutcomeView(":information_source: That order no longer exists."),
        });
        return;
      }
      const { view, user } = parsed.data;
      const values = reasonSchema.safeParse(view.state?.values);
      const reason = values.data?.[REJECT_MODAL.reasonBlock][REJECT_MODAL.reasonAction].value?.trim() ?? "";
      if (reason.length < 3) {
        await ack({
          response_action: "errors",
          errors: { [REJECT_MODAL.reasonBlock]: "Say why, so the requester can fix it." },
        });
        return;
      }
      // A lookup that failed is said as a failure, not audited as a refusal.
      const refusal = await approverRefusal(context, orderId.data, user.id, "reject").catch(
        (error: unknown) => {
          logger.error("Checking who may reject failed:", error);
          return { text: "", sentence: context.describeFailure(error), stored: false };
        },
      );
      if (refusal) {
        // A field error keeps the form and the reason typed.
        await ack({ response_action: "errors", errors: { [REJECT_MODAL.reasonBlock]: refusal.sentence } });
        await tellOrderThread(context, refusal, orderId.data, user.id, "reject").catch((error: unknown) =>
          logger.error("Telling the thread of a refused rejection failed:", error),
        );
        return;
      }
      await ack({
        response_action: "update",
        view: rejectOutcomeView(":hourglass_flowing_sand: Rejecting…"),
      });
      const outcome = await orders.reject(orderId.data, user.id, reason).then(
        (rejected) =>
          `:no_entry_sign: *${escapeMrkdwn(rejected.reference)}* is rejected; the requester sees why in its thread.`,
        (error: unknown) => {
          if (error instanceof OrderStateError) return `:information_source: ${escapeMrkdwn(error.message)}`;
          logger.error("Rejection failed:", error);
          return `:x: ${context.describeFailure(error)}`;
        },
      );
      await slack
        .updateModal(view.id, rejectOutcomeView(outcome))
        .catch((error: unknown) => logger.warn("Could not show the rejection's outcome:", error));
    });
  },
};
