import type { ModalView } from "@slack/types";
import { inspectCertificate } from "../../certs/inspect.js";
import { type CertificateDetails, certificateLabel } from "../../domain/certificate.js";
import { displayDomain } from "../../domain/names.js";
import { type Certificate, currentOf, listCertificates } from "../../orders/certificates.js";
import { getClient } from "../../orders/clients.js";
import { listEvents } from "../../orders/events.js";
import { getOrder, type Order } from "../../orders/repository.js";
import { listServedChecks } from "../../orders/served-probe.js";
import {
  type DeliveryState,
  type DetailsTab,
  detailsMessageView,
  orderDetailsView,
} from "../../views/order-details.js";
import type { FeatureContext } from "../context.js";
import { mayDo } from "../guard.js";

/** Opens an order's Details modal on its Overview tab (order message button, shortcut, other features). */
export async function openOrderDetails(
  context: FeatureContext,
  args: { triggerId: string; userId: string; orderId: number },
): Promise<void> {
  const order = await getOrder(context.db, args.orderId);
  const view = order
    ? await renderDetails(context, order, args.userId, "overview")
    : detailsMessageView(":information_source: That order no longer exists.");
  await context.slack.openModal(args.triggerId, view);
}

export async function renderDetails(
  context: FeatureContext,
  order: Order,
  userId: string,
  tab: DetailsTab,
  delivery?: DeliveryState,
): Promise<ModalView> {
  const { db, providers, access } = context;
  const events = await listEvents(db, order.id);
  const certificates = await listCertificates(db, order);
  const owner = await getClient(db, order.clientId);
  const original = order.renewalOfId ? await getOrder(db, order.renewalOfId) : undefined;
  const serverType = context.catalogue
    .snapshot()
    .find((entry) => entry.provider.id === order.provider)
    ?.serverTypes.find((type) => type.id === order.serverType);
  return orderDetailsView({
    orderId: order.id,
    order: {
      ...order,
      primaryDomain: displayDomain(order.primaryDomain),
      sans: order.sans.map(displayDomain),
      keyHeld: Boolean(order.encryptedPrivateKey) || !order.csr,
    },
    clientName: owner?.name ?? "unknown client",
    providerName: providers.nameOf(order.provider),
    validatesWhenAsked:
      providers.has(order.provider) && providers.get(order.provider).capabilities.validatesWhenAsked,
    serverTypeLabel: serverType?.label ?? order.serverType,
    renews: original?.reference,
    renewedBy: await renewalsOf(context, events),
    certificates: certificates.map((issued) => ({
      ...issued,
      label: certificateLabel(order.reference, issued.number),
    })),
    served: await servedNow(context, order, certificates),
    reissueRefusal: order.status === "issued" ? await context.reissues.refusal(order) : undefined,
    mayRevoke: tab === "overview" && (await mayRevoke(context, order, userId)),
    events,
    certificate: tab === "certificate" ? inspect(context, order) : undefined,
    // Group membership may need Slack: asked only where the answer is shown.
    keyPolicy: {
      mayReceiveKey: tab === "certificate" ? await access.mayReceiveKeys(userId) : false,
      keysEnabled: access.keysEnabled,
    },
    delivery,
    tab,
    privateMetadata: JSON.stringify({ orderId: order.id, tab }),
  });
}

/**
 * Whether Revoke… is offered to this person: the order can be revoked and they may (guard.ts: named
 * in SSL_APPROVERS). The cheap answers first; group membership may need Slack.
 */
async function mayRevoke(context: FeatureContext, order: Order, userId: string): Promise<boolean> {
  if (order.status !== "issued" || (await context.revocation.revokeRefusal(order))) return false;
  return mayDo(context, userId, "revoke");
}

/** The renewals made from this order, from the audit events the renewal flow records on it. */
async function renewalsOf(
  context: FeatureContext,
  events: { kind: string; detail: Record<string, unknown> }[],
): Promise<string[]> {
  const ids = events
    .filter((event) => event.kind === "renewal_requested" && typeof event.detail.renewalId === "number")
    .map((event) => event.detail.renewalId as number);
  const renewals = await Promise.all(ids.map((id) => getOrder(context.db, id)));
  return renewals
    .filter((renewal): renewal is Order => renewal !== undefined)
    .map((renewal) =>
      ["failed", "rejected"].includes(renewal.status)
        ? `${renewal.reference} (${renewal.status})`
        : renewal.reference,
    );
}

/** The probe's looks at the order's current certificate (the last issued one), first name first. */
async function servedNow(context: FeatureContext, order: Order, certificates: Certificate[]) {
  if (order.status !== "issued") return [];
  const current = currentOf(order, certificates);
  const checks = (await listServedChecks(context.db, [order.id])).get(order.id) ?? [];
  return checks.filter((check) => check.certificateId === current?.id);
}

function inspect(context: FeatureContext, order: Order): CertificateDetails | undefined {
  if (!order.certificate) return undefined;
  try {
    return inspectCertificate(order.certificate);
  } catch (error) {
    context.logger.warn(`${order.reference}'s stored certificate could not be parsed:`, error);
    return undefined;
  }
}
