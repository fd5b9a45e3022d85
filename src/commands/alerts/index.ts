import type { App } from "@slack/bolt";
import { addDays } from "date-fns/addDays";
import { z } from "zod";
import { acknowledgeAlerts, daysLeft, getAlert, type SentAlert, snoozeAlerts } from "../../orders/expiry.js";
import {
  ALERT_ACTIONS,
  type AlertResolution,
  expiryAlertMessage,
  SNOOZE_DAYS,
} from "../../views/alert-message.js";
import type { Feature, FeatureContext } from "../context.js";
import { guard } from "../guard.js";
import { messageActionPayload } from "../payloads.js";

const alertIdSchema = z.coerce.number().int().positive().max(2_147_483_647);

/** Snooze 7 days and Acknowledge on expiry alerts: audited, and the alert says who did it. */
export const alertsFeature: Feature = {
  register(app: App, context: FeatureContext) {
    const { db, logger, clock, slack } = context;

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
      await slack.update(alert.slackChannel, alert.slackTs, message);
    }

    function on(
      actionId: string,
      action: "snooze" | "acknowledge",
      handle: (alert: SentAlert, userId: string, tell: (text: string) => Promise<unknown>) => Promise<void>,
    ): void {
      app.action(actionId, async ({ ack, body }) => {
        await ack();
        const parsed = messageActionPayload.safeParse(body);
        const alertId = alertIdSchema.safeParse(parsed.data?.actions[0]?.value);
        if (!parsed.success || !alertId.success) return;
        const userId = parsed.data.user.id;
        const tell = (text: string) =>
          slack.tell({ userId, responseUrl: parsed.data.response_url }, { text });
        try {
          const allowed = await guard(context, {
            userId,
            action,
            subject: async () =>
              (await getAlert(db, alertId.data))?.subject.reference ?? `alert ${alertId.data}`,
            tell,
          });
          if (!allowed) return;
          const alert = await getAlert(db, alertId.data);
          if (!alert) {
            await tell(":information_source: That alert no longer exists.");
            return;
          }
          await handle(alert, userId, tell);
        } catch (error) {
          logger.error(`Could not ${action} an expiry alert:`, error);
          await tell(context.describeFailure(error)).catch(() => undefined);
        }
      });
    }

    on(ALERT_ACTIONS.snooze, "snooze", async (alert, userId) => {
      const now = clock.now();
      const until = addDays(now, SNOOZE_DAYS);
      await snoozeAlerts(db, { orderId: alert.subject.orderId, alertId: alert.alertId, userId, until, now });
      await showResolution(alert, { kind: "snoozed", by: userId, until });
    });

    on(ALERT_ACTIONS.acknowledge, "acknowledge", async (alert, userId, tell) => {
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
  },
};
