import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { certificateLabel, type RevocationReason } from "../domain/certificate.js";
import { ProviderError } from "../providers/errors.js";
import type { ProviderRegistry } from "../providers/registry.js";
import { currentCertificate, findOpenReissue, recordRevoked } from "./certificates.js";
import { recordEvent } from "./events.js";
import type { OrderObserver } from "./order-service.js";
import { getOrder, type Order, transitionOrder } from "./repository.js";

/**
 * Revoking an issued order's current certificate at its CA (ACME revokeCert, the sandbox): browsers
 * refuse it from then on, and it cannot be undone. The order becomes revoked (never polled again, no
 * expiry alerts; it can still be renewed), its certificate's row too, and the event says who did it
 * and why. Who may is the caller's to decide (commands/guard.ts: people named in SSL_APPROVERS).
 */

export type RevokeOutcome =
  | { kind: "revoked"; order: Order; certificate: number; reason: RevocationReason }
  /** Nothing to revoke: why, in words for the person who asked. */
  | { kind: "not_applicable"; reason: string }
  /** The provider refused or could not be reached: nothing changed. */
  | { kind: "refused"; order: Order; message: string };

export function createRevocationService(deps: {
  db: Database;
  providers: ProviderRegistry;
  clock: Clock;
  observer: OrderObserver;
}) {
  const { db, providers, clock, observer } = deps;

  /** Why this order's certificate cannot be revoked through certdesk now, or undefined when it can. */
  async function revokeRefusal(order: Order): Promise<string | undefined> {
    if (order.status !== "issued" || !order.providerOrderId || !order.certificate) {
      return `${order.reference} is ${order.status.replace("_", " ")}: only an issued certificate can be revoked.`;
    }
    if (!providers.has(order.provider)) {
      return `${providers.nameOf(order.provider)} is not enabled here (SSL_PROVIDERS), so certdesk cannot revoke ${order.reference}: revoke it in the provider's control panel.`;
    }
    const provider = providers.get(order.provider);
    if (!provider.capabilities.revoke || !provider.revoke) {
      return `${provider.displayName} cannot revoke certificates through certdesk: revoke ${order.reference} in its control panel.`;
    }
    // The reissue would settle on an order no longer polled: let it finish (or fail) first.
    const open = await findOpenReissue(db, order.id);
    if (open) {
      return `${certificateLabel(order.reference, open.number)} is on its way: revoke once it is issued or has failed.`;
    }
    return undefined;
  }

  /**
   * Asks the provider to revoke the order's current certificate, then records it. A provider's
   * refusal or absence is an outcome (nothing changed), never thrown.
   */
  async function revoke(orderId: number, actor: string, reason: RevocationReason): Promise<RevokeOutcome> {
    const order = await getOrder(db, orderId);
    if (!order) return { kind: "not_applicable", reason: "That order no longer exists." };
    const refused = await revokeRefusal(order);
    const provider = providers.has(order.provider) ? providers.get(order.provider) : undefined;
    if (refused || !provider?.revoke || !order.providerOrderId || !order.certificate) {
      return { kind: "not_applicable", reason: refused ?? "" };
    }
    // Read before the CA is asked: once it has revoked, only the recording is left to do.
    const certificate = await currentCertificate(db, order);
    if (!certificate) {
      return { kind: "not_applicable", reason: `${order.reference} has no issued certificate to revoke.` };
    }
    try {
      await provider.revoke({
        providerOrderId: order.providerOrderId,
        certificatePem: order.certificate,
        reason,
      });
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      return { kind: "refused", order, message: error.message };
    }
    const now = clock.now();
    const recorded = await recordRevoked(db, {
      order,
      certificate,
      transition: (tx) => transitionOrder(tx, order.id, ["issued"], "revoked", {}, now),
    });
    if (!recorded) {
      // Another revocation of the same order was recorded first: it says so in the thread.
      const current = (await getOrder(db, order.id)) ?? order;
      return {
        kind: "not_applicable",
        reason: `${order.reference} is ${current.status.replace("_", " ")} already.`,
      };
    }
    const detail = { reason, certificate: recorded.certificate.number };
    await recordEvent(db, { orderId: order.id, actor, kind: "revoked", detail, at: now });
    await observer.orderChanged(recorded.order, { kind: "revoked", actor, detail });
    return { kind: "revoked", order: recorded.order, certificate: recorded.certificate.number, reason };
  }

  return { revokeRefusal, revoke };
}

export type RevocationService = ReturnType<typeof createRevocationService>;
