import { z } from "zod";
import type { Listener } from "../slack/slack.js";

/**
 * The parts of Slack's payloads certdesk reads, in one place. Slack sends what it sends; anything
 * else (a tampered or a truncated payload) fails these schemas and is answered as such, never read.
 */

export const userPart = z.object({ id: z.string() });

const stateValue = z
  .object({
    value: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
    selected_options: z.array(z.object({ value: z.string() })).nullish(),
  })
  .loose();
export type StateValue = z.infer<typeof stateValue>;
/** A modal's `state.values`: by block_id, then action_id. */
export const stateValuesSchema = z.record(z.string(), z.record(z.string(), stateValue));
export type StateValues = z.infer<typeof stateValuesSchema>;

/** A view_submission, or a block action inside a modal. */
export const modalPayload = z.object({
  user: userPart,
  trigger_id: z.string().optional(),
  view: z.object({
    id: z.string(),
    /** Changes with every update of the view: the same hash twice is the same submission. */
    hash: z.string().optional(),
    private_metadata: z.string().optional(),
    previous_view_id: z.string().nullish(),
    state: z.object({ values: stateValuesSchema }).optional(),
  }),
  actions: z.array(z.object({ action_id: z.string() }).loose()).optional(),
});

/** Order ids are PostgreSQL integers: a tampered value beyond them is no order, not a database error. */
export const orderIdSchema = z.coerce.number().int().positive().max(2_147_483_647);

/** A click on a button or a menu in a message (or the App Home, which has no response_url). */
export const messageActionPayload = z.object({
  user: userPart,
  trigger_id: z.string(),
  response_url: z.string().optional(),
  channel: z.object({ id: z.string() }).nullish(),
  container: z.object({ channel_id: z.string().optional() }).optional(),
  actions: z
    .array(
      z.object({
        action_id: z.string().optional(),
        value: z.string().optional(),
        selected_option: z.object({ value: z.string() }).optional(),
      }),
    )
    .min(1),
});

/** Slack's message timestamps: anything else cannot name an order message (and NUL cannot reach SQL). */
const messageTs = z.string().regex(/^\d+\.\d+$/);

/** A message shortcut used on a message. */
export const messageShortcutPayload = z.object({
  user: userPart,
  trigger_id: z.string(),
  response_url: z.string(),
  channel: z.object({ id: z.string() }),
  message: z.object({ ts: messageTs, thread_ts: messageTs.optional() }),
});

/** Who used a shortcut and its trigger, read apart from the message (which may not be an order's). */
export const shortcutUserPayload = z.object({ user: userPart, trigger_id: z.string() });

export interface OrderClick {
  orderId: number;
  userId: string;
  triggerId: string;
  /** Where the click came from; absent outside a channel message. */
  channelId?: string;
  /** The person, to answer them only. */
  listener: Listener;
}

/** A click on a button whose value is an order id (order messages, alerts, notices, lists). */
export function readOrderClick(body: unknown): OrderClick | undefined {
  const parsed = messageActionPayload.safeParse(body);
  const orderId = orderIdSchema.safeParse(parsed.data?.actions[0]?.value);
  if (!parsed.success || !orderId.success) return undefined;
  const { user, trigger_id: triggerId, channel, container, response_url: responseUrl } = parsed.data;
  return {
    orderId: orderId.data,
    userId: user.id,
    triggerId,
    channelId: channel?.id ?? container?.channel_id,
    listener: { userId: user.id, responseUrl },
  };
}

/** Who sent a payload and how to answer only them, for payloads of any kind. */
export function listenerOf(body: unknown): Listener | undefined {
  const parsed = z
    .object({
      response_url: z.string().optional(),
      response_urls: z.array(z.object({ response_url: z.string() })).optional(),
      user_id: z.string().optional(),
      user: userPart.optional(),
    })
    .loose()
    .safeParse(body);
  const userId = parsed.data?.user_id ?? parsed.data?.user?.id;
  if (!userId) return undefined;
  return { userId, responseUrl: parsed.data?.response_url ?? parsed.data?.response_urls?.[0]?.response_url };
}

/** What certdesk put in a modal's private_metadata, or undefined when it is not that. */
export function parseMetadata<T>(schema: z.ZodType<T>, raw: string | undefined): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(raw ?? ""));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A form's inputs by field, whatever suffix their block_id carries (`period_blk:sandbox:dv`: the
 * part after ":" is what the block depends on).
 */
export function inputsByField<Field extends string>(
  values: StateValues,
  blocks: Record<Field, string>,
): Map<Field, StateValue> {
  const fieldOf = new Map(Object.entries(blocks).map(([field, block]) => [block as string, field as Field]));
  const result = new Map<Field, StateValue>();
  for (const [block, actions] of Object.entries(values)) {
    const field = fieldOf.get(block.split(":")[0] ?? "");
    const entry = Object.values(actions)[0];
    if (field && entry) result.set(field, entry);
  }
  return result;
}

/** The block_id under which a field currently appears in the view, if it does. */
export function blockIdIn(values: StateValues, base: string): string | undefined {
  return Object.keys(values).find((id) => id === base || id.startsWith(`${base}:`));
}
