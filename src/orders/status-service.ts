import { addSeconds } from "date-fns/addSeconds";
import { isBefore } from "date-fns/isBefore";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { EXTERNAL_PROVIDER } from "../domain/imported.js";
import { type OrderStatus, STUCK_SUBMISSION_REASON } from "../domain/order.js";
import { ProviderError } from "../providers/errors.js";
import type { ProviderRegistry } from "../providers/registry.js";
import type { StatusResult } from "../providers/types.js";
import {
  type Certificate,
  findReissueToSettle,
  issueFirstCertificate,
  recordReissued,
  transitionCertificate,
} from "./certificates.js";
import { recordValidations } from "./domain-validations.js";
import { recordEvent } from "./events.js";
import { listUnflaggedSubmissions } from "./order-queries.js";
import type { OrderObserver } from "./order-service.js";
import { getOrder, type Order, transitionOrder, updateOrder } from "./repository.js";

export type StatusCheck =
  | { kind: "changed"; order: Order; from: OrderStatus }
  /** A reissue validating at the provider was issued or refused; the order itself stays issued. */
  | { kind: "reissue_changed"; order: Order; certificate: Certificate }
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
    if (order.status === "issued") {
      const reissue = await findReissueToSettle(db, order, result.certificate?.certificatePem);
      if (reissue) return settleReissue(order, reissue, result, actor);
    }
    const target = targetStatus(order.status, result);
    if (target === order.status) {
      const updated = await updateOrder(db, order.id, { statusDetail, lastCheckedAt: now }, now);
      return { kind: "unchanged", order: updated ?? order };
    }
    const certificate = result.certificate;
    const patch = { statusDetail, lastCheckedAt: now };
    // Issued with its certificate 1 in one transaction; other moves keep the certificate columns.
    const changed =
      target === "issued" && certificate
        ? await issueFirstCertificate(db, {
            order,
            issued: certificate,
            now,
            transition: (tx, certificateColumns) =>
              transitionOrder(tx, order.id, [order.status], target, { ...patch, ...certificateColumns }, now),
          })
        : await transitionOrder(db, order.id, [order.status], target, patch, now);
    // Someone else (another replica, a click) recorded this change first.
    if (!changed) return { kind: "unchanged", order: (await getOrder(db, order.id)) ?? order };
    if (target === "issued" && certificate) {
      await recordValidations(db, {
        order,
        certificate: { domains: [order.primaryDomain, ...order.sans], dcvMethod: order.dcvMethod },
        validatedAt: now,
        caDays: provider.capabilities.dcvReuseDays,
      });
    }
    const detail = { from: order.status, to: target, summary: result.detail[0] ?? target };
    await recordEvent(db, { orderId: order.id, actor, kind: "status_changed", detail, at: now });
    await observer.orderChanged(changed, { kind: "status_changed", actor, detail });
    return { kind: "changed", order: changed, from: order.status };
  }

  /**
   * The provider's answer for an issued order with a reissue validating: a certificate other than
   * the current one is the reissue, issued; a rejection or cancellation ends the reissue (the
   * current certificate stays); anything else, still validating. The order's status does not move.
   */
  async function settleReissue(
    order: Order,
    reissue: Certificate,
    result: StatusResult,
    actor: string,
  ): Promise<StatusCheck> {
    const now = clock.now();
    const statusDetail = { lines: result.detail, domains: result.domains };
    const issued = result.certificate;
    let settled: { order: Order; certificate: Certificate } | undefined;
    let detail: Record<string, unknown> = {};
    if (result.status === "issued" && issued && issued.certificatePem !== order.certificate) {
      settled = await recordReissued(db, { order, certificate: reissue, issued, now });
      detail = { certificate: reissue.number, notAfter: issued.notAfter.toISOString() };
      if (settled) {
        await recordValidations(db, {
          order,
          certificate: reissue,
          validatedAt: now,
          caDays: providers.get(order.provider).capabilities.dcvReuseDays,
        });
      }
    } else if (result.status === "rejected" || result.status === "cancelled") {
      const reason = result.detail[0] ?? `the provider says ${result.status}`;
      const certificate = await transitionCertificate(db, reissue.id, ["pending"], {
        status: "failed",
        failureReason: reason,
      });
      if (certificate) settled = { order, certificate };
      detail = { certificate: reissue.number, reason };
    }
    const updated = await updateOrder(db, order.id, { statusDetail, lastCheckedAt: now }, now);
    if (!settled) return { kind: "unchanged", order: updated ?? order };
    const kind = settled.certificate.status === "issued" ? "reissued" : "reissue_failed";
    await recordEvent(db, { orderId: order.id, actor, kind, detail, at: now });
    await observer.orderChanged(updated ?? settled.order, { kind, actor, detail });
    return { kind: "reissue_changed", order: updated ?? settled.order, certificate: settled.certificate };
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
  // An issued order stays issued while the provider works on a reissue (or says "processing" for
  // any reason of its own): its certificate is still valid. Only its end (expired, cancelled,
  // revoked as rejected) moves it.
  if (current === "issued" && result.status === "pending") return current;
  return result.status;
}

function notCheckableReason(order: Order): string {
  if (order.provider === EXTERNAL_PROVIDER) {
    return `${order.reference} is a certificate certdesk did not order (imported): there is no provider to ask. Its expiry is tracked.`;
  }
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
