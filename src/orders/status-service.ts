import { addSeconds, isBefore } from "date-fns";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import type { OrderStatus } from "../domain/order.js";
import { ProviderError } from "../providers/errors.js";
import type { ProviderRegistry } from "../providers/registry.js";
import type { StatusResult } from "../providers/types.js";
import { recordEvent } from "./events.js";
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

/** Asks the provider for an order's status, stores it, and moves the order along its lifecycle. */
export function createStatusService(deps: {
  db: Database;
  providers: ProviderRegistry;
  clock: Clock;
  observer: OrderObserver;
  /** Told once per newly issued certificate, whoever asked (poller, button, command); never throws. */
  announceIssued?: (order: Order) => Promise<void>;
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
    if (order.lastCheckedAt) {
      const nextCheckAt = addSeconds(order.lastCheckedAt, provider.capabilities.minPollIntervalSeconds);
      if (isBefore(now, nextCheckAt)) return { kind: "too_soon", order, nextCheckAt };
    }
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
    // Not awaited: the announcement queues behind the channel's paced posts, and whoever asked (a
    // Check status click) gets the answer now.
    if (changed.status === "issued") void deps.announceIssued?.(changed);
    return { kind: "changed", order: changed, from: order.status };
  }

  return { checkStatus };
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
