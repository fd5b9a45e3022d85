import type { App } from "@slack/bolt";
import { OrderStateError, SelfApprovalError } from "../../orders/order-service.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import { REISSUE_APPROVAL_ACTIONS } from "../../views/order-thread.js";
import type { FeatureContext } from "../context.js";
import { refusalFor } from "../guard.js";
import { readOrderClick } from "../payloads.js";

/**
 * Approve reissue / Reject in an order's thread (SSL_REQUIRE_APPROVAL=all): only approvers, never
 * the requester. The thread says what was decided (the service's events); the clicker hears only
 * a refusal or a failure.
 */
export function registerReissueApproval(app: App, context: FeatureContext): void {
  const decide =
    (decision: "approve" | "reject") =>
    async ({ ack, body }: { ack: () => Promise<void>; body: unknown }) => {
      await ack();
      // The button's value is the certificate's id (an integer id like an order's, read the same way).
      const click = readOrderClick(body);
      if (!click) return;
      const certificateId = click.orderId;
      const tell = (text: string) => context.slack.tell(click.listener, { text });
      const refusal = await refusalFor(context, {
        userId: click.userId,
        action: decision,
        subject: () => context.reissues.labelOf(certificateId),
      });
      if (refusal) {
        await tell(refusal.text);
        return;
      }
      try {
        if (decision === "reject") {
          await context.reissues.rejectReissue(certificateId, click.userId);
          return;
        }
        const outcome = await context.reissues.approveReissue(certificateId, click.userId);
        if (outcome.kind === "failed") await tell(`:x: ${escapeMrkdwn(outcome.message)}`);
      } catch (error) {
        if (error instanceof SelfApprovalError) {
          await context.refusals.record({
            actor: click.userId,
            action: "approve",
            subject: error.reference,
            reason: "self-approval",
            at: context.clock.now(),
          });
        }
        if (!(error instanceof OrderStateError)) throw error;
        await tell(`:information_source: ${escapeMrkdwn(error.message)}`);
      }
    };
  app.action(REISSUE_APPROVAL_ACTIONS.approve, decide("approve"));
  app.action(REISSUE_APPROVAL_ACTIONS.reject, decide("reject"));
}
