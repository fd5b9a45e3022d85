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
      // The button's value is the certificate's id, read with the same schema as an order's.
      const click = readOrderClick(body);
      if (!click) return;
      const tell = (text: string) => context.slack.tell(click.listener, { text });
      const refusal = await refusalFor(context, {
        userId: click.userId,
        action: decision,
        subject: `reissue ${click.orderId}`,
      });
      if (refusal) {
        await tell(refusal.text);
        return;
      }
      try {
        const { certificate } = await context.reissues.decideReissue(click.orderId, click.userId, decision);
        if (decision === "approve") {
          const outcome = await context.reissues.placeReissue(certificate.id, click.userId);
          if (outcome.kind === "failed") await tell(`:x: ${escapeMrkdwn(outcome.message)}`);
        }
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
