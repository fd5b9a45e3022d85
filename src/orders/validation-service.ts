import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { ProviderError } from "../providers/errors.js";
import type { ProviderRegistry } from "../providers/registry.js";
import { recordEvent } from "./events.js";
import type { OrderObserver } from "./order-service.js";
import { getOrder, type Order } from "./repository.js";

/**
 * What a person can do about a pending order's domain validation. Today: ask the provider to send
 * the approval e-mail again (Sectigo ResendDCVEmail, GoGetSSL resend_validation_email, the
 * sandbox). Each action is an event, so the order's thread says who did it.
 */

export type ResendOutcome =
  | { kind: "resent"; order: Order; email: string }
  /** Nothing to resend: why, in words for the person who asked. */
  | { kind: "not_applicable"; reason: string }
  | { kind: "provider_error"; order: Order; message: string };

export function createValidationService(deps: {
  db: Database;
  providers: ProviderRegistry;
  clock: Clock;
  observer: OrderObserver;
}) {
  const { db, providers, clock, observer } = deps;

  /** Why the approval e-mail of this order cannot be sent again, or undefined when it can. */
  function resendRefusal(order: Order): string | undefined {
    if (order.status !== "pending" || !order.providerOrderId) {
      return `${order.reference} is ${order.status.replace("_", " ")}: only an order waiting for validation has an approval e-mail to resend.`;
    }
    if (order.dcvMethod !== "email" || !order.approverEmail) {
      return `${order.reference} is validated by ${order.dcvMethod === "dns" ? "a DNS record" : "an HTTP file"}, not by e-mail: its thread and Details show what to publish.`;
    }
    if (!providers.has(order.provider) || !providers.get(order.provider).capabilities.resendApproval) {
      return `${providers.nameOf(order.provider)} cannot resend approval e-mails through certdesk.`;
    }
    return undefined;
  }

  async function resendApproval(orderId: number, actor: string): Promise<ResendOutcome> {
    const order = await getOrder(db, orderId);
    if (!order) return { kind: "not_applicable", reason: "That order no longer exists." };
    const refused = resendRefusal(order);
    if (refused || !order.providerOrderId || !order.approverEmail) {
      return { kind: "not_applicable", reason: refused ?? "" };
    }
    try {
      await providers.get(order.provider).resendApproval(order.providerOrderId);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      return { kind: "provider_error", order, message: error.message };
    }
    const detail = { email: order.approverEmail };
    await recordEvent(db, { orderId: order.id, actor, kind: "approval_resent", detail, at: clock.now() });
    await observer.orderChanged(order, { kind: "approval_resent", actor, detail });
    return { kind: "resent", order, email: order.approverEmail };
  }

  return { resendRefusal, resendApproval };
}

export type ValidationService = ReturnType<typeof createValidationService>;
