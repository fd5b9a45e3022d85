import { and, desc, eq, inArray, or, type SQL } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { orders } from "../db/schema.js";
import { LIVE_RENEWAL_STATUSES, type OrderStatus } from "../domain/order.js";

export type Order = typeof orders.$inferSelect;
export type NewOrder = typeof orders.$inferInsert;

export async function getOrder(db: Database, id: number): Promise<Order | undefined> {
  const [order] = await db.select().from(orders).where(eq(orders.id, id));
  return order;
}

/** `SSL-1042` (any case) or a domain: the newest order for that domain. */
export async function findOrderByReference(db: Database, ref: string): Promise<Order | undefined> {
  const text = ref.trim();
  const reference = /^ssl-\d+$/i.test(text) ? text.toUpperCase() : undefined;
  const where: SQL | undefined = reference
    ? eq(orders.reference, reference)
    : or(eq(orders.primaryDomain, text.toLowerCase().replace(/\.$/, "")));
  const [order] = await db
    .select()
    .from(orders)
    .where(where)
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(1);
  return order;
}

/**
 * The one way an order changes status: only from one of `from`, decided by the database, so a
 * double click, a Slack retry or two approvers at once cannot both win.
 */
export async function transitionOrder(
  db: Database,
  id: number,
  from: OrderStatus[],
  to: OrderStatus,
  patch: Partial<NewOrder>,
  now: Date,
): Promise<Order | undefined> {
  const [order] = await db
    .update(orders)
    .set({ ...patch, status: to, updatedAt: now })
    .where(and(eq(orders.id, id), inArray(orders.status, from)))
    .returning();
  return order;
}

export async function updateOrder(
  db: Database,
  id: number,
  patch: Partial<NewOrder>,
  now: Date,
): Promise<Order | undefined> {
  const [order] = await db
    .update(orders)
    .set({ ...patch, updatedAt: now })
    .where(eq(orders.id, id))
    .returning();
  return order;
}

/** The live renewal of `originalId`, if any (at most one: a partial unique index says so). */
export async function findLiveRenewal(db: Database, originalId: number): Promise<Order | undefined> {
  const [renewal] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.renewalOfId, originalId), inArray(orders.status, LIVE_RENEWAL_STATUSES)))
    .limit(1);
  return renewal;
}

/** The order whose Slack message this is (message shortcuts carry only the message's channel and ts). */
export async function findOrderByMessage(
  db: Database,
  channel: string,
  ts: string,
): Promise<Order | undefined> {
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.slackChannel, channel), eq(orders.slackMessageTs, ts)));
  return order;
}
