import { findOrderByMessage, findOrderByReference, type Order } from "../orders/repository.js";
import type { Message } from "../slack/slack.js";
import { escapeMrkdwn } from "../views/blocks.js";
import type { FeatureContext } from "./context.js";
import { messageShortcutPayload, userPart } from "./payloads.js";

/**
 * Where an order a person acts on comes from: a message shortcut used on its message, or the
 * reference or domain typed after a `/ssl` sub-command. The message shortcuts on order messages
 * (manifest.yml): Check SSL status, SSL order details, Renew, Reissue.
 */
export const ORDER_SHORTCUTS = {
  checkStatus: "ssl_check_status",
  details: "ssl_details",
  renew: "ssl_renew",
  reissue: "ssl_reissue",
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

/** A message shortcut on an order message: the order and what opening a modal for it needs. */
export async function shortcutTarget(
  context: Pick<FeatureContext, "db" | "logger" | "slack">,
  body: unknown,
): Promise<{ order: Order; triggerId: string; userId: string; channelId: string } | undefined> {
  const order = await orderForShortcut(context, body);
  const parsed = messageShortcutPayload.safeParse(body);
  if (!order || !parsed.success) return undefined;
  return {
    order,
    triggerId: parsed.data.trigger_id,
    userId: parsed.data.user.id,
    channelId: parsed.data.channel.id,
  };
}

/**
 * The order `/ssl <verb> <ref>` names (a reference like SSL-1042, or a domain: its newest order).
 * Without a ref, or when nothing matches, tells the person (`usage` says how to use the verb) and
 * resolves to undefined.
 */
export async function orderForCommand(
  context: Pick<FeatureContext, "db">,
  ref: string | undefined,
  args: { usage: string; reply(message: Message): Promise<unknown> },
): Promise<Order | undefined> {
  if (!ref) {
    await args.reply({ text: args.usage });
    return undefined;
  }
  const order = await findOrderByReference(context.db, ref);
  if (!order) {
    const what = /^ssl-\d+$/i.test(ref)
      ? `No order ${ref.toUpperCase()}`
      : `No order for the domain ${escapeMrkdwn(ref.slice(0, 100))}`;
    await args.reply({ text: `:mag: ${what}; \`/ssl list\` shows recent orders.` });
  }
  return order;
}
