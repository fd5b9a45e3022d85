import { eq } from "drizzle-orm";
import type { KeyAlgorithm } from "../certs/keys.js";
import type { Vault } from "../certs/vault.js";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { violates } from "../db/errors.js";
import { orders } from "../db/schema.js";
import { type ApprovalPolicy, approvalRequired } from "../domain/approval.js";
import type { DcvMethod } from "../domain/dcv.js";
import { moneyText, quote } from "../domain/money.js";
import type { ContactSnapshot, OrderField } from "../domain/order.js";
import { type Product, productKey } from "../domain/product.js";
import { ProviderError, ProviderInputError, ProviderOutcomeUnknownError } from "../providers/errors.js";
import type { ProviderRegistry } from "../providers/registry.js";
import type { PlaceOrderRequest, PlaceOrderResult } from "../providers/types.js";
import type { Catalogue } from "./catalogue.js";
import { type OrderEventKind, recordEvent } from "./events.js";
import { newKeyMaterial } from "./key-material.js";
import { type CheckedOrderRequest, checkOrderRequest } from "./order-request.js";
import { findLiveRenewal, getOrder, type Order, transitionOrder, updateOrder } from "./repository.js";

/** What a person asked for; everything a provider needs except the key pair. */
export interface OrderRequest {
  clientId: number;
  providerId: string;
  productId: string;
  periodMonths: number;
  serverTypeId: string;
  dcvMethod: DcvMethod;
  approverEmail?: string;
  primaryDomain: string;
  sans: string[];
  addonIds: string[];
  organisation: { name?: string; unit?: string; locality?: string; state?: string; country?: string };
  contact: ContactSnapshot;
  requestedBy: string;
  slackChannel?: string;
  /** One order per key: a retried or double-clicked submission finds the first one. */
  idempotencyKey: string;
  renewalOfId?: number;
  /** A renewal keeps the original's key and CSR; otherwise place() makes a new key pair. */
  keepKey?: boolean;
  /** The client's own PEM CSR: certdesk then makes and stores no key. */
  clientCsr?: string;
}

/** What a renewal may choose afresh; the rest is the renewed order's. */
export type RenewalChoices = Pick<
  OrderRequest,
  | "periodMonths"
  | "serverTypeId"
  | "dcvMethod"
  | "approverEmail"
  | "contact"
  | "requestedBy"
  | "slackChannel"
  | "idempotencyKey"
  | "keepKey"
  | "clientCsr"
>;

/** A renewal of `original`: the same client, provider, product, names, add-ons and organisation. */
export function renewalRequest(original: Order, choices: RenewalChoices): OrderRequest {
  return {
    clientId: original.clientId,
    providerId: original.provider,
    productId: original.productId,
    primaryDomain: original.primaryDomain,
    sans: original.sans,
    addonIds: original.addonIds,
    organisation: {
      name: original.organisation ?? undefined,
      unit: original.unit ?? undefined,
      locality: original.locality ?? undefined,
      state: original.state ?? undefined,
      country: original.country ?? undefined,
    },
    renewalOfId: original.id,
    ...choices,
  };
}

/** Told about every change so Slack (or anything else) can follow; the domain never imports Slack. */
export interface OrderObserver {
  orderChanged(
    order: Order,
    change: { kind: OrderEventKind; actor: string; detail: Record<string, unknown> },
  ): Promise<void>;
}

export class OrderRequestError extends Error {
  override name = "OrderRequestError";
  constructor(
    readonly field: OrderField,
    message: string,
  ) {
    super(message);
  }
}

export class OrderStateError extends Error {
  override name = "OrderStateError";
}

/** The order already has a renewal that is waiting, being placed, validating or issued. */
export class RenewalInProgressError extends OrderStateError {
  override name = "RenewalInProgressError";
  constructor(readonly renewal: Pick<Order, "id" | "reference" | "status">) {
    super(
      `It is already being renewed by ${renewal.reference} (${renewal.status.replace("_", " ")}): follow that one in its thread. ` +
        "A new renewal is possible only if that one is rejected or fails.",
    );
  }
}

const LIVE_RENEWAL_INDEX = "orders_one_live_renewal_idx";

/** Which refusal a request hears first when several rules refuse it. */
const FIELD_ORDER: OrderField[] = [
  "product",
  "domain",
  "sans",
  "period",
  "serverType",
  "addons",
  "dcvMethod",
  "approverEmail",
  "client",
  "country",
  "csr",
];

/** The requester tried to approve their own order: a second person must. */
export class SelfApprovalError extends OrderStateError {
  override name = "SelfApprovalError";
  constructor(
    readonly reference: string,
    what = "order",
  ) {
    super(`You requested this ${what}, so someone else must approve it.`);
  }
}

export type PlacementOutcome =
  | { kind: "placed"; order: Order }
  /**
   * The provider took the order (it is bought) but certdesk could not record that, even after
   * retrying: the order stays `submitting`, the provider's order id is in the error log, and nobody
   * may place it again.
   */
  | { kind: "placed_unrecorded"; order: Order; providerOrderId: string; providerName: string }
  | { kind: "failed"; order: Order; field: OrderField; message: string }
  | { kind: "unknown"; order: Order }
  | { kind: "not_placed"; order: Order };

/** Waits between retries; tests pass one that does not wait. */
export type Pause = (ms: number) => Promise<void>;
export const realPause: Pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Recording a placement is retried for about 15 s: a database restart or failover usually fits. */
const RECORD_RETRY_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000];

export interface OrderServiceDeps {
  db: Database;
  providers: ProviderRegistry;
  /** The product lists the forms showed: requests are checked against them. */
  catalogue: Pick<Catalogue, "snapshot">;
  vault: Vault;
  clock: Clock;
  observer: OrderObserver;
  /** Who must approve before placing (domain/approval.ts decides from the order's price). */
  approval: ApprovalPolicy;
  keyAlgorithm?: KeyAlgorithm;
  /** Only errors go here: a placement the provider took but certdesk could not record. */
  logger: { error(...message: unknown[]): void; warn(...message: unknown[]): void };
  pause?: Pause;
}

export function createOrderService(deps: OrderServiceDeps) {
  const { db, providers, vault, clock, observer } = deps;
  const pause = deps.pause ?? realPause;

  async function record(
    order: Order,
    kind: OrderEventKind,
    actor: string,
    detail: Record<string, unknown> = {},
  ) {
    await recordEvent(db, { orderId: order.id, actor, kind, detail, at: clock.now() });
    await observer.orderChanged(order, { kind, actor, detail });
  }

  /**
   * The request through the order rules against the catalogue as the person saw it (the product
   * list the form and the review showed); throws the first refusal as an OrderRequestError.
   */
  function checkRequest(
    request: Omit<OrderRequest, "contact" | "requestedBy" | "idempotencyKey">,
  ): CheckedOrderRequest {
    const result = checkOrderRequest(
      {
        clientId: request.clientId,
        productKey: productKey(request.providerId, request.productId),
        domain: request.primaryDomain,
        sans: request.sans,
        periodMonths: request.periodMonths,
        serverTypeId: request.serverTypeId,
        addonIds: request.addonIds,
        dcvMethod: request.dcvMethod,
        approverEmail: request.approverEmail,
        country: request.organisation.country,
        csr: request.clientCsr,
      },
      { catalogue: deps.catalogue.snapshot() },
    );
    if (result.ok) return result.value;
    const [field, message] = FIELD_ORDER.map((name) => [name, result.errors[name]] as const).find(
      ([, text]) => text !== undefined,
    ) ?? ["order", "The order could not be checked."];
    throw new OrderRequestError(field, message ?? "");
  }

  /**
   * Stores the order (once per idempotency key). `created` is false when the key was seen before:
   * the caller must then not place it again.
   */
  async function createOrder(request: OrderRequest): Promise<{ order: Order; created: boolean }> {
    const { product, clientCsr } = checkRequest(request);
    const now = clock.now();
    if (request.renewalOfId !== undefined) {
      // A resubmission of the same form is "already submitted", not "already being renewed".
      const [same] = await db.select().from(orders).where(eq(orders.idempotencyKey, request.idempotencyKey));
      if (same) return { order: same, created: false };
      await refuseSecondRenewal(request.renewalOfId);
    }
    let inserted: Order | undefined;
    try {
      [inserted] = await insertOrder(request, product, now, clientCsr);
    } catch (error) {
      if (request.renewalOfId !== undefined && violates(error, LIVE_RENEWAL_INDEX)) {
        await refuseSecondRenewal(request.renewalOfId);
      }
      throw error;
    }
    if (!inserted) {
      const [existing] = await db
        .select()
        .from(orders)
        .where(eq(orders.idempotencyKey, request.idempotencyKey));
      if (!existing) throw new OrderStateError("The order could not be stored; please try again.");
      return { order: existing, created: false };
    }
    if (request.renewalOfId && request.keepKey) await copyKeyMaterial(inserted, request.renewalOfId);
    await record(inserted, request.renewalOfId ? "renewal_requested" : "requested", request.requestedBy, {
      requireApproval: inserted.status === "awaiting_approval",
    });
    // The original's history and thread link to its renewal (Details lists them from these events).
    const original = request.renewalOfId ? await getOrder(db, request.renewalOfId) : undefined;
    if (original) {
      await record(original, "renewal_requested", request.requestedBy, {
        renewalId: inserted.id,
        renewal: inserted.reference,
      });
    }
    return { order: (await getOrder(db, inserted.id)) ?? inserted, created: true };
  }

  /** Throws RenewalInProgressError when `originalId` has a live renewal (see the partial unique index). */
  async function refuseSecondRenewal(originalId: number): Promise<void> {
    const live = await findLiveRenewal(db, originalId);
    if (live) throw new RenewalInProgressError(live);
  }

  function insertOrder(
    request: OrderRequest,
    product: Product,
    now: Date,
    clientCsr?: CheckedOrderRequest["clientCsr"],
  ) {
    return db
      .insert(orders)
      .values({
        clientId: request.clientId,
        provider: request.providerId,
        productId: product.id,
        productName: product.name,
        periodMonths: request.periodMonths,
        serverType: request.serverTypeId,
        dcvMethod: request.dcvMethod,
        approverEmail: request.dcvMethod === "email" ? request.approverEmail : null,
        primaryDomain: request.primaryDomain,
        sans: request.sans,
        addonIds: request.addonIds,
        organisation: request.organisation.name,
        unit: request.organisation.unit,
        locality: request.organisation.locality,
        state: request.organisation.state,
        country: request.organisation.country,
        contact: request.contact,
        status: approvalRequired(deps.approval, Boolean(product.free)) ? "awaiting_approval" : "submitting",
        requestedBy: request.requestedBy,
        slackChannel: request.slackChannel,
        idempotencyKey: request.idempotencyKey,
        renewalOfId: request.renewalOfId,
        quotedPrice: priceOf(product, request),
        ...(clientCsr ? { csr: clientCsr.pem, keyAlgorithm: clientCsr.keyAlgorithm } : {}),
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: orders.idempotencyKey })
      .returning();
  }

  /** A renewal that keeps the key reuses the original's CSR and (encrypted) key. */
  async function copyKeyMaterial(order: Order, originalId: number): Promise<void> {
    const original = await getOrder(db, originalId);
    if (!original?.csr) return;
    await updateOrder(
      db,
      order.id,
      {
        csr: original.csr,
        encryptedPrivateKey: original.encryptedPrivateKey,
        keyAlgorithm: original.keyAlgorithm,
      },
      clock.now(),
    );
  }

  async function approve(orderId: number, approverId: string): Promise<Order> {
    const order = await getOrder(db, orderId);
    if (!order) throw new OrderStateError("That order no longer exists.");
    if (order.requestedBy === approverId) {
      await record(order, "approval_refused", approverId, { action: "approve", reason: "self-approval" });
      throw new SelfApprovalError(order.reference);
    }
    const approved = await transitionOrder(
      db,
      orderId,
      ["awaiting_approval"],
      "submitting",
      { approvedBy: approverId },
      clock.now(),
    );
    if (!approved) throw new OrderStateError(alreadyDecided((await getOrder(db, orderId)) ?? order));
    await record(approved, "approved", approverId);
    return approved;
  }

  /**
   * A refused approval, rejection or key request: in the order's history, and told where the order is followed.
   * Undefined when there is no such order (a tampered button).
   */
  async function refused(
    orderId: number,
    actor: string,
    detail: { action: "approve" | "reject" | "key_delivery"; reason: string },
  ): Promise<Order | undefined> {
    const order = await getOrder(db, orderId);
    if (order) await record(order, "approval_refused", actor, detail);
    return order;
  }

  async function reject(orderId: number, userId: string, reason: string): Promise<Order> {
    const order = await getOrder(db, orderId);
    if (!order) throw new OrderStateError("That order no longer exists.");
    const rejected = await transitionOrder(
      db,
      orderId,
      ["awaiting_approval"],
      "rejected",
      { approvedBy: userId, failureReason: reason },
      clock.now(),
    );
    if (!rejected) throw new OrderStateError(alreadyDecided((await getOrder(db, orderId)) ?? order));
    await record(rejected, "rejected", userId, { reason });
    return rejected;
  }

  /**
   * Sends a `submitting` order to its provider: key pair and CSR (unless reused), approver address
   * re-checked against a fresh list (Sectigo accepts only lists fetched in the last 24 hours), then
   * the placement. Only the caller that moved the order into `submitting` may call this.
   */
  async function place(orderId: number, actor: string): Promise<PlacementOutcome> {
    let order = await getOrder(db, orderId);
    if (!order) throw new OrderStateError("That order no longer exists.");
    if (order.status !== "submitting" || order.providerOrderId) return { kind: "not_placed", order };
    const provider = providers.get(order.provider);
    try {
      // After an approval the lists may have changed: the same rules again, where the lists are there
      // (a provider whose list cannot be loaded now is left to refuse the order itself).
      if (
        deps.catalogue.snapshot().find((entry) => entry.provider.id === order?.provider)?.state === "ready"
      ) {
        checkRequest({
          clientId: order.clientId,
          providerId: order.provider,
          productId: order.productId,
          periodMonths: order.periodMonths,
          serverTypeId: order.serverType,
          dcvMethod: order.dcvMethod as DcvMethod,
          approverEmail: order.approverEmail ?? undefined,
          primaryDomain: order.primaryDomain,
          sans: order.sans,
          addonIds: order.addonIds,
          organisation: { country: order.country ?? undefined },
        });
      }
      order = await ensureKeyMaterial(order);
      if (order.dcvMethod === "email" && order.approverEmail) {
        const fresh = await provider.getApproverEmails(order.primaryDomain);
        if (!fresh.includes(order.approverEmail)) {
          throw new OrderRequestError(
            "approverEmail",
            `${order.approverEmail} is no longer an approver address for ${order.primaryDomain}: choose one from the refreshed list.`,
          );
        }
      }
      const request = toPlaceRequest(order);
      const original = order.renewalOfId ? await getOrder(db, order.renewalOfId) : undefined;
      const result =
        original?.providerOrderId && original.provider === order.provider && provider.capabilities.renew
          ? await provider.renew({ ...request, previousProviderOrderId: original.providerOrderId })
          : await provider.placeOrder(request);
      // From here on the order exists at the provider and has been paid for: no failure may read as
      // "nothing happened", or a retry would buy it twice.
      return await recordPlacement(order, actor, result);
    } catch (error) {
      return handlePlacementError(order, actor, error);
    }
  }

  /** Stores what the provider answered, retrying through a database outage; never throws. */
  async function recordPlacement(
    order: Order,
    actor: string,
    result: PlaceOrderResult,
  ): Promise<PlacementOutcome> {
    const providerName = providers.get(order.provider).displayName;
    const patch = {
      providerOrderId: result.providerOrderId,
      dcvInstructions: result.dcv,
      cost: result.cost ? moneyText(result.cost) : null,
    };
    let placed: Order | undefined;
    let recorded = false;
    let lastError: unknown;
    for (const delay of [0, ...RECORD_RETRY_DELAYS_MS]) {
      if (delay > 0) await pause(delay);
      try {
        if (!placed) {
          placed = await transitionOrder(db, order.id, ["submitting"], "pending", patch, clock.now());
          // A move that committed while its answer was lost shows in the order itself.
          const current = placed ?? (await getOrder(db, order.id));
          if (current?.providerOrderId === result.providerOrderId) placed = current;
          // Nothing else moves a `submitting` order that has no provider order id yet; should it
          // happen, the provider's order id must still reach a person.
          if (!placed) throw new OrderStateError(`${order.reference} changed while it was being placed.`);
        }
        if (!recorded) {
          await recordEvent(db, {
            orderId: order.id,
            actor,
            kind: "submitted",
            detail: { providerOrderId: result.providerOrderId },
            at: clock.now(),
          });
          recorded = true;
        }
        await observer.orderChanged(placed, {
          kind: "submitted",
          actor,
          detail: { providerOrderId: result.providerOrderId },
        });
        return { kind: "placed", order: placed };
      } catch (error) {
        if (error instanceof OrderStateError) {
          lastError = error;
          break;
        }
        lastError = error;
        deps.logger.warn(
          `${order.reference} was placed with ${providerName} (order ${result.providerOrderId}) but could not be recorded yet; retrying:`,
          error,
        );
      }
    }
    if (placed) return { kind: "placed", order: placed };
    deps.logger.error(
      `${order.reference} WAS PLACED with ${providerName} as order ${result.providerOrderId}, but certdesk could not ` +
        "record it and it stays submitting: do not place it again; record the provider's order id by hand once the database is back.",
      lastError,
    );
    return { kind: "placed_unrecorded", order, providerOrderId: result.providerOrderId, providerName };
  }

  /**
   * A person's answer for an order stuck in `submitting` (sent, no order number back, so certdesk
   * cannot look it up): it was placed, as the provider's order `providerOrderId` (followed from now
   * on like any order), or it was not (it ends `failed` and may be ordered again).
   */
  async function resolveStuck(
    orderId: number,
    actor: string,
    resolution: { placed: true; providerOrderId: string } | { placed: false },
  ): Promise<Order> {
    const order = await getOrder(db, orderId);
    if (!order) throw new OrderStateError("That order no longer exists.");
    const stuck = () =>
      new OrderStateError(`${order.reference} is no longer waiting for an answer (it is ${order.status}).`);
    if (order.status !== "submitting" || order.providerOrderId) throw stuck();
    const now = clock.now();
    if (resolution.placed) {
      const placed = await transitionOrder(
        db,
        order.id,
        ["submitting"],
        "pending",
        { providerOrderId: resolution.providerOrderId },
        now,
      );
      if (!placed) throw stuck();
      await record(placed, "submitted", actor, {
        providerOrderId: resolution.providerOrderId,
        recordedByHand: true,
      });
      return placed;
    }
    // The order's history names who; the reason is shown escaped, so it holds no mention.
    const message = "Not placed: someone checked the provider's control panel and found no such order.";
    const failed = await transitionOrder(
      db,
      order.id,
      ["submitting"],
      "failed",
      { failureReason: message },
      now,
    );
    if (!failed) throw stuck();
    await record(failed, "submission_failed", actor, { field: "order", message, resolvedByHand: true });
    return failed;
  }

  async function handlePlacementError(
    order: Order,
    actor: string,
    error: unknown,
  ): Promise<PlacementOutcome> {
    if (error instanceof ProviderOutcomeUnknownError) {
      // It may be placed: a database failure now must not turn into "nothing changed".
      await record(order, "submission_unknown", actor, providerDetail(error)).catch((failure: unknown) =>
        deps.logger.error(
          `${order.reference} was sent to ${order.provider} with no answer, and that could not be recorded; ` +
            "it stays submitting and must not be placed again:",
          failure,
        ),
      );
      return { kind: "unknown", order };
    }
    if (!(error instanceof ProviderError) && !(error instanceof OrderRequestError)) throw error;
    const field: OrderField =
      error instanceof ProviderInputError || error instanceof OrderRequestError ? error.field : "order";
    const failed = await transitionOrder(
      db,
      order.id,
      ["submitting"],
      "failed",
      { failureReason: error.message },
      clock.now(),
    );
    const current = failed ?? order;
    await record(current, "submission_failed", actor, {
      field,
      message: error.message,
      ...providerDetail(error),
    });
    return { kind: "failed", order: current, field, message: error.message };
  }

  async function ensureKeyMaterial(order: Order): Promise<Order> {
    // Ours (with its key) or the client's (the key stays with the client): either way, nothing to make.
    if (order.csr) return order;
    const material = await newKeyMaterial(
      vault,
      order,
      [order.primaryDomain, ...order.sans],
      deps.keyAlgorithm ?? "rsa-2048",
    );
    const updated = await updateOrder(db, order.id, material, clock.now());
    return updated ?? order;
  }

  /**
   * Certificate files leaving for a person. The audit row is written before `send` runs, so a key
   * never leaves unrecorded, and a failed send is recorded too. Once a key was sent the observer
   * hears it (the thread says who received it); files without a key are recorded quietly.
   */
  async function deliverFiles(
    order: Order,
    actor: string,
    delivery: { files: string[]; includesKey: boolean; pfx: boolean; pfxFormat?: string },
    send: () => Promise<void>,
  ): Promise<void> {
    const { files, includesKey } = delivery;
    const kind = includesKey ? "key_delivered" : "files_delivered";
    const detail = includesKey
      ? {
          files,
          pfx: delivery.pfx,
          ...(delivery.pfxFormat ? { pfxFormat: delivery.pfxFormat } : {}),
          channel: "direct message",
        }
      : { files };
    await recordEvent(db, { orderId: order.id, actor, kind, detail, at: clock.now() });
    try {
      await send();
    } catch (error) {
      if (includesKey) {
        await recordEvent(db, {
          orderId: order.id,
          actor,
          kind: "key_delivery_failed",
          detail: { files },
          at: clock.now(),
        }).catch(() => undefined);
      }
      throw error;
    }
    if (includesKey) await observer.orderChanged(order, { kind, actor, detail });
  }

  return { createOrder, approve, reject, refused, place, resolveStuck, deliverFiles };
}

export type OrderService = ReturnType<typeof createOrderService>;

/** The list price the person was shown before buying, stored with the order. */
function priceOf(
  product: Product,
  request: Pick<OrderRequest, "periodMonths" | "addonIds" | "sans">,
): string | null {
  const price = quote(product, {
    periodMonths: request.periodMonths,
    addonIds: request.addonIds,
    additionalDomains: request.sans.length,
  });
  return price ? moneyText(price) : null;
}

function toPlaceRequest(order: Order): PlaceOrderRequest {
  return {
    reference: order.reference,
    productId: order.productId,
    periodMonths: order.periodMonths,
    serverTypeId: order.serverType,
    csrPem: order.csr ?? "",
    commonName: order.primaryDomain,
    sans: order.sans,
    dcvMethod: order.dcvMethod as DcvMethod,
    approverEmail: order.approverEmail ?? undefined,
    addonIds: order.addonIds,
    organisation: {
      name: order.organisation ?? undefined,
      unit: order.unit ?? undefined,
      city: order.locality ?? undefined,
      state: order.state ?? undefined,
      country: order.country ?? undefined,
    },
    contact: order.contact,
  };
}

function providerDetail(error: unknown): Record<string, unknown> {
  if (!(error instanceof ProviderError)) return {};
  return {
    provider: error.provider,
    providerCode: error.providerCode,
    providerMessage: error.providerMessage,
  };
}

/** Why a decision did not apply, from the order as it is now (read after the lost race, not before). */
function alreadyDecided(order: Order): string {
  if (order.status === "rejected") return `${order.reference} was already rejected.`;
  if (order.status === "awaiting_approval")
    return `${order.reference} could not be updated; please try again.`;
  return `${order.reference} was already approved.`;
}
