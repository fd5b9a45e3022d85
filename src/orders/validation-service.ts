import type { ReadinessChecker } from "../checks/readiness-checker.js";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import type { DcvInstruction, DcvMethod } from "../domain/dcv.js";
import type { OrderField } from "../domain/order.js";
import { findProduct, productKey } from "../domain/product.js";
import type { Finding, ReadinessTarget } from "../domain/readiness.js";
import { ProviderError, ProviderInputError } from "../providers/errors.js";
import type { ProviderRegistry } from "../providers/registry.js";
import type { Catalogue } from "./catalogue.js";
import { claimStuckNotice, listStuckUntold } from "./domain-validations.js";
import { recordEvent } from "./events.js";
import { listPendingAt } from "./order-queries.js";
import type { OrderObserver } from "./order-service.js";
import { getOrder, type Order, updateOrder } from "./repository.js";

/**
 * What a person can do about a pending order's domain validation: ask the provider to send the
 * approval e-mail again (Sectigo ResendDCVEmail, GoGetSSL resend_validation_email, the sandbox), or
 * change how the order is validated (method, approver address). Each action is an event, so the
 * order's thread says who did it.
 */

export type ResendOutcome =
  | { kind: "resent"; order: Order; email: string }
  /** Nothing to resend: why, in words for the person who asked. */
  | { kind: "not_applicable"; reason: string }
  | { kind: "provider_error"; order: Order; message: string };

export type ChangeOutcome =
  | { kind: "changed"; order: Order }
  | { kind: "not_applicable"; reason: string }
  /** The provider refused the change (`field` says which input) or could not be reached. */
  | { kind: "refused"; order: Order; field: OrderField; message: string };

/**
 * Whether the CA was asked to check again after "Will it issue?": asked; not asked because the
 * check found a problem (fix it first); or the provider refused (its words).
 */
export type Recheck =
  | { asked: true }
  | { asked: false; reason: "problems" }
  /**
   * A CA that validates only when asked (ACME) is asked only once the check saw each record or file
   * as it must be: here it did not (a look-up timed out, the file did not answer). Nothing failed.
   */
  | { asked: false; reason: "unconfirmed" }
  | { asked: false; error: string };

export type CheckOutcome =
  | { kind: "checked"; order: Order; findings: Finding[]; recheck?: Recheck }
  | { kind: "not_applicable"; reason: string };

/** The domain's DNS record or HTTP file was seen exactly as the CA will look for it. */
function seenInPlace(domain: string, findings: Finding[]): boolean {
  const mine = findings.filter((finding) => finding.domain === domain);
  return mine.some(
    (finding) =>
      (finding.check === "dns_record" || finding.check === "http_file") && finding.severity === "ok",
  );
}

export function createValidationService(deps: {
  db: Database;
  providers: ProviderRegistry;
  clock: Clock;
  observer: OrderObserver;
  /** "Will it issue?": DNS and HTTP looked at from outside (src/checks). */
  checker: ReadinessChecker;
  /** The product lists, for a product's own CA names (a reseller of several CAs). */
  catalogue: Pick<Catalogue, "snapshot">;
  logger?: { warn(...message: unknown[]): void };
}) {
  const { db, providers, clock, observer, checker } = deps;

  /** The CAA names of the CA that issues `productId`: the product's own, else its provider's. */
  function caIdentifiersFor(providerId: string, productId: string): string[] {
    const found = findProduct(deps.catalogue.snapshot(), productKey(providerId, productId));
    if (found?.product.caIdentifiers) return found.product.caIdentifiers;
    return providers.has(providerId) ? providers.get(providerId).capabilities.caIdentifiers : [];
  }

  /** Each domain of a placed order with the method and instruction the provider gave it. */
  function targetsOf(order: Order): ReadinessTarget[] {
    const caIdentifiers = caIdentifiersFor(order.provider, order.productId);
    const instructions = order.dcvInstructions ?? [];
    return [order.primaryDomain, ...order.sans].map((domain) => {
      const instruction = instructions.find((candidate) => candidate.domain === domain);
      const method = instruction?.method ?? (order.dcvMethod as DcvMethod);
      const approverEmail =
        method === "email" ? (instruction?.email ?? order.approverEmail ?? undefined) : undefined;
      return { domain, method, caIdentifiers, instruction, approverEmail };
    });
  }

  /**
   * The order form's check, before anything is bought: can the CA behind `productId` issue for
   * these domains (CAA, the names resolve; MX for an approver address)? Advice, never a refusal.
   */
  function checkBeforeOrder(args: {
    providerId: string;
    productId: string;
    domains: string[];
    method: DcvMethod;
    approverEmail?: string;
  }): Promise<Finding[]> {
    const caIdentifiers = caIdentifiersFor(args.providerId, args.productId);
    return checker.check(
      args.domains.map((domain) => ({
        domain,
        method: args.method,
        caIdentifiers,
        approverEmail: args.method === "email" ? args.approverEmail : undefined,
      })),
    );
  }

  /** Why "Will it issue?" does not apply to this order, or undefined when it does. */
  function checkRefusal(order: Order): string | undefined {
    if (order.status !== "pending" || !order.providerOrderId) {
      return `${order.reference} is ${order.status.replace("_", " ")}: the check is for an order waiting for validation.`;
    }
    return undefined;
  }

  /** "Will it issue?" on a pending order, on demand: the findings, told in the order's thread. */
  async function checkOrder(orderId: number, actor: string): Promise<CheckOutcome> {
    const order = await getOrder(db, orderId);
    if (!order) return { kind: "not_applicable", reason: "That order no longer exists." };
    const refused = checkRefusal(order);
    if (refused) return { kind: "not_applicable", reason: refused };
    const targets = targetsOf(order);
    const findings = await checker.check(targets);
    const recheck = await askToRecheck(order, targets, findings);
    const detail = { findings, ...(recheck ? { recheck } : {}) };
    await recordEvent(db, { orderId: order.id, actor, kind: "validation_checked", detail, at: clock.now() });
    await observer.orderChanged(order, { kind: "validation_checked", actor, detail });
    return { kind: "checked", order, findings, ...(recheck ? { recheck } : {}) };
  }

  /**
   * Where the provider can be asked to look again now (GoGetSSL revalidate): asked for the DNS- and
   * HTTP-validated domains once certdesk's own check finds nothing that would fail them; undefined
   * where there is nothing to ask (no such call, or e-mail only: the approver's click is awaited).
   */
  async function askToRecheck(
    order: Order,
    targets: ReadinessTarget[],
    findings: Finding[],
  ): Promise<Recheck | undefined> {
    if (!providers.has(order.provider)) return undefined;
    const provider = providers.get(order.provider);
    const domains = targets
      .filter((target) => target.method !== "email")
      .map((target) => ({ domain: target.domain, method: target.method }));
    if (!provider.capabilities.recheckValidation || !provider.recheckValidation || domains.length === 0) {
      return undefined;
    }
    if (findings.some((finding) => finding.severity === "problem"))
      return { asked: false, reason: "problems" };
    // An ACME challenge is answered once: a record not yet seen (a resolver down, a slow web server)
    // would fail the order for good, so the CA is asked only when every record was seen in place.
    const published = targets.filter((target) => target.method !== "email" && target.instruction);
    if (
      provider.capabilities.validatesWhenAsked &&
      !published.every((target) => seenInPlace(target.domain, findings))
    ) {
      return { asked: false, reason: "unconfirmed" };
    }
    try {
      await provider.recheckValidation({
        providerOrderId: order.providerOrderId ?? "",
        reference: order.reference,
        csrPem: order.csr ?? "",
        domains,
      });
      return { asked: true };
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      return { asked: false, error: error.message };
    }
  }

  /**
   * Orders waiting for validation longer than `hours` get one thread post with what the check
   * finds (and the validation buttons). The claim is an insert a unique index lets happen once per
   * order, so replicas running this together still post once. Returns the orders told.
   */
  async function noticeStuck(args: { hours: number; signal?: AbortSignal }): Promise<Order[]> {
    const now = clock.now();
    const told: Order[] = [];
    for (const order of await listStuckUntold(db, new Date(now.getTime() - args.hours * 3_600_000))) {
      args.signal?.throwIfAborted();
      const findings = await checker.check(targetsOf(order));
      const detail = { hours: args.hours, findings };
      if (!(await claimStuckNotice(db, { orderId: order.id, at: now, detail }))) continue;
      await observer.orderChanged(order, { kind: "validation_stuck", actor: "system", detail });
      told.push(order);
    }
    return told;
  }

  /**
   * For CAs that validate only when asked (ACME: a challenge is answered once, and fails for good if
   * the record is missing): each pending order whose check finds nothing in the way is asked to
   * validate, so a record published without a click still issues. Quiet: what the CA then decides
   * reaches the thread with the order's status. Returns the orders asked.
   */
  async function askWhereReady(args: { signal?: AbortSignal } = {}): Promise<Order[]> {
    const asking = providers.enabled
      .filter((provider) => provider.capabilities.validatesWhenAsked)
      .map((provider) => provider.id);
    const asked: Order[] = [];
    for (const order of await listPendingAt(db, asking)) {
      args.signal?.throwIfAborted();
      try {
        const targets = targetsOf(order);
        const recheck = await askToRecheck(order, targets, await checker.check(targets));
        if (recheck?.asked) asked.push(order);
      } catch (error) {
        // One order's trouble (its provider's database row, say) never holds up the poll.
        if (error instanceof Error && error.name === "AbortError") throw error;
        deps.logger?.warn(`${order.reference}: could not ask the CA to validate:`, error);
      }
    }
    return asked;
  }

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

  /** Why this order's validation cannot be changed, or undefined when it can. */
  function changeRefusal(order: Order): string | undefined {
    if (order.status !== "pending" || !order.providerOrderId || !order.csr) {
      return `${order.reference} is ${order.status.replace("_", " ")}: only an order waiting for validation can change how it is validated.`;
    }
    if (!providers.has(order.provider) || !providers.get(order.provider).capabilities.changeValidation) {
      return `${providers.nameOf(order.provider)} cannot change the validation of an order through certdesk.`;
    }
    return undefined;
  }

  /**
   * The pending order's `domains` (default: all of them) validated from now on by `method` (and,
   * for e-mail, at `approverEmail`); the other domains keep theirs. The provider is told, the order
   * keeps each domain's instruction (its `dcvMethod` is its primary domain's), and the thread shows
   * what to do now. Free, so a failure is simply told: try again.
   */
  async function changeValidation(
    orderId: number,
    actor: string,
    change: { method: DcvMethod; approverEmail?: string; domains?: string[] },
  ): Promise<ChangeOutcome> {
    const order = await getOrder(db, orderId);
    if (!order) return { kind: "not_applicable", reason: "That order no longer exists." };
    const refused = changeRefusal(order);
    if (refused || !order.providerOrderId || !order.csr)
      return { kind: "not_applicable", reason: refused ?? "" };
    if (change.method === "email" && !change.approverEmail) {
      return {
        kind: "refused",
        order,
        field: "approverEmail",
        message: "Enter the approver address for e-mail validation.",
      };
    }
    const all = [order.primaryDomain, ...order.sans];
    const domains = change.domains ? all.filter((domain) => change.domains?.includes(domain)) : all;
    if (domains.length === 0) {
      return { kind: "refused", order, field: "domain", message: "Choose at least one domain of the order." };
    }
    const provider = providers.get(order.provider);
    if (domains.length < all.length && !provider.capabilities.changeValidationPerDomain) {
      return {
        kind: "refused",
        order,
        field: "domain",
        message: `${provider.displayName} validates every domain of an order the same way: change all of them.`,
      };
    }
    let instructions: DcvInstruction[];
    try {
      instructions = await provider.changeValidation({
        providerOrderId: order.providerOrderId,
        reference: order.reference,
        csrPem: order.csr,
        domains: domains.map((domain) => ({
          domain,
          method: change.method,
          ...(change.method === "email" ? { approverEmail: change.approverEmail } : {}),
        })),
      });
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      const field: OrderField = error instanceof ProviderInputError ? error.field : "order";
      return { kind: "refused", order, field, message: error.message };
    }
    const now = clock.now();
    // The domains not changed keep their instructions; the order's method is its primary domain's.
    const kept = (order.dcvInstructions ?? []).filter((instruction) => !domains.includes(instruction.domain));
    const primaryChanged = domains.includes(order.primaryDomain);
    const updated =
      (await updateOrder(
        db,
        order.id,
        {
          ...(primaryChanged
            ? {
                dcvMethod: change.method,
                approverEmail: change.method === "email" ? (change.approverEmail ?? null) : null,
              }
            : {}),
          dcvInstructions: all.flatMap(
            (domain) => [...instructions, ...kept].find((instruction) => instruction.domain === domain) ?? [],
          ),
        },
        now,
      )) ?? order;
    const detail = {
      from: order.dcvMethod,
      to: change.method,
      email: change.method === "email" ? (change.approverEmail ?? null) : null,
      dcv: instructions,
      // Only when some domains kept their validation: the thread names the ones that changed.
      ...(domains.length < all.length ? { domains } : {}),
    };
    await recordEvent(db, { orderId: order.id, actor, kind: "validation_changed", detail, at: now });
    await observer.orderChanged(updated, { kind: "validation_changed", actor, detail });
    return { kind: "changed", order: updated };
  }

  return {
    resendRefusal,
    resendApproval,
    changeRefusal,
    changeValidation,
    checkBeforeOrder,
    checkRefusal,
    checkOrder,
    noticeStuck,
    askWhereReady,
  };
}

export type ValidationService = ReturnType<typeof createValidationService>;
