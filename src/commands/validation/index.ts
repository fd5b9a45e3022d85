import type { App } from "@slack/bolt";
import { validationsOverview } from "../../orders/domain-validations.js";
import { getOrder } from "../../orders/repository.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import { ORDER_MESSAGE_ACTIONS } from "../../views/order-message.js";
import { validationsMessage } from "../../views/validations.js";
import type { Feature, FeatureContext } from "../context.js";
import { guard } from "../guard.js";
import { readOrderClick } from "../payloads.js";
import { registerChangeValidation } from "./change.js";
import { registerReadinessCheck } from "./check.js";

/**
 * Acting on a pending order's domain validation from its message, Details or thread: Resend
 * approval e-mail, Change validation (change.ts), Will it issue? (check.ts); Check status is the
 * tracking feature's. The thread says who did it.
 */
export const validationFeature: Feature = {
  register(app: App, context: FeatureContext) {
    registerChangeValidation(app, context);
    registerReadinessCheck(app, context);

    context.ssl.on("validations", async ({ reply }) => {
      const overview = await validationsOverview(context.db, {
        now: context.clock.now(),
        stuckAfterHours: context.config.stuckAfterHours,
      });
      await reply(validationsMessage({ ...overview, stuckAfterHours: context.config.stuckAfterHours }));
    });

    app.action(ORDER_MESSAGE_ACTIONS.resendApproval, async ({ ack, body }) => {
      await ack();
      const click = readOrderClick(body);
      if (!click) return;
      const tell = (text: string) => context.slack.tell(click.listener, { text });
      const allowed = await guard(context, {
        userId: click.userId,
        action: "resend_approval",
        subject: async () => (await getOrder(context.db, click.orderId))?.reference ?? null,
        tell,
      });
      if (!allowed) return;
      const outcome = await context.validation.resendApproval(click.orderId, click.userId);
      switch (outcome.kind) {
        case "resent":
          await tell(
            `:email: ${escapeMrkdwn(context.providers.nameOf(outcome.order.provider))} is sending the approval e-mail for *${outcome.order.reference}* to *${escapeMrkdwn(outcome.email)}* again. If it does not arrive, check the address's spam folder, or change the validation method.`,
          );
          return;
        case "not_applicable":
          await tell(`:information_source: ${escapeMrkdwn(outcome.reason)}`);
          return;
        case "provider_error":
          await tell(
            `:warning: ${escapeMrkdwn(context.providers.nameOf(outcome.order.provider))} did not resend the approval e-mail: ${escapeMrkdwn(outcome.message)}`,
          );
          return;
      }
    });
  },
};
