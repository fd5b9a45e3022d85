import { z } from "zod";

/** Order ids are PostgreSQL integers: a tampered value beyond them is no order, not a database error. */
const orderIdSchema = z.coerce.number().int().positive().max(2_147_483_647);

const orderButtonBody = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string(),
  channel: z.object({ id: z.string() }).optional(),
  actions: z.tuple([z.object({ value: orderIdSchema })], z.unknown()),
});

export interface OrderButtonClick {
  orderId: number;
  userId: string;
  triggerId: string;
  /** Absent when the button is not in a channel message. */
  channelId?: string;
}

/** A click on an order message's Details or Renew button: who clicked, where, and which order. */
export function readOrderButton(body: unknown): OrderButtonClick | undefined {
  const parsed = orderButtonBody.safeParse(body);
  if (!parsed.success) return undefined;
  const { user, trigger_id, channel, actions } = parsed.data;
  return { orderId: actions[0].value, userId: user.id, triggerId: trigger_id, channelId: channel?.id };
}
