import { z } from "zod";
import { findOrderByMessage, type Order } from "../orders/repository.js";
import type { HandlerContext } from "./context.js";

/** The message shortcuts on order messages (manifest.yml): Check SSL status, SSL order details, Renew. */
export const ORDER_SHORTCUTS = {
  checkStatus: "ssl_check_status",
  details: "ssl_details",
  renew: "ssl_renew",
} as const;

export const NOT_AN_ORDER_MESSAGE =
  "This shortcut works on certdesk order messages (the message certdesk posts for each order, or a reply in its thread). `/ssl list` shows recent orders.";

/** Slack's message timestamps: anything else cannot name an order message (and NUL cannot reach SQL). */
const messageTs = z.string().regex(/^\d+\.\d+$/);
const messageShortcutBody = z.object({
  channel: z.object({ id: z.string() }),
  message: z.object({ ts: messageTs, thread_ts: messageTs.optional() }),
  response_url: z.string(),
});
const responseUrlOnly = z.object({ response_url: z.string() });

/**
 * The order a message shortcut was used on: the order message itself, or a message in its thread.
 * When there is none, tells the user so (ephemeral) and resolves to undefined.
 */
export async function orderForShortcut(
  context: Pick<HandlerContext, "db" | "logger">,
  body: unknown,
): Promise<Order | undefined> {
  const parsed = messageShortcutBody.safeParse(body);
  if (parsed.success) {
    const { channel, message } = parsed.data;
    const order =
      (await findOrderByMessage(context.db, channel.id, message.ts)) ??
      // The order message starts its thread, so a reply's thread_ts is the order message's ts.
      (message.thread_ts ? await findOrderByMessage(context.db, channel.id, message.thread_ts) : undefined);
    if (order) return order;
  }
  const responseUrl = responseUrlOnly.safeParse(body);
  if (!responseUrl.success) {
    context.logger.warn("A message shortcut arrived without a response_url; nothing to answer.");
    return undefined;
  }
  await respondEphemeral(responseUrl.data.response_url, NOT_AN_ORDER_MESSAGE);
  return undefined;
}

/** What Bolt's respond() does, for callers that hold only the payload. */
async function respondEphemeral(responseUrl: string, text: string): Promise<void> {
  const response = await fetch(responseUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ response_type: "ephemeral", replace_original: false, text }),
  });
  if (!response.ok) throw new Error(`Slack refused the response_url message (HTTP ${response.status})`);
}
