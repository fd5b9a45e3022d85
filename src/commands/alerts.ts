import type { App, RespondFn } from "@slack/bolt";
import { addDays } from "date-fns";
import { z } from "zod";
import { acknowledgeAlerts, daysLeft, getAlert, type SentAlert, snoozeAlerts } from "../orders/expiry.js";
import {
  ALERT_ACTIONS,
  type AlertResolution,
  expiryAlertMessage,
  SNOOZE_DAYS,
} from "../views/alert-message.js";
import type { HandlerContext } from "./context.js";

const alertButton = z.object({
  user: z.object({ id: z.string() }),
  actions: z.array(z.object({ value: z.string().regex(/^\d+$/) })).min(1),
});

/** Snooze 7 days and Acknowledge on expiry alerts: audited, and the alert says who did it. */
export function registerAlertHandlers(app: App, context: HandlerContext): void {
  const { db, logger, client, clock, access } = context;

  /** The alert is edited through its stored channel and ts: a response_url expires after 30 minutes. */
  async function showResolution(alert: SentAlert, resolution: AlertResolution): Promise<void> {
    if (!alert.slackChannel || !alert.slackTs) return;
    const message = expiryAlertMessage(
      {
        alertId: alert.alertId,
        kind: alert.kind,
        threshold: alert.threshold,
        daysLeft: daysLeft(alert.subject.notAfter, alert.postedAt ?? clock.now()),
      },
      alert.subject,
      resolution,
    );
    await client.chat.update({ channel: alert.slackChannel, ts: alert.slackTs, ...message });
  }

  function register(
    actionId: string,
    verb: "snooze" | "acknowledge",
    handle: (alert: SentAlert, userId: string, tell: (text: string) => Promise<unknown>) => Promise<void>,
  ): void {
    app.action(actionId, async ({ ack, body, respond }) => {
      await ack();
      const parsed = alertButton.safeParse(body);
      if (!parsed.success) return;
      const userId = parsed.data.user.id;
      const tell = (text: string) => ephemeral(respond, text);
      try {
        const alertId = Number(parsed.data.actions[0]?.value);
        if (!(await access.mayOrder(userId))) {
          const subject = (await getAlert(db, alertId))?.subject.reference ?? `alert ${alertId}`;
          await context.refusals.record({
            actor: userId,
            action: verb,
            subject,
            reason: "not in SSL_ORDERERS",
            at: clock.now(),
          });
          await tell(`:no_entry: Only people in SSL_ORDERERS can ${verb} expiry alerts.`);
          return;
        }
        const alert = await getAlert(db, alertId);
        if (!alert) {
          await tell(":information_source: That alert no longer exists.");
          return;
        }
        await handle(alert, userId, tell);
      } catch (error) {
        logger.error(`Could not ${verb} an expiry alert:`, error);
        await tell(context.describeFailure(error)).catch(() => undefined);
      }
    });
  }

  register(ALERT_ACTIONS.snooze, "snooze", async (alert, userId) => {
    const now = clock.now();
    const until = addDays(now, SNOOZE_DAYS);
    await snoozeAlerts(db, { orderId: alert.subject.orderId, alertId: alert.alertId, userId, until, now });
    await showResolution(alert, { kind: "snoozed", by: userId, until });
  });

  register(ALERT_ACTIONS.acknowledge, "acknowledge", async (alert, userId, tell) => {
    const result = await acknowledgeAlerts(db, {
      orderId: alert.subject.orderId,
      alertId: alert.alertId,
      userId,
      now: clock.now(),
    });
    if (!result.first) {
      await tell(
        `:information_source: <@${result.acknowledgedBy}> already acknowledged ${alert.subject.reference}.`,
      );
    }
    await showResolution(alert, { kind: "acknowledged", by: result.acknowledgedBy });
  });
}

async function ephemeral(respond: RespondFn | undefined, text: string): Promise<void> {
  await respond?.({ response_type: "ephemeral", replace_original: false, text });
}
