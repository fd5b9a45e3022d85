import type { App } from "@slack/bolt";
import { escapeMrkdwn } from "../../views/blocks.js";
import { checkButtonLabel, findingsSummary, READINESS_ACTIONS } from "../../views/readiness.js";
import type { FeatureContext } from "../context.js";
import { readOrderClick } from "../payloads.js";

/**
 * "Will it issue?" on a pending order (order message, Details, thread): certdesk looks at DNS and
 * HTTP as the CA would and posts what it sees in the order's thread, naming who asked; the person
 * who clicked gets the count at once. Reading DNS changes nothing, so anyone who may use certdesk
 * may ask (as with Check status).
 */
export function registerReadinessCheck(app: App, context: FeatureContext): void {
  app.action(READINESS_ACTIONS.check, async ({ ack, body }) => {
    await ack();
    const click = readOrderClick(body);
    if (!click) return;
    const tell = (text: string) => context.slack.tell(click.listener, { text });
    try {
      const outcome = await context.validation.checkOrder(click.orderId, click.userId);
      if (outcome.kind === "not_applicable") {
        await tell(`:information_source: ${escapeMrkdwn(outcome.reason)}`);
        return;
      }
      const { provider } = outcome.order;
      const validatesWhenAsked =
        context.providers.has(provider) && context.providers.get(provider).capabilities.validatesWhenAsked;
      const where = outcome.order.slackThreadTs ? "; the findings are in its thread" : "";
      const recheck = outcome.recheck;
      const asked = recheck?.asked
        ? ` ${escapeMrkdwn(context.providers.nameOf(provider))} was asked to ${validatesWhenAsked ? "validate" : "check again"} now.`
        : recheck && "reason" in recheck && recheck.reason === "unconfirmed"
          ? " Not asked yet: certdesk did not see every record in place; each poll looks again."
          : "";
      await tell(
        `:mag: *${checkButtonLabel(validatesWhenAsked)}* for *${outcome.order.reference}*: ${findingsSummary(outcome.findings)}${where}.${asked}`,
      );
    } catch (error) {
      context.logger.error("The validation check failed:", error);
      await tell(context.describeFailure(error)).catch(() => undefined);
    }
  });
}
