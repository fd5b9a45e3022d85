import { isBefore } from "date-fns/isBefore";
import { checkClientCsr } from "../certs/csr-check.js";
import { KEY_ALGORITHMS, type KeyAlgorithm } from "../certs/keys.js";
import type { Vault } from "../certs/vault.js";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { certificateLabel } from "../domain/certificate.js";
import type { DcvMethod } from "../domain/dcv.js";
import { displayDomain } from "../domain/names.js";
import type { OrderField } from "../domain/order.js";
import { productKey } from "../domain/product.js";
import { ProviderError, ProviderInputError } from "../providers/errors.js";
import type { ProviderRegistry } from "../providers/registry.js";
import type { Catalogue } from "./catalogue.js";
import {
  type Certificate,
  findCertificateByKey,
  findOpenReissue,
  getCertificate,
  insertReissue,
  transitionCertificate,
} from "./certificates.js";
import { type OrderEventKind, recordEvent } from "./events.js";
import { csrForOrder, newKeyMaterial } from "./key-material.js";
import { checkOrderRequest } from "./order-request.js";
import {
  type OrderObserver,
  OrderRequestError,
  OrderStateError,
  SelfApprovalError,
} from "./order-service.js";
import { getOrder, type Order } from "./repository.js";

/**
 * Reissue: a new certificate inside the order's subscription, free. The order stays issued (its
 * current certificate valid) while the reissue is sent and validated; the status service settles it
 * when the provider issues it. The key is new (the default), the current one, or the client's own
 * CSR (then certdesk keeps no key).
 */

export type ReissueKey =
  | { kind: "new"; algorithm: KeyAlgorithm }
  | { kind: "current" }
  | { kind: "csr"; csrPem: string };

export interface ReissueInput {
  orderId: number;
  requestedBy: string;
  key: ReissueKey;
  /** Additional domains (multi-domain products); the primary domain stays the order's. */
  sans: string[];
  dcvMethod: DcvMethod;
  approverEmail?: string;
  /** One reissue per form submission: a retry or double click finds the first. */
  idempotencyKey: string;
}

/** The order has a reissue waiting, being sent or validating. */
export class ReissueInProgressError extends OrderStateError {
  override name = "ReissueInProgressError";
  constructor(readonly label: string) {
    super(`${label} is already on its way: follow it in the order's thread.`);
  }
}

export type ReissueOutcome =
  | { kind: "awaiting_approval"; certificate: Certificate; order: Order }
  | { kind: "pending"; certificate: Certificate; order: Order }
  | { kind: "failed"; certificate: Certificate; order: Order; field: OrderField; message: string }
  /** Someone else is sending it, or it was sent already. */
  | { kind: "not_placed"; certificate: Certificate; order: Order };

/** A reissue `submitting` for this long was cut off (key generation and the call take seconds). */
const INTERRUPTED_MS = 10 * 60_000;

export interface ReissueServiceDeps {
  db: Database;
  providers: ProviderRegistry;
  catalogue: Pick<Catalogue, "snapshot">;
  vault: Vault;
  clock: Clock;
  observer: OrderObserver;
  /** SSL_REQUIRE_APPROVAL=all: a reissue waits for an approver. */
  requireApproval: boolean;
}

export function createReissueService(deps: ReissueServiceDeps) {
  const { db, providers, vault, clock, observer } = deps;

  async function record(order: Order, kind: OrderEventKind, actor: string, detail: Record<string, unknown>) {
    await recordEvent(db, { orderId: order.id, actor, kind, detail, at: clock.now() });
    await observer.orderChanged(order, { kind, actor, detail });
  }

  /**
   * Why this order cannot be reissued now, or undefined: the buttons, the command and the form ask
   * before anything is typed.
   */
  async function refusal(order: Order): Promise<string | undefined> {
    if (order.status !== "issued") {
      return `${order.reference} is ${order.status.replace("_", " ")}: only an issued certificate can be reissued.`;
    }
    if (!providers.has(order.provider) || !providers.get(order.provider).capabilities.reissue) {
      return `${providers.nameOf(order.provider)} does not reissue through certdesk: renew ${order.reference} instead.`;
    }
    if (order.coverageEndsAt && !isBefore(clock.now(), order.coverageEndsAt)) {
      return `${order.reference}'s subscription has ended: renew it instead (a new purchase).`;
    }
    const open = await findOpenReissue(db, order.id);
    if (open && !(await interrupted(order, open))) {
      return new ReissueInProgressError(certificateLabel(order.reference, open.number)).message;
    }
    return undefined;
  }

  /**
   * A reissue still `submitting` long after it was asked for was cut off (a crash, a failure while
   * its key was made) before the provider answered: it is failed, said in the thread, so it no
   * longer blocks the next one. If the provider did take it, the status check still finds its
   * certificate by its CSR (certificates.ts findReissueToSettle).
   */
  async function interrupted(order: Order, open: Certificate): Promise<boolean> {
    if (open.status !== "submitting" || clock.now().getTime() - open.createdAt.getTime() < INTERRUPTED_MS) {
      return false;
    }
    const reason = "It was interrupted before the provider confirmed it.";
    const failed = await transitionCertificate(db, open.id, ["submitting"], {
      status: "failed",
      failureReason: reason,
    });
    if (failed) await record(order, "reissue_failed", "system", { certificate: failed.number, reason });
    return true;
  }

  /** The domains and validation against the product's rules (the same rules as an order). */
  function checkRequest(order: Order, input: ReissueInput) {
    const catalogue = deps.catalogue.snapshot();
    const listed = catalogue.find((entry) => entry.provider.id === order.provider)?.state === "ready";
    if (!listed) {
      return { sans: input.sans, dcvMethod: input.dcvMethod, approverEmail: input.approverEmail };
    }
    const result = checkOrderRequest(
      {
        clientId: order.clientId,
        productKey: productKey(order.provider, order.productId),
        domain: order.primaryDomain,
        sans: input.sans,
        periodMonths: order.periodMonths,
        serverTypeId: order.serverType,
        addonIds: [],
        dcvMethod: input.dcvMethod,
        approverEmail: input.approverEmail,
        country: order.country ?? undefined,
      },
      { catalogue },
    );
    if (!result.ok) {
      const [field, message] = Object.entries(result.errors)[0] ?? [
        "order",
        "The reissue could not be checked.",
      ];
      throw new OrderRequestError(field as OrderField, message ?? "");
    }
    const { sans, dcvMethod, approverEmail } = result.value;
    return { sans, dcvMethod, approverEmail };
  }

  /**
   * Stores the reissue as the order's next certificate (once per idempotency key). A pasted CSR is
   * checked here; a new key is made when it is sent (place), after the form was answered.
   */
  async function requestReissue(
    input: ReissueInput,
  ): Promise<{ order: Order; certificate: Certificate; created: boolean }> {
    const order = await getOrder(db, input.orderId);
    if (!order) throw new OrderStateError("That order no longer exists.");
    const same = await findCertificateByKey(db, input.idempotencyKey);
    if (same) return { order, certificate: same, created: false };
    const refused = await refusal(order);
    if (refused) {
      // The open reissue may be this very form's, stored by its twin submission a moment ago.
      const twin = await findCertificateByKey(db, input.idempotencyKey);
      if (twin) return { order, certificate: twin, created: false };
      throw new OrderStateError(refused);
    }
    const checked = checkRequest(order, input);
    const domains = [order.primaryDomain, ...checked.sans];
    const key = await keyColumns(order, input.key, domains);
    const certificate = await insertReissue(db, order, {
      status: deps.requireApproval ? "awaiting_approval" : "submitting",
      requestedBy: input.requestedBy,
      domains,
      dcvMethod: checked.dcvMethod,
      approverEmail: checked.dcvMethod === "email" ? checked.approverEmail : null,
      idempotencyKey: input.idempotencyKey,
      createdAt: clock.now(),
      ...key,
    });
    if (!certificate) {
      const again = await findCertificateByKey(db, input.idempotencyKey);
      if (again) return { order, certificate: again, created: false };
      const open = await findOpenReissue(db, order.id);
      throw new ReissueInProgressError(certificateLabel(order.reference, open?.number ?? 2));
    }
    await record(order, "reissue_requested", input.requestedBy, {
      certificate: certificate.number,
      certificateId: certificate.id,
      key: input.key.kind === "new" ? input.key.algorithm : input.key.kind,
      domains: domains.map(displayDomain),
      dcvMethod: certificate.dcvMethod,
      requireApproval: deps.requireApproval,
    });
    return { order, certificate, created: true };
  }

  /** The key columns of a reissue: the current key (a new CSR for it), the client's CSR, or later a new key. */
  async function keyColumns(order: Order, key: ReissueKey, domains: string[]) {
    switch (key.kind) {
      case "csr": {
        const checked = checkClientCsr(key.csrPem, { domains });
        if (!checked.ok) throw new OrderRequestError("csr", checked.message);
        return {
          keySource: "client_csr" as const,
          csr: checked.csrPem,
          keyAlgorithm: checked.keyAlgorithm,
          encryptedPrivateKey: null,
        };
      }
      case "current": {
        if (!order.encryptedPrivateKey) {
          throw new OrderRequestError(
            "csr",
            "certdesk does not hold this certificate's key (the client supplied the CSR): choose a new key or paste a CSR.",
          );
        }
        const csr = await csrForOrder(order, domains, vault.decrypt(order.encryptedPrivateKey));
        return {
          keySource: "generated" as const,
          csr,
          keyAlgorithm: order.keyAlgorithm,
          encryptedPrivateKey: order.encryptedPrivateKey,
        };
      }
      case "new":
        return {
          keySource: "generated" as const,
          keyAlgorithm: key.algorithm,
          csr: null,
          encryptedPrivateKey: null,
        };
    }
  }

  /**
   * Sends a reissue that is `submitting` to the provider: makes its key first when it is new. A
   * reissue costs nothing, so an outcome the provider did not confirm is a failure to try again.
   */
  async function placeReissue(certificateId: number, actor: string): Promise<ReissueOutcome> {
    let certificate = await getCertificate(db, certificateId);
    if (!certificate) throw new OrderStateError("That reissue no longer exists.");
    const order = await getOrder(db, certificate.orderId);
    if (!order) throw new OrderStateError("That order no longer exists.");
    if (certificate.status !== "submitting" || !order.providerOrderId) {
      return { kind: "not_placed", certificate, order };
    }
    if (!certificate.csr) {
      const material = await newKeyMaterial(
        vault,
        order,
        certificate.domains,
        (certificate.keyAlgorithm as KeyAlgorithm | null) ?? "rsa-2048",
      );
      certificate =
        (await transitionCertificate(db, certificate.id, ["submitting"], {
          status: "submitting",
          ...material,
        })) ?? certificate;
    }
    const provider = providers.get(order.provider);
    try {
      const result = await provider.reissue({
        providerOrderId: order.providerOrderId,
        reference: order.reference,
        serverTypeId: order.serverType,
        csrPem: certificate.csr ?? "",
        commonName: certificate.domains[0] ?? order.primaryDomain,
        sans: certificate.domains.slice(1),
        dcvMethod: certificate.dcvMethod as DcvMethod,
        approverEmail: certificate.approverEmail ?? undefined,
      });
      const sent = await transitionCertificate(db, certificate.id, ["submitting"], {
        status: "pending",
        dcvInstructions: result.dcv,
      });
      if (!sent) return { kind: "not_placed", certificate, order };
      await record(order, "reissue_submitted", actor, {
        certificate: sent.number,
        dcv: result.dcv,
      });
      return { kind: "pending", certificate: sent, order };
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      const field: OrderField = error instanceof ProviderInputError ? error.field : "order";
      // Free, so never sent again blindly: if the provider took it after all, a status check finds
      // the new certificate by its CSR and records it (findReissueToSettle).
      const message =
        error instanceof ProviderInputError
          ? error.message
          : `${provider.displayName} did not confirm the reissue (${error.message}). If it reached ${provider.displayName}, Check status will find the new certificate; otherwise reissue again.`;
      const failed =
        (await transitionCertificate(db, certificate.id, ["submitting"], {
          status: "failed",
          failureReason: message,
        })) ?? certificate;
      await record(order, "reissue_failed", actor, { certificate: failed.number, reason: message });
      return { kind: "failed", certificate: failed, order, field, message };
    }
  }

  /**
   * SSL_REQUIRE_APPROVAL=all: an approver other than the requester lets a reissue go on (the caller
   * then sends it with placeReissue), or rejects it. Who is an approver is the caller's check.
   */
  async function decideReissue(
    certificateId: number,
    approverId: string,
    decision: "approve" | "reject",
  ): Promise<{ order: Order; certificate: Certificate }> {
    const certificate = await getCertificate(db, certificateId);
    const order = certificate ? await getOrder(db, certificate.orderId) : undefined;
    if (!certificate || !order) throw new OrderStateError("That reissue no longer exists.");
    const label = certificateLabel(order.reference, certificate.number);
    if (decision === "approve" && certificate.requestedBy === approverId) {
      throw new SelfApprovalError(label, "reissue");
    }
    const decided = await transitionCertificate(db, certificate.id, ["awaiting_approval"], {
      status: decision === "approve" ? "submitting" : "rejected",
      approvedBy: decision === "approve" ? approverId : null,
    });
    if (!decided) {
      const current = (await getCertificate(db, certificate.id))?.status ?? certificate.status;
      throw new OrderStateError(
        `${label} is no longer waiting for approval (it is ${current.replace("_", " ")}).`,
      );
    }
    await record(order, decision === "approve" ? "reissue_approved" : "reissue_rejected", approverId, {
      certificate: decided.number,
    });
    return { order, certificate: decided };
  }

  /**
   * AUTO_REISSUE_DAYS for one order: a new key of the same kind, the same domains and validation,
   * asked by "system". Once per certificate (the idempotency key names it): a failure is left to a
   * person, whom the thread tells. Undefined when it was asked before.
   */
  async function reissueAutomatically(order: Order): Promise<ReissueOutcome | undefined> {
    const { certificate, created } = await requestReissue({
      orderId: order.id,
      requestedBy: "system",
      // The same kind of key as before, when it is one certdesk makes.
      key: {
        kind: "new",
        algorithm: KEY_ALGORITHMS.includes(order.keyAlgorithm as KeyAlgorithm)
          ? (order.keyAlgorithm as KeyAlgorithm)
          : "rsa-2048",
      },
      sans: order.sans,
      dcvMethod: order.dcvMethod as DcvMethod,
      approverEmail: order.approverEmail ?? undefined,
      idempotencyKey: `auto-reissue:${order.id}:${order.notAfter?.toISOString()}`,
    });
    if (!created) return undefined;
    if (certificate.status !== "submitting") return { kind: "awaiting_approval", certificate, order };
    return placeReissue(certificate.id, "system");
  }

  /** An approver lets a waiting reissue go on, and it is sent to the provider at once. */
  async function approveReissue(certificateId: number, approverId: string): Promise<ReissueOutcome> {
    const { certificate } = await decideReissue(certificateId, approverId, "approve");
    return placeReissue(certificate.id, approverId);
  }

  async function rejectReissue(certificateId: number, approverId: string): Promise<void> {
    await decideReissue(certificateId, approverId, "reject");
  }

  /** "SSL-1042 · certificate 2" for a certificate id, for the access audit; null when there is none. */
  async function labelOf(certificateId: number): Promise<string | null> {
    const certificate = await getCertificate(db, certificateId);
    const order = certificate ? await getOrder(db, certificate.orderId) : undefined;
    return certificate && order ? certificateLabel(order.reference, certificate.number) : null;
  }

  return {
    refusal,
    requestReissue,
    placeReissue,
    approveReissue,
    rejectReissue,
    labelOf,
    reissueAutomatically,
  };
}

export type ReissueService = ReturnType<typeof createReissueService>;
