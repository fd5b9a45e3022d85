import type { Logger } from "@slack/logger";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { forEachLimited } from "../domain/concurrency.js";
import { listPendingForPolling } from "../orders/order-queries.js";
import { nextCheckOf, type StatusService } from "../orders/status-service.js";
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
  /** Status checks in flight per provider. */
  concurrency?: number;
}

const STUCK_MINUTES = 10;
/** This many failures in a row and the provider is taken to be down for the rest of the run. */
const FAILURES_BEFORE_GIVING_UP = 3;

/**
 * Checks every pending order with its provider (checkStatus: stores the result, moves the order
 * along, tells its thread), a few at a time per provider and never inside the provider's minimum
 * interval. One provider's outage is logged once and does not hold up the others.
 */
export function createPoller(deps: PollerDeps) {
  const { db, providers, status, clock, logger, signal } = deps;
  const concurrency = deps.concurrency ?? 4;
  const down = new Set<string>();

  const providerName = (id: string) => providers.nameOf(id);

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

  /** Orders stuck in `submitting` are flagged in their threads for a person (the status service decides which). */
  async function flagStuckSubmissions(): Promise<number> {
    const stuck = await status.flagStuckSubmissions({ minutes: STUCK_MINUTES, signal });
    for (const order of stuck) {
      logger.warn(
        `${order.reference} has been submitting for over ${STUCK_MINUTES} minutes; flagged in its thread.`,
      );
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
    summary.flagged = await flagStuckSubmissions();
    const pending = await listPendingForPolling(db);
    const byProvider = new Map<string, number[]>();
    for (const order of pending) {
      if (!providers.has(order.provider)) {
        summary.skipped += 1;
        continue;
      }
      const nextCheckAt = nextCheckOf(order.lastCheckedAt, providers.get(order.provider));
      if (nextCheckAt && nextCheckAt.getTime() > now.getTime()) {
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
