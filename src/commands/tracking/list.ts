import { z } from "zod";
import { getClient } from "../../orders/clients.js";
import { listOrdersPage } from "../../orders/order-queries.js";
import type { Message } from "../../slack/slack.js";
import {
  emptyOrderListMessage,
  ORDER_LIST_CHOICES,
  ORDERS_PAGE_SIZE,
  orderListMessage,
} from "../../views/order-list.js";
import type { FeatureContext } from "../context.js";

/** The row menu's value: what to do, and to which order. */
export const menuChoiceSchema = z.string().transform((value, ctx) => {
  const [choice, id] = value.split(":");
  const orderId = Number(id);
  const known = ORDER_LIST_CHOICES.find((candidate) => candidate === choice);
  if (!known || !Number.isSafeInteger(orderId) || orderId <= 0) {
    ctx.addIssue({ code: "custom", message: `not an order list choice: ${value}` });
    return z.NEVER;
  }
  return { choice: known, orderId };
});

/** The Previous/Next buttons' value: which client's list, from where. */
export const positionSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "not a list position" });
      return z.NEVER;
    }
  })
  .pipe(z.object({ clientId: z.number().int().positive().optional(), offset: z.number().int().min(0) }));

/** One page of orders, newest first, optionally of one client. */
export async function listMessage(
  context: FeatureContext,
  clientId: number | undefined,
  offset: number,
  known?: { id: number; name: string },
): Promise<Message> {
  const { db } = context;
  const client =
    clientId === undefined ? undefined : known?.id === clientId ? known : await getClient(db, clientId);
  if (clientId !== undefined && !client) {
    return { text: "That client no longer exists. `/ssl clients` lists them." };
  }
  let page = await listOrdersPage(db, { clientId, limit: ORDERS_PAGE_SIZE, offset });
  // Orders went away since the page was shown: start again from the newest.
  if (page.orders.length === 0 && offset > 0) {
    offset = 0;
    page = await listOrdersPage(db, { clientId, limit: ORDERS_PAGE_SIZE, offset });
  }
  if (page.total === 0) return emptyOrderListMessage(client?.name);
  return orderListMessage({
    ...page,
    offset,
    pageSize: ORDERS_PAGE_SIZE,
    client: client ? { id: client.id, name: client.name } : undefined,
    now: context.clock.now(),
    timeZone: context.config.schedule.timeZone,
  });
}
