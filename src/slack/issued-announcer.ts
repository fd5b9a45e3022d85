import type { Logger } from "@slack/logger";
import type { Database } from "../db/client.js";
import { getClient } from "../orders/clients.js";
import type { Order } from "../orders/repository.js";
import { issuedMessage } from "../views/alert-message.js";
import type { ChannelPoster } from "./channel-poster.js";

/**
 * Announces a newly issued certificate in SSL_CHANNEL, whoever found it issued: the poller, a
 * Check status click or `/ssl status`. The status service calls it once per issue (the move to
 * `issued` is conditional, so only one caller wins); posts go through the paced channel poster.
 */
export function createIssuedAnnouncer(deps: {
  db: Database;
  poster: ChannelPoster;
  channel: string | undefined;
  logger: Logger;
}): (order: Order) => Promise<void> {
  const { db, poster, channel, logger } = deps;
  return async (order) => {
    if (!channel || !order.notAfter) return;
    try {
      const owner = await getClient(db, order.clientId);
      const message = issuedMessage({
        orderId: order.id,
        reference: order.reference,
        primaryDomain: order.primaryDomain,
        clientName: owner?.name ?? "unknown client",
        notAfter: order.notAfter,
      });
      await poster.post({ channel, ...message });
    } catch (error) {
      if (error instanceof Error && error.name === "AbortError") return;
      logger.error(`Could not post the issue of ${order.reference}:`, error);
    }
  };
}
