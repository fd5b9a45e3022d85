import type { ModalView } from "@slack/types";
import { baseName, displayDomain } from "../../domain/names.js";
import { getClient } from "../../orders/clients.js";
import { standingsForOrder } from "../../orders/domain-validations.js";
import { RenewalInProgressError } from "../../orders/order-service.js";
import { findLiveRenewal, getOrder, type Order } from "../../orders/repository.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import type { ApproverState } from "../../views/dcv-fields.js";
import {
  type RenewField,
  type RenewFormValues,
  renewMessageView,
  renewModalView,
} from "../../views/renew-modal.js";
import { fetchApprovers } from "../approvers.js";
import type { FeatureContext } from "../context.js";
import { refusalFor } from "../guard.js";
import { notRenewableReason, type RenewMetadata, valuesOf } from "./form.js";

export interface RenderExtra {
  approvers?: ApproverState;
  warnings?: Partial<Record<RenewField, string>>;
  topError?: string;
}

/** The live renewal, said the way the form and the command say it. */
export async function renewalInProgress(context: FeatureContext, order: Order): Promise<string | undefined> {
  const live = await findLiveRenewal(context.db, order.id);
  return live ? `*${order.reference}* ${escapeMrkdwn(new RenewalInProgressError(live).message)}` : undefined;
}

export async function renderRenewForm(
  context: FeatureContext,
  original: Order,
  values: RenewFormValues,
  metadata: RenewMetadata,
  extra: RenderExtra = {},
): Promise<ModalView> {
  const entry = context.catalogue.snapshot().find((candidate) => candidate.provider.id === original.provider);
  const product = entry?.products.find((candidate) => candidate.id === original.productId);
  const provider = context.providers.get(original.provider);
  const owner = await getClient(context.db, original.clientId);
  return renewModalView({
    original: {
      reference: original.reference,
      clientName: owner?.name ?? "unknown client",
      primaryDomain: displayDomain(original.primaryDomain),
      sans: original.sans.map(displayDomain),
      productName: original.productName,
      providerName: provider.displayName,
      organisation: [
        original.organisation,
        original.unit,
        original.locality,
        original.state,
        original.country,
      ].filter((part): part is string => Boolean(part)),
      notAfter: original.notAfter,
      hasKey: Boolean(original.encryptedPrivateKey),
    },
    periods: product?.periods ?? [],
    productsUnavailable:
      !entry || entry.state === "ready"
        ? undefined
        : entry.state === "loading"
          ? "still loading"
          : escapeMrkdwn(entry.error ?? "its product list could not be loaded"),
    serverTypes: entry?.serverTypes ?? [],
    dcvMethods: provider.capabilities.dcvMethods,
    validations: (
      await standingsForOrder(context.db, original, {
        now: context.clock.now(),
        caDays: provider.capabilities.dcvReuseDays,
      })
    ).map((standing) => ({ ...standing, domain: displayDomain(standing.domain) })),
    values,
    approvers:
      extra.approvers ??
      (metadata.approvers ? { state: "loaded", ...metadata.approvers } : { state: "idle" }),
    warnings: extra.warnings,
    topError: extra.topError,
    privateMetadata: JSON.stringify(metadata),
  });
}

/** Asks the provider for the approver addresses now and puts them in the form. */
export async function loadRenewApprovers(
  context: FeatureContext,
  viewId: string,
  original: Order,
  values: RenewFormValues,
  metadata: RenewMetadata,
  extra: Omit<RenderExtra, "approvers"> = {},
): Promise<void> {
  const fetched = await fetchApprovers(context, original.provider, original.primaryDomain);
  const view = fetched.ok
    ? await renderRenewForm(context, original, values, { ...metadata, approvers: fetched.list }, extra)
    : await renderRenewForm(
        context,
        original,
        values,
        { ...metadata, approvers: undefined },
        {
          ...extra,
          approvers: { state: "error", domain: fetched.domain, message: fetched.message },
        },
      );
  await context.slack.updateModal(viewId, view);
}

/**
 * Opens the renewal modal for an order: from the order message's Renew button, the `ssl_renew`
 * shortcut, `/ssl renew <ref>`, the order list and expiry alerts. Opens at once (the trigger lives
 * ~3 s) and fetches a fresh approver list afterwards.
 */
export async function openRenewal(
  context: FeatureContext,
  args: { triggerId: string; userId: string; orderId: number; channelId: string },
): Promise<void> {
  const original = await getOrder(context.db, args.orderId);
  let refusal = (
    await refusalFor(context, { userId: args.userId, action: "renew", subject: original?.reference ?? null })
  )?.text;
  refusal ??= !original
    ? ":information_source: That order no longer exists."
    : (notRenewableReason(context, original) ?? (await renewalInProgress(context, original)));
  if (refusal || !original) {
    await context.slack.openModal(args.triggerId, renewMessageView(refusal ?? ""));
    return;
  }
  const metadata: RenewMetadata = { orderId: original.id, channelId: args.channelId };
  const values = valuesOf(original);
  const providerName = context.providers.nameOf(original.provider);
  const approvers: ApproverState =
    original.dcvMethod === "email"
      ? { state: "loading", domain: baseName(original.primaryDomain), providerName }
      : { state: "idle" };
  const loading =
    context.catalogue.snapshot().find((entry) => entry.provider.id === original.provider)?.state ===
    "loading";
  const viewId = (
    await context.slack.openModal(
      args.triggerId,
      loading
        ? renewMessageView(`Loading ${providerName}'s products…`)
        : await renderRenewForm(context, original, values, metadata, { approvers }),
    )
  )?.viewId;
  if (!viewId) return;
  if (loading) {
    // Only now, with the modal open: this provider's lists, however long it takes to answer.
    await context.catalogue.settled(original.provider);
    await context.slack.updateModal(
      viewId,
      await renderRenewForm(context, original, values, metadata, { approvers }),
    );
  }
  if (original.dcvMethod === "email") await loadRenewApprovers(context, viewId, original, values, metadata);
}
