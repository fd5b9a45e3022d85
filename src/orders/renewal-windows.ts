import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { orderEvents, orders } from "../db/schema.js";
import type { DcvMethod } from "../domain/dcv.js";
import { lifetimeWindow, nextWindowCheck } from "../domain/renewal-window.js";
import { ProviderError } from "../providers/errors.js";
import type { ProviderRegistry } from "../providers/registry.js";
import type { RenewalWindow, SslProvider } from "../providers/types.js";
import { type OrderObserver, type OrderService, renewalRequest } from "./order-service.js";
import { findLiveRenewal, type Order, updateOrder } from "./repository.js";

/**
 * Renewal by the CA's window (ACME): each issued certificate whose provider gives renewal windows
 * has its window kept on the order (asked again as the CA's Retry-After says), and when the window
 * opens the thread is told once: with a Renew button, or, with ACME_AUTO_RENEW, the renewal is
 * placed at once (free). A renewal whose validation can be reused issues by itself; otherwise its
 * own thread shows what to publish and asks a person ("Record is in place").
 */

export interface RenewalWindowSummary {
  checked: number;
  opened: number;
  renewed: number;
  failed: number;
}

export interface RenewalWindowDeps {
  db: Database;
  providers: ProviderRegistry;
  clock: Clock;
  observer: OrderObserver;
  orders: Pick<OrderService, "createOrder" | "place">;
  logger: { warn(...message: unknown[]): void; error(...message: unknown[]): void };
}

export function createRenewalWindows(deps: RenewalWindowDeps) {
  const { db, providers, clock, observer } = deps;

  async function run(options: { signal?: AbortSignal } = {}): Promise<RenewalWindowSummary> {
    const summary = { checked: 0, opened: 0, renewed: 0, failed: 0 };
    const windowed = providers.enabled.filter((provider) => provider.renewalWindow);
    if (windowed.length === 0) return summary;
    const issued = await db
      .select()
      .from(orders)
      .where(
        and(
          eq(orders.status, "issued"),
          isNull(orders.renewedAt),
          inArray(
            orders.provider,
            windowed.map((provider) => provider.id),
          ),
        ),
      )
      .orderBy(asc(orders.notAfter), asc(orders.id));
    for (const found of issued) {
      options.signal?.throwIfAborted();
      const provider = providers.get(found.provider);
      const order = await refreshWindow(found, provider);
      summary.checked += 1;
      if (!order.renewalWindowStart || clock.now() < order.renewalWindowStart) continue;
      const outcome = await openWindow(order, provider);
      if (outcome !== "none") summary.opened += 1;
      if (outcome === "renewed") summary.renewed += 1;
      if (outcome === "failed") summary.failed += 1;
    }
    return summary;
  }

  /** The order with its window, asked of the CA again when due; two thirds of the lifetime without one. */
  async function refreshWindow(order: Order, provider: SslProvider): Promise<Order> {
    const now = clock.now();
    if (order.renewalWindowCheckAt && now < order.renewalWindowCheckAt) return order;
    if (!order.certificate || !order.notBefore || !order.notAfter || !order.providerOrderId) return order;
    let window: RenewalWindow | undefined;
    let failed = false;
    try {
      window = await provider.renewalWindow?.(order.providerOrderId, order.certificate);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      failed = true;
      deps.logger.warn(`${order.reference}: the CA's renewal window could not be read (${error.message}).`);
    }
    // A failed look keeps the window known so far and tries again in an hour.
    const known = failed && order.renewalWindowStart && order.renewalWindowEnd;
    const times = known
      ? { start: order.renewalWindowStart as Date, end: order.renewalWindowEnd as Date }
      : (window ?? lifetimeWindow(order.notBefore, order.notAfter));
    const updated = await updateOrder(
      db,
      order.id,
      {
        renewalWindowStart: times.start,
        renewalWindowEnd: times.end,
        renewalWindowUrl: known ? order.renewalWindowUrl : (window?.explanationUrl ?? null),
        renewalWindowCheckAt: failed
          ? new Date(now.getTime() + 3_600_000)
          : nextWindowCheck(now, window?.retryAfter),
      },
      now,
    );
    return updated ?? order;
  }

  /**
   * The window is open: claimed once per order (a unique index; replicas race safely), then the
   * renewal is placed (ACME_AUTO_RENEW) or the thread asks a person.
   */
  async function openWindow(
    order: Order,
    provider: SslProvider,
  ): Promise<"told" | "renewed" | "failed" | "none"> {
    if (await windowTold(order.id)) return "none";
    const live = await findLiveRenewal(db, order.id);
    const detail: Record<string, unknown> = {
      start: order.renewalWindowStart?.toISOString(),
      end: order.renewalWindowEnd?.toISOString(),
      // The CA's window, or two thirds of the lifetime when the CA gives none.
      source: fromLifetime(order) ? "lifetime" : "ca",
      ...(order.renewalWindowUrl ? { explanationUrl: order.renewalWindowUrl } : {}),
      automatic: false,
      ...(live ? { renewal: live.reference } : {}),
    };
    let outcome: "told" | "renewed" | "failed" = "told";
    if (provider.autoRenew && !live) {
      // Renewed first, told after: a crash in between leaves a live renewal (found above next
      // time) rather than a thread that says "renewing" with nothing renewing. The idempotency key
      // keeps it to one renewal per certificate.
      const failure = await renewAutomatically(order).catch((error: unknown) => {
        deps.logger.error(`The automatic renewal of ${order.reference} failed:`, error);
        return error instanceof Error ? error.message : String(error);
      });
      if (failure === undefined) {
        detail.automatic = true;
        outcome = "renewed";
      } else {
        // Told once, with the Renew button: a person takes over (no retry loop every poll).
        detail.failure = failure;
        outcome = "failed";
      }
    }
    const claimed = await db
      .insert(orderEvents)
      .values({ orderId: order.id, actor: "system", kind: "renewal_window_open", at: clock.now(), detail })
      .onConflictDoNothing()
      .returning({ id: orderEvents.id });
    if (claimed.length === 0) return "none";
    await observer.orderChanged(order, { kind: "renewal_window_open", actor: "system", detail });
    return outcome;
  }

  async function windowTold(orderId: number): Promise<boolean> {
    const [told] = await db
      .select({ id: orderEvents.id })
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.kind, "renewal_window_open")));
    return Boolean(told);
  }

  /**
   * The same certificate again as a renewal (a new key), placed at once: ACME certificates are free.
   * Undefined when it went to the CA (or waits for an approver under SSL_REQUIRE_APPROVAL=all); the
   * CA's refusal otherwise.
   */
  async function renewAutomatically(order: Order): Promise<string | undefined> {
    const { order: renewal, created } = await deps.orders.createOrder(
      renewalRequest(order, {
        periodMonths: order.periodMonths,
        serverTypeId: order.serverType,
        dcvMethod: order.dcvMethod as DcvMethod,
        contact: order.contact,
        requestedBy: "system",
        slackChannel: order.slackChannel ?? undefined,
        // One renewal per certificate, whichever replica or retry gets here.
        idempotencyKey: `auto-renew:${order.id}:${order.notAfter?.toISOString() ?? ""}`,
        keepKey: false,
      }),
    );
    if (!created || renewal.status !== "submitting") return undefined;
    const placed = await deps.orders.place(renewal.id, "system");
    return placed.kind === "failed" ? placed.message : undefined;
  }

  return { run, refreshWindow };
}

export type RenewalWindows = ReturnType<typeof createRenewalWindows>;

function fromLifetime(order: Order): boolean {
  if (!order.notBefore || !order.notAfter || !order.renewalWindowStart) return false;
  return (
    lifetimeWindow(order.notBefore, order.notAfter).start.getTime() === order.renewalWindowStart.getTime()
  );
}
