import type { KnownBlock } from "@slack/types";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import { wentThroughApproval } from "../domain/approval.js";
import { certificateLabel } from "../domain/certificate.js";
import { EXTERNAL_PROVIDER } from "../domain/imported.js";
import { STUCK_SUBMISSION_REASON } from "../domain/order.js";
import { getClient } from "../orders/clients.js";
import type { OrderObserver } from "../orders/order-service.js";
import { getOrder, type Order, updateOrder } from "../orders/repository.js";
import type { ProviderRegistry } from "../providers/registry.js";
import { issuedMessage, stuckSubmissionMessage } from "../views/alert-message.js";
import { type OrderSummary, orderMessage } from "../views/order-message.js";
import { threadReplyMessage, threadReplyText } from "../views/order-thread.js";
import type { Slack } from "./slack.js";

/**
 * Follows orders in Slack, from the domain's events: the first event posts the order message
 * (SSL_CHANNEL, else the channel the command came from, else the requester's DM); every later event
 * edits it and replies in its thread. Two events say more: an issue is announced in SSL_CHANNEL,
 * and an order stuck on its way to the provider gets a notice with buttons in its thread. A Slack
 * failure is logged and never undoes what happened to the order.
 */
export type OrderNotifier = OrderObserver;

export function createOrderNotifier(deps: {
  db: Database;
  slack: Slack;
  logger: { warn(...message: unknown[]): void; error(...message: unknown[]): void };
  providers: Pick<ProviderRegistry, "nameOf" | "has" | "get">;
  clock: Clock;
  config: Pick<Config, "channel" | "requireApproval" | "requireApprovalForFree">;
}): OrderNotifier {
  const { db, slack, logger, clock, config } = deps;

  async function summarise(order: Order): Promise<OrderSummary & { renewalOfReference?: string }> {
    const owner = await getClient(db, order.clientId);
    const original = order.renewalOfId ? await getOrder(db, order.renewalOfId) : undefined;
    return {
      ...order,
      clientName: owner?.name ?? "unknown client",
      providerName: deps.providers.nameOf(order.provider),
      validatesWhenAsked:
        deps.providers.has(order.provider) &&
        deps.providers.get(order.provider).capabilities.validatesWhenAsked,
      reissuable:
        order.provider !== EXTERNAL_PROVIDER &&
        (!deps.providers.has(order.provider) || deps.providers.get(order.provider).capabilities.reissue),
      renewalOfReference: original?.reference,
    };
  }

  async function postOrderMessage(
    order: Order,
    message: { text: string; blocks: KnownBlock[] },
  ): Promise<Order> {
    const target = config.channel ?? order.slackChannel ?? order.requestedBy;
    let posted = await slack.post(target, message).catch((error: unknown) => {
      logger.warn(
        `Could not post ${order.reference} in ${target}; sending it to the requester instead:`,
        error,
      );
      return undefined;
    });
    if (!posted?.ts && target !== order.requestedBy) {
      posted = await slack.post(order.requestedBy, {
        ...message,
        text: `${message.text} (I could not post in <#${target}>: invite me there with /invite @certdesk)`,
      });
    }
    if (!posted?.ts || !posted.channel) return order;
    return (
      (await updateOrder(
        db,
        order.id,
        { slackChannel: posted.channel, slackThreadTs: posted.ts, slackMessageTs: posted.ts },
        clock.now(),
      )) ?? order
    );
  }

  /**
   * Paced, in SSL_CHANNEL, and not awaited: it queues behind the channel's other posts, and whoever
   * found the certificate issued (a Check status click) gets the answer now. The move to `issued`
   * is conditional, so this runs once per certificate whoever asked.
   */
  function announceIssued(order: Order, clientName: string, certificateNumber = 1): void {
    if (!config.channel || !order.notAfter) return;
    const message = issuedMessage({
      orderId: order.id,
      reference: certificateLabel(order.reference, certificateNumber),
      primaryDomain: order.primaryDomain,
      clientName,
      notAfter: order.notAfter,
    });
    slack.background.post({ channel: config.channel, ...message }).catch((error: unknown) => {
      if (!isAbort(error)) logger.error(`Could not post the issue of ${order.reference}:`, error);
    });
  }

  /** The buttons a person answers with once they looked in the provider's control panel. */
  async function postStuckNotice(order: Order, minutes: number): Promise<void> {
    if (!order.slackChannel || !order.slackThreadTs) return;
    const message = stuckSubmissionMessage(order, deps.providers.nameOf(order.provider), minutes);
    await slack.background
      .post({ channel: order.slackChannel, thread_ts: order.slackThreadTs, ...message })
      .catch((error: unknown) => {
        if (!isAbort(error))
          logger.error(`Could not post the stuck-order notice of ${order.reference}:`, error);
      });
  }

  async function followInSlack(changed: Order, change: OrderChange): Promise<string | undefined> {
    let order = (await getOrder(db, changed.id)) ?? changed;
    const summary = await summarise(order);
    const message = orderMessage(summary, wentThroughApproval(order));
    if (!order.slackMessageTs) {
      order = await postOrderMessage(order, message);
    } else if (order.slackChannel) {
      await slack.update(order.slackChannel, order.slackMessageTs, message);
    }
    const threadOrder = {
      ...summary,
      dcvInstructions: order.dcvInstructions,
      renewalOfReference: summary.renewalOfReference,
      keyHeld: Boolean(order.encryptedPrivateKey) || !order.csr,
    };
    const text = threadReplyText(threadOrder, change, wentThroughApproval(order));
    if (text && order.slackChannel && order.slackThreadTs) {
      await slack.post(order.slackChannel, {
        ...threadReplyMessage(text, change, threadOrder),
        thread_ts: order.slackThreadTs,
      });
    }
    return summary.clientName;
  }

  return {
    async orderChanged(changed, change) {
      if (change.kind === "submission_unknown" && change.detail.reason === STUCK_SUBMISSION_REASON) {
        await postStuckNotice(changed, Number(change.detail.minutes));
        return;
      }
      const clientName = await followInSlack(changed, change).catch((error: unknown) => {
        logger.error(`Could not update Slack for ${changed.reference} (${change.kind}):`, error);
        return undefined;
      });
      // A first certificate and each reissued one are announced the same way.
      const issued = change.kind === "status_changed" && change.detail.to === "issued";
      if (issued || change.kind === "reissued") {
        announceIssued(
          changed,
          clientName ??
            (await getClient(db, changed.clientId).catch(() => undefined))?.name ??
            "unknown client",
          issued ? 1 : Number(change.detail.certificate),
        );
      }
    },
  };
}

const isAbort = (error: unknown) => error instanceof Error && error.name === "AbortError";

type OrderChange = Parameters<OrderObserver["orderChanged"]>[1];
