import { findOrderByMessage, type Order } from "../orders/repository.js";
import type { FeatureContext } from "./context.js";
import { messageShortcutPayload, userPart } from "./payloads.js";

/** The message shortcuts on order messages (manifest.yml): Check SSL status, SSL order details, Renew. */
export const ORDER_SHORTCUTS = {
  checkStatus: "ssl_check_status",
  details: "ssl_details",
  renew: "ssl_renew",
} as const;

export const NOT_AN_ORDER_MESSAGE =
  "This shortcut works on certdesk order messages (the message certdesk posts for each order, or a reply in its thread). `/ssl list` shows recent orders.";

/**
 * The order a message shortcut was used on: the order message itself, or a message in its thread.
 * When there is none, tells the user so (ephemeral) and resolves to undefined.
 */
export async function orderForShortcut(
  context: Pick<FeatureContext, "db" | "logger" | "slack">,
  body: unknown,
): Promise<Order | undefined> {
  const parsed = messageShortcutPayload.safeParse(body);
  if (parsed.success) {
    const { channel, message } = parsed.data;
    const order =
      (await findOrderByMessage(context.db, channel.id, message.ts)) ??
      // The order message starts its thread, so a reply's thread_ts is the order message's ts.
      (message.thread_ts ? await findOrderByMessage(context.db, channel.id, message.thread_ts) : undefined);
    if (order) return order;
  }
  const shape = userPart.safeParse((body as { user?: unknown } | null)?.user);
  const responseUrl = (body as { response_url?: unknown } | null)?.response_url;
  if (!shape.success || typeof responseUrl !== "string") {
    context.logger.warn("A message shortcut arrived without a response_url; nothing to answer.");
    return undefined;
  }
  await context.slack.tell({ userId: shape.data.id, responseUrl }, { text: NOT_AN_ORDER_MESSAGE });
  return undefined;
}
