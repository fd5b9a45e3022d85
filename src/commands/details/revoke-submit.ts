import type { App } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import { z } from "zod";
import { isRevocationReason } from "../../domain/certificate.js";
import { getOrder } from "../../orders/repository.js";
import type { RevokeOutcome } from "../../orders/revocation-service.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import {
  REVOKE_BLOCKS,
  REVOKE_CALLBACK,
  revokedView,
  revokeMessageView,
  revokeRefusedView,
} from "../../views/revoke-modal.js";
import type { FeatureContext } from "../context.js";
import { refusalFor } from "../guard.js";
import { blockIdIn, inputsByField, modalPayload, parseMetadata } from "../payloads.js";
import { renderDetails } from "./render.js";

/**
 * The revoke form's submission: the approver rule asked again (a forged or stale form is refused
 * in the form and audited), "Revoking…" in the ack, then the revocation service's outcome in place
 * of the form, and Details underneath shows the order revoked.
 */

const metadataSchema = z.object({ orderId: z.number().int() });
const expired = revokeMessageView(":information_source: This form expired. Open Details and try again.");

export function registerRevokeSubmission(app: App, context: FeatureContext): void {
  app.view(REVOKE_CALLBACK, async ({ ack, body }) => {
    const parsed = modalPayload.safeParse(body);
    const metadata = parsed.success
      ? parseMetadata(metadataSchema, parsed.data.view.private_metadata)
      : undefined;
    const order = metadata ? await getOrder(context.db, metadata.orderId) : undefined;
    if (!parsed.success || !order) return ack({ response_action: "update", view: expired });
    const { user, view } = parsed.data;
    const state = view.state?.values ?? {};
    const reasonBlock = blockIdIn(state, REVOKE_BLOCKS.reason) ?? REVOKE_BLOCKS.reason;
    const refused = await refusalFor(context, {
      userId: user.id,
      action: "revoke",
      subject: order.reference,
    });
    if (refused) return ack({ response_action: "errors", errors: { [reasonBlock]: refused.sentence } });
    const reason = inputsByField(state, REVOKE_BLOCKS).get("reason")?.selected_option?.value;
    if (!isRevocationReason(reason)) {
      return ack({
        response_action: "errors",
        errors: { [reasonBlock]: "Choose why the certificate is revoked." },
      });
    }
    const providerName = context.providers.nameOf(order.provider);
    await ack({
      response_action: "update",
      view: revokeMessageView(
        `:hourglass_flowing_sand: Revoking *${escapeMrkdwn(order.reference)}*'s certificate at ${escapeMrkdwn(providerName)}…`,
      ),
    });
    const outcome = await context.revocation
      .revoke(order.id, user.id, reason)
      .catch(async (error: unknown) => {
        context.logger.error(`Revoking ${order.reference}'s certificate failed:`, error);
        await context.slack
          .updateModal(view.id, revokeMessageView(`:x: ${context.describeFailure(error)}`))
          .catch(() => undefined);
        return undefined;
      });
    if (!outcome) return;
    await context.slack.updateModal(view.id, outcomeView(outcome, providerName)).catch((error: unknown) => {
      context.logger.warn(`Could not show the revocation of ${order.reference}:`, error);
    });
    // Details, under the form, still offers Revoke…: it shows the order as it is now.
    if (outcome.kind === "revoked" && view.previous_view_id) {
      const detailsId = view.previous_view_id;
      await renderDetails(context, outcome.order, user.id, "overview")
        .then((details) => context.slack.updateModal(detailsId, details))
        .catch((error: unknown) => {
          context.logger.warn(`Could not refresh the details of ${order.reference}:`, error);
        });
    }
  });
}

function outcomeView(outcome: RevokeOutcome, providerName: string): ModalView {
  switch (outcome.kind) {
    case "revoked":
      return revokedView({
        reference: outcome.order.reference,
        certificate: outcome.certificate,
        reason: outcome.reason,
      });
    case "refused":
      return revokeRefusedView({
        reference: outcome.order.reference,
        providerName,
        message: outcome.message,
      });
    case "not_applicable":
      return revokeMessageView(`:information_source: ${escapeMrkdwn(outcome.reason)}`);
  }
}
