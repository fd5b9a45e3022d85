import { addSeconds, isBefore } from "date-fns";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { type OrderStatus, STUCK_SUBMISSION_REASON } from "../domain/order.js";
import { ProviderError } from "../providers/errors.js";
import type { ProviderRegistry } from "../providers/registry.js";
import type { StatusResult } from "../providers/types.js";
import { recordEvent } from "./events.js";
import { listUnflaggedSubmissions } from "./order-queries.js";
import type { OrderObserver } from "./order-service.js";
import { getOrder, type Order, transitionOrder, updateOrder } from "./repository.js";

export type StatusCheck =
  | { kind: "changed"; order: Order; from: OrderStatus }
  | { kind: "unchanged"; order: Order }
  /** Asked again inside the provider's minimum interval: the last result stands. */
  | { kind: "too_soon"; order: Order; nextCheckAt: Date }
  | { kind: "not_checkable"; order: Order; reason: string }
  | { kind: "provider_error"; order: Order; message: string };

const CHECKABLE: OrderStatus[] = ["pending", "issued"];

/**
 * The one rule for how often a provider may be asked about an order: not before its minimum interval
 * after the last answer (Sectigo's CollectSSL allows one call per order per 3 hours). Undefined when
 * never asked. The poller schedules with it and checkStatus refuses with it.
 */
export function nextCheckOf(
  lastCheckedAt: Date | null,
  provider: { capabilities: { minPollIntervalSeconds: number } },
): Date | undefined {
  return lastCheckedAt ? addSeconds(lastCheckedAt, provider.capabilities.minPollIntervalSeconds) : undefined;
}

/** Asks the provider for an order's status, stores it, and moves the order along its lifecycle. */
export function createStatusService(deps: {
  db: Database;
  providers: ProviderRegistry;
  clock: Clock;
  observer: OrderObserver;
}) {
  const { db, providers, clock, observer } = deps;

  async function checkStatus(orderId: number, actor: string): Promise<StatusCheck> {
    const order = await getOrder(db, orderId);
    if (!order) throw new Error(`order ${orderId} does not exist`);
    if (!order.providerOrderId || !CHECKABLE.includes(order.status)) {
      return { kind: "not_checkable", order, reason: notCheckableReason(order) };
    }
    const provider = providers.get(order.provider);
    const now = clock.now();
    const nextCheckAt = nextCheckOf(order.lastCheckedAt, provider);
    if (nextCheckAt && isBefore(now, nextCheckAt)) return { kind: "too_soon", order, nextCheckAt };
    let result: StatusResult;
    try {
      result = await provider.getStatus(order.providerOrderId);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      return { kind: "provider_error", order, message: error.message };
    }
    const statusDetail = { lines: result.detail, domains: result.domains };
    const target = targetStatus(order.status, result);
    if (target === order.status) {
      const updated = await updateOrder(db, order.id, { statusDetail, lastCheckedAt: now }, now);
      return { kind: "unchanged", order: updated ?? order };
    }
    const certificate = result.certificate;
    const changed = await transitionOrder(
      db,
      order.id,
      [order.status],
      target,
      {
        statusDetail,
        lastCheckedAt: now,
        ...(certificate
          ? {
              certificate: certificate.certificatePem,
              chain: certificate.chainPem,
              notBefore: certificate.notBefore,
              notAfter: certificate.notAfter,
            }
          : {}),
      },
      now,
    );
    // Someone else (another replica, a click) recorded this change first.
    if (!changed) return { kind: "unchanged", order: (await getOrder(db, order.id)) ?? order };
    const detail = { from: order.status, to: target, summary: result.detail[0] ?? target };
    await recordEvent(db, { orderId: order.id, actor, kind: "status_changed", detail, at: now });
    await observer.orderChanged(changed, { kind: "status_changed", actor, detail });
    return { kind: "changed", order: changed, from: order.status };
  }

  /**
   * An order still `submitting` after `minutes` was interrupted, or its placement's outcome is
   * unknown. place() stores the provider's order number together with the move to `pending`, so
   * these have none, and no provider can be asked by certdesk's reference: a person must look. Each
   * is flagged once (an event, told to the observer); the flagged orders.
   */
  async function flagStuckSubmissions(options: { minutes: number; signal?: AbortSignal }): Promise<Order[]> {
    const now = clock.now();
    const since = new Date(now.getTime() - options.minutes * 60_000);
    const stuck = await listUnflaggedSubmissions(db, since, STUCK_SUBMISSION_REASON);
    for (const order of stuck) {
      options.signal?.throwIfAborted();
      const detail = {
        reason: STUCK_SUBMISSION_REASON,
        since: order.updatedAt.toISOString(),
        minutes: options.minutes,
      };
      await recordEvent(db, {
        orderId: order.id,
        actor: "system",
        kind: "submission_unknown",
        detail,
        at: now,
      });
      await observer.orderChanged(order, { kind: "submission_unknown", actor: "system", detail });
    }
    return stuck;
  }

  return { checkStatus, flagStuckSubmissions };
}

export type StatusService = ReturnType<typeof createStatusService>;

function targetStatus(current: OrderStatus, result: StatusResult): OrderStatus {
  if (result.status === "issued" && !result.certificate) return current;
  return result.status;
}

function notCheckableReason(order: Order): string {
  switch (order.status) {
    case "awaiting_approval":
      return `${order.reference} is waiting for approval; it has not reached the provider yet.`;
    case "submitting":
      return `${order.reference} is being placed with the provider; check again in a minute.`;
    case "failed":
      return `${order.reference} was refused by the provider: ${order.failureReason ?? "see its thread"}.`;
    case "rejected":
      return `${order.reference} was rejected before it reached the provider.`;
    default:
      return `${order.reference} is ${order.status}; there is nothing more to check.`;
  }
}
