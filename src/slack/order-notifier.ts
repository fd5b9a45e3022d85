import type { KnownBlock } from "@slack/types";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import { getClient } from "../orders/clients.js";
import type { OrderObserver } from "../orders/order-service.js";
import { getOrder, type Order, updateOrder } from "../orders/repository.js";
import type { ProviderRegistry } from "../providers/registry.js";
import { type OrderSummary, orderMessage } from "../views/order-message.js";
import { threadReplyText } from "../views/order-thread.js";
import type { Slack } from "./slack.js";

/**
 * Follows orders in Slack: the first event posts the order message (SSL_CHANNEL, else the channel
 * the command came from, else the requester's DM); every later event edits it and replies in its
 * thread. A Slack failure is logged and never undoes what happened to the order.
 */
export interface OrderNotifier extends OrderObserver {
  /** The order's message exactly as its channel post shows it. */
  render(order: Order): Promise<{ text: string; blocks: KnownBlock[] }>;
}

export function createOrderNotifier(deps: {
  db: Database;
  slack: Slack;
  logger: { warn(...message: unknown[]): void; error(...message: unknown[]): void };
  providers: Pick<ProviderRegistry, "nameOf">;
  clock: Clock;
  config: Pick<Config, "channel" | "requireApproval">;
}): OrderNotifier {
  const { db, slack, logger, clock, config } = deps;

  async function summarise(order: Order): Promise<OrderSummary & { renewalOfReference?: string }> {
    const owner = await getClient(db, order.clientId);
    const original = order.renewalOfId ? await getOrder(db, order.renewalOfId) : undefined;
    return {
      ...order,
      clientName: owner?.name ?? "unknown client",
      providerName: deps.providers.nameOf(order.provider),
      renewalOfReference: original?.reference,
    };
  }

  async function render(order: Order) {
    return orderMessage(await summarise(order), config.requireApproval);
  }

  async function postOrderMessage(order: Order): Promise<Order> {
    const message = await render(order);
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

  return {
    render,
    async orderChanged(changed, change) {
      try {
        let order = (await getOrder(db, changed.id)) ?? changed;
        if (!order.slackMessageTs) {
          order = await postOrderMessage(order);
        } else if (order.slackChannel) {
          await slack.update(order.slackChannel, order.slackMessageTs, await render(order));
        }
        const summary = await summarise(order);
        const text = threadReplyText(
          {
            ...summary,
            dcvInstructions: order.dcvInstructions,
            renewalOfReference: summary.renewalOfReference,
          },
          change,
          config.requireApproval,
        );
        if (text && order.slackChannel && order.slackThreadTs) {
          await slack.post(order.slackChannel, { text, thread_ts: order.slackThreadTs });
        }
      } catch (error) {
        logger.error(`Could not update Slack for ${changed.reference} (${change.kind}):`, error);
      }
    },
  };
}
