import type { App } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import { certificateLabel } from "../../domain/certificate.js";
import { displayDomain } from "../../domain/names.js";
import { currentCertificate } from "../../orders/certificates.js";
import { getOrder } from "../../orders/repository.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import { DETAILS_ACTIONS } from "../../views/order-details.js";
import { revokeMessageView, revokeModalView } from "../../views/revoke-modal.js";
import type { FeatureContext } from "../context.js";
import { refusalFor } from "../guard.js";
import { type OrderClick, readOrderClick } from "../payloads.js";

/**
 * Details' Revoke… (offered to approvers, after its confirm dialog): the reason form, pushed over
 * Details, or why it cannot be revoked. The submission is revoke-submit.ts.
 */
export function registerRevokeOpen(app: App, context: FeatureContext): void {
  app.action(DETAILS_ACTIONS.revoke, async ({ ack, body }) => {
    await ack();
    const click = readOrderClick(body);
    if (!click) return;
    await context.slack.pushModal(click.triggerId, await revokeForm(context, click));
  });
}

async function revokeForm(context: FeatureContext, click: OrderClick): Promise<ModalView> {
  const order = await getOrder(context.db, click.orderId);
  const refused = await refusalFor(context, {
    userId: click.userId,
    action: "revoke",
    subject: order?.reference ?? null,
  });
  if (refused) return revokeMessageView(refused.text);
  if (!order) return revokeMessageView(":information_source: That order no longer exists.");
  const reason = await context.revocation.revokeRefusal(order);
  if (reason) return revokeMessageView(`:information_source: ${escapeMrkdwn(reason)}`);
  const current = await currentCertificate(context.db, order);
  return revokeModalView({
    reference: order.reference,
    certificateLabel: certificateLabel(order.reference, current?.number ?? 1),
    primaryDomain: displayDomain(order.primaryDomain),
    providerName: context.providers.nameOf(order.provider),
    privateMetadata: JSON.stringify({ orderId: order.id }),
  });
}
