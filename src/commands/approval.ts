import type { App, RespondFn } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import { z } from "zod";
import { type OrderService, OrderStateError, SelfApprovalError } from "../orders/order-service.js";
import { getOrder } from "../orders/repository.js";
import { escapeMrkdwn, markdownSection, plain } from "../views/blocks.js";
import { ORDER_MESSAGE_ACTIONS } from "../views/order-message.js";
import type { HandlerContext } from "./context.js";
import { placementMessage } from "./placement.js";

const REJECT_CALLBACK = "order_reject_reason";
const REASON_BLOCK = "reject_reason_blk";
const REASON_ACTION = "reject_reason";

const reasonView = z.object({
  state: z.object({
    values: z.object({
      [REASON_BLOCK]: z.object({ [REASON_ACTION]: z.object({ value: z.string().nullish() }) }),
    }),
  }),
});
const buttonBody = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string(),
  actions: z.array(z.object({ value: z.string() })).min(1),
});

/** Approve / Reject on an order message (SSL_REQUIRE_APPROVAL): only approvers, never the requester. */
export function registerApprovalHandlers(app: App, context: HandlerContext, orders: OrderService): void {
  const { db, logger, access } = context;

  /** Audited twice: in the access audit, and in the order's own history its Details show. */
  async function refuse(orderId: number, userId: string, action: "approve" | "reject"): Promise<void> {
    const order = await getOrder(db, orderId);
    const at = context.clock.now();
    const subject = order?.reference ?? null;
    const stored = await context.refusals.record({
      actor: userId,
      action,
      subject,
      reason: "not in SSL_APPROVERS",
      at,
    });
    // The order's history and its thread say who tried, within the same per-person limit, so a script
    // clicking Approve cannot flood the thread.
    if (stored) await orders.refused(orderId, userId, { action, reason: "not in SSL_APPROVERS" });
  }

  /** Buttons on the App Home carry no response_url: the answer goes to the user's DM there. */
  const teller = (respond: RespondFn | undefined, userId: string) => async (text: string) => {
    if (respond) await respond({ response_type: "ephemeral", replace_original: false, text });
    else await context.client.chat.postMessage({ channel: userId, text });
  };

  app.action(ORDER_MESSAGE_ACTIONS.approve, async ({ ack, body, respond }) => {
    await ack();
    const parsed = buttonBody.safeParse(body);
    if (!parsed.success) return;
    const userId = parsed.data.user.id;
    const orderId = Number(parsed.data.actions[0]?.value);
    const tell = teller(respond, userId);
    try {
      if (!(await access.mayApprove(userId))) {
        await refuse(orderId, userId, "approve");
        await tell(":no_entry: Only people in SSL_APPROVERS can approve orders.");
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
        const at = context.clock.now();
        await context.refusals.record({
          actor: userId,
          action: "approve",
          subject: error.reference,
          reason: "self-approval",
          at,
        });
      }
      if (error instanceof OrderStateError) {
        await tell(`:information_source: ${error.message}`);
        return;
      }
      logger.error("Approval failed:", error);
      await tell(context.describeFailure(error));
    }
  });

  app.action(ORDER_MESSAGE_ACTIONS.reject, async ({ ack, body, respond, client }) => {
    await ack();
    const parsed = buttonBody.safeParse(body);
    if (!parsed.success) return;
    const userId = parsed.data.user.id;
    const orderId = Number(parsed.data.actions[0]?.value);
    if (!(await access.mayApprove(userId))) {
      await refuse(orderId, userId, "reject");
      await teller(respond, userId)(":no_entry: Only people in SSL_APPROVERS can reject orders.");
      return;
    }
    const order = await getOrder(db, orderId);
    if (!order) return;
    await client.views.open({
      trigger_id: parsed.data.trigger_id,
      view: rejectView(order.id, order.reference),
    });
  });

  app.view(REJECT_CALLBACK, async ({ ack, body, view }) => {
    const reason =
      reasonView.safeParse(view).data?.state.values[REASON_BLOCK][REASON_ACTION].value?.trim() ?? "";
    if (reason.length < 3) {
      await ack({
        response_action: "errors",
        errors: { [REASON_BLOCK]: "Say why, so the requester can fix it." },
      });
      return;
    }
    const orderId = Number(view.private_metadata);
    const userId = body.user.id;
    if (!(await access.mayApprove(userId).catch(() => false))) {
      await ack({
        response_action: "errors",
        errors: { [REASON_BLOCK]: "Only people in SSL_APPROVERS can reject orders." },
      });
      // Recorded and told in the thread after the ack: those are database writes and Slack posts.
      await refuse(orderId, userId, "reject").catch((error: unknown) =>
        logger.error("Recording a refused rejection failed:", error),
      );
      return;
    }
    await ack({ response_action: "update", view: rejectOutcomeView(":hourglass_flowing_sand: Rejecting…") });
    const outcome = await orders.reject(orderId, userId, reason).then(
      (rejected) =>
        `:no_entry_sign: *${escapeMrkdwn(rejected.reference)}* is rejected; the requester sees why in its thread.`,
      (error: unknown) => {
        if (error instanceof OrderStateError) return `:information_source: ${escapeMrkdwn(error.message)}`;
        logger.error("Rejection failed:", error);
        return `:x: ${context.describeFailure(error)}`;
      },
    );
    await context.client.views
      .update({ view_id: view.id, view: rejectOutcomeView(outcome) })
      .catch((error: unknown) => logger.warn("Could not show the rejection's outcome:", error));
  });
}

function rejectOutcomeView(text: string): ModalView {
  return {
    type: "modal",
    callback_id: `${REJECT_CALLBACK}_done`,
    title: plain("Reject order", 24),
    close: plain("Close", 24),
    blocks: [markdownSection(text)],
  };
}

function rejectView(orderId: number, reference: string): ModalView {
  return {
    type: "modal",
    callback_id: REJECT_CALLBACK,
    private_metadata: String(orderId),
    title: plain("Reject order", 24),
    submit: plain("Reject", 24),
    close: plain("Cancel", 24),
    blocks: [
      markdownSection(
        `Reject *${escapeMrkdwn(reference)}*? The requester sees your reason in the order's thread.`,
      ),
      {
        type: "input",
        block_id: REASON_BLOCK,
        label: plain("Reason"),
        element: { type: "plain_text_input", action_id: REASON_ACTION, multiline: true, max_length: 500 },
      },
    ],
  };
}
