import type { Logger } from "@slack/logger";
import { and, asc, eq, lt, notExists, sql } from "drizzle-orm";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { orderEvents, orders } from "../db/schema.js";
import { recordEvent } from "../orders/events.js";
import type { Order } from "../orders/repository.js";
import type { StatusService } from "../orders/status-service.js";
import type { ProviderRegistry } from "../providers/registry.js";

export interface PollSummary {
  checked: number;
  issued: number;
  failed: number;
  /** Not asked this run: inside the provider's minimum interval, provider not enabled, or provider down. */
  skipped: number;
  /** Orders stuck in `submitting`, flagged for a person this run. */
  flagged: number;
}

export interface PollerDeps {
  db: Database;
  providers: ProviderRegistry;
  status: StatusService;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  /** Told once about each order stuck in `submitting` that no provider can look up. */
  flagStuck(order: Order, providerName: string, minutes: number): Promise<void>;
  /** Status checks in flight per provider. */
  concurrency?: number;
}

const STUCK_MINUTES = 10;
/** This many failures in a row and the provider is taken to be down for the rest of the run. */
const FAILURES_BEFORE_GIVING_UP = 3;
const STUCK_REASON = "stuck_submitting";

/**
 * Checks every pending order with its provider (checkStatus: stores the result, moves the order
 * along, tells its thread), a few at a time per provider and never inside the provider's minimum
 * interval. One provider's outage is logged once and does not hold up the others.
 */
export function createPoller(deps: PollerDeps) {
  const { db, providers, status, clock, logger, signal } = deps;
  const concurrency = deps.concurrency ?? 4;
  const down = new Set<string>();

  function providerName(id: string): string {
    return providers.has(id) ? providers.get(id).displayName : id;
  }

  function failed(providerId: string, message: string): void {
    if (down.has(providerId)) return;
    down.add(providerId);
    logger.warn(
      `${providerName(providerId)} is failing status checks (${message}). Its pending orders wait; ` +
        "further failures stay quiet until it answers again.",
    );
  }

  function answered(providerId: string): void {
    if (down.delete(providerId))
      logger.info(`${providerName(providerId)} recovered: status checks answer again.`);
  }

  /**
   * An order still `submitting` after a while was interrupted, or its placement's outcome is unknown.
   * place() stores the provider's order number together with the move to `pending`, so these have
   * none, and no provider can be asked by certdesk's reference: a person must look. Once per order.
   */
  async function flagStuckSubmissions(now: Date): Promise<number> {
    const stuck = await db
      .select()
      .from(orders)
      .where(
        and(
          eq(orders.status, "submitting"),
          lt(orders.updatedAt, new Date(now.getTime() - STUCK_MINUTES * 60_000)),
          notExists(
            sql`(select 1 from ${orderEvents} where ${orderEvents.orderId} = ${orders.id}
              and ${orderEvents.kind} = 'submission_unknown' and ${orderEvents.detail}->>'reason' = ${STUCK_REASON})`,
          ),
        ),
      )
      .orderBy(asc(orders.id));
    for (const order of stuck) {
      signal.throwIfAborted();
      await recordEvent(db, {
        orderId: order.id,
        actor: "system",
        kind: "submission_unknown",
        detail: { reason: STUCK_REASON, since: order.updatedAt.toISOString() },
        at: now,
      });
      logger.warn(
        `${order.reference} has been submitting for over ${STUCK_MINUTES} minutes; flagged in its thread.`,
      );
      await deps.flagStuck(order, providerName(order.provider), STUCK_MINUTES);
    }
    return stuck.length;
  }

  async function pollProvider(providerId: string, orderIds: number[], summary: PollSummary): Promise<void> {
    let failuresInARow = 0;
    await forEachLimited(orderIds, concurrency, async (orderId) => {
      signal.throwIfAborted();
      if (failuresInARow >= FAILURES_BEFORE_GIVING_UP) {
        summary.skipped += 1;
        return;
      }
      const result = await status.checkStatus(orderId, "system").catch((error: unknown) => {
        logger.error(`The status check of order ${orderId} failed:`, error);
        return undefined;
      });
      if (!result) {
        summary.failed += 1;
        return;
      }
      if (result.kind === "not_checkable" || result.kind === "too_soon") {
        summary.skipped += 1;
        return;
      }
      if (result.kind === "provider_error") {
        failuresInARow += 1;
        summary.failed += 1;
        failed(providerId, result.message);
        return;
      }
      failuresInARow = 0;
      summary.checked += 1;
      answered(providerId);
      // The status service announces it, as it does for a Check status click.
      if (result.kind === "changed" && result.order.status === "issued") summary.issued += 1;
    });
  }

  async function run(): Promise<PollSummary> {
    const now = clock.now();
    const summary: PollSummary = { checked: 0, issued: 0, failed: 0, skipped: 0, flagged: 0 };
    summary.flagged = await flagStuckSubmissions(now);
    // Only what scheduling needs: 10,000 pending orders are a few hundred kilobytes, not full rows.
    const pending = await db
      .select({ id: orders.id, provider: orders.provider, lastCheckedAt: orders.lastCheckedAt })
      .from(orders)
      .where(eq(orders.status, "pending"))
      .orderBy(asc(orders.lastCheckedAt), asc(orders.id));
    const byProvider = new Map<string, number[]>();
    for (const order of pending) {
      if (!providers.has(order.provider)) {
        summary.skipped += 1;
        continue;
      }
      const intervalMs = providers.get(order.provider).capabilities.minPollIntervalSeconds * 1_000;
      if (order.lastCheckedAt && order.lastCheckedAt.getTime() + intervalMs > now.getTime()) {
        summary.skipped += 1;
        continue;
      }
      const ids = byProvider.get(order.provider) ?? [];
      ids.push(order.id);
      byProvider.set(order.provider, ids);
    }
    await Promise.all([...byProvider].map(([providerId, ids]) => pollProvider(providerId, ids, summary)));
    return summary;
  }

  return { run };
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
