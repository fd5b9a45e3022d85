import { and, asc, count, desc, eq, gt, inArray, isNull, lt, lte, notExists, or, sql } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { clients, orderEvents, orders } from "../db/schema.js";
import type { OrderListEntry, OrderStatus } from "../domain/order.js";
import { pendingReissueOrders } from "./certificates.js";
import type { Order } from "./repository.js";

export interface OrderListPage {
  orders: OrderListEntry[];
  total: number;
}

/** A page of orders, newest first: one client's, or every client's when `clientId` is undefined. */
export async function listOrdersPage(
  db: Database,
  page: { clientId?: number; limit: number; offset: number },
): Promise<OrderListPage> {
  const where = page.clientId === undefined ? undefined : eq(orders.clientId, page.clientId);
  const rows = await db
    .select({
      total: sql<number>`count(*) over()`.mapWith(Number),
      id: orders.id,
      reference: orders.reference,
      clientId: orders.clientId,
      clientName: clients.name,
      primaryDomain: orders.primaryDomain,
      sans: orders.sans,
      productName: orders.productName,
      provider: orders.provider,
      status: orders.status,
      notAfter: orders.notAfter,
      coverageEndsAt: orders.coverageEndsAt,
      createdAt: orders.createdAt,
    })
    .from(orders)
    .innerJoin(clients, eq(clients.id, orders.clientId))
    .where(where)
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(page.limit)
    .offset(page.offset);
  if (rows.length === 0 && page.offset > 0) {
    const [totals] = await db.select({ total: count() }).from(orders).where(where);
    return { orders: [], total: totals?.total ?? 0 };
  }
  return { orders: rows.map(({ total: _total, ...row }) => row), total: rows[0]?.total ?? 0 };
}

/**
 * What the poller needs of each pending order (or issued order with a reissue validating) to
 * schedule it: 10,000 of them are a few hundred kilobytes.
 */
export async function listPendingForPolling(
  db: Database,
): Promise<{ id: number; provider: string; lastCheckedAt: Date | null }[]> {
  return db
    .select({ id: orders.id, provider: orders.provider, lastCheckedAt: orders.lastCheckedAt })
    .from(orders)
    .where(or(eq(orders.status, "pending"), and(eq(orders.status, "issued"), pendingReissueOrders())))
    .orderBy(asc(orders.lastCheckedAt), asc(orders.id));
}

/** Orders waiting for validation at these providers, oldest first. */
export async function listPendingAt(db: Database, providerIds: string[]): Promise<Order[]> {
  if (providerIds.length === 0) return [];
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.status, "pending"), inArray(orders.provider, providerIds)))
    .orderBy(asc(orders.id));
}

/**
 * Orders still `submitting` since before `since` that were not yet flagged for `reason` (an event
 * `submission_unknown` with that reason marks them flagged), oldest first.
 */
export async function listUnflaggedSubmissions(db: Database, since: Date, reason: string): Promise<Order[]> {
  return db
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.status, "submitting"),
        lt(orders.updatedAt, since),
        notExists(
          sql`(select 1 from ${orderEvents} where ${orderEvents.orderId} = ${orders.id}
            and ${orderEvents.kind} = 'submission_unknown' and ${orderEvents.detail}->>'reason' = ${reason})`,
        ),
      ),
    )
    .orderBy(asc(orders.id));
}

/** How many orders each provider has in each status (metrics): one row per pair that has any. */
export async function countOrdersByStatus(
  db: Database,
): Promise<{ provider: string; status: OrderStatus; count: number }[]> {
  return db
    .select({ provider: orders.provider, status: orders.status, count: count() })
    .from(orders)
    .groupBy(orders.provider, orders.status)
    .orderBy(asc(orders.provider), asc(orders.status));
}

const DAY_MS = 86_400_000;

/**
 * Certificates in use that end within each of `days` from `now` (metrics): issued orders whose
 * current certificate's not-after is after `now` and no later than `now` plus that many 24-hour
 * days, and that no issued renewal replaced (renewed_at). One range scan of
 * orders_status_not_after_idx, whatever the number of windows.
 */
export async function countExpiringCertificates(
  db: Database,
  now: Date,
  days: readonly number[],
): Promise<{ days: number; count: number }[]> {
  if (days.length === 0) return [];
  const until = (within: number) => new Date(now.getTime() + within * DAY_MS);
  const columns = Object.fromEntries(
    days.map((within, index) => [
      `within${index}`,
      sql<number>`count(*) filter (where ${lte(orders.notAfter, until(within))})`.mapWith(Number),
    ]),
  );
  const [row] = await db
    .select(columns)
    .from(orders)
    .where(
      and(
        eq(orders.status, "issued"),
        isNull(orders.renewedAt),
        gt(orders.notAfter, now),
        lte(orders.notAfter, until(Math.max(...days))),
      ),
    );
  return days.map((within, index) => ({ days: within, count: Number(row?.[`within${index}`] ?? 0) }));
}
