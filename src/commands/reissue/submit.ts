import { createHash } from "node:crypto";
import type { App } from "@slack/bolt";
import { certificateLabel } from "../../domain/certificate.js";
import { OrderRequestError, OrderStateError } from "../../orders/order-service.js";
import type { ReissueOutcome } from "../../orders/reissue-service.js";
import { getOrder, type Order } from "../../orders/repository.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import {
  REISSUE_BLOCKS,
  REISSUE_CALLBACK,
  type ReissueFormValues,
  reissueMessageView,
} from "../../views/reissue-modal.js";
import type { FeatureContext } from "../context.js";
import { refusalFor } from "../guard.js";
import { blockIdIn, modalPayload, parseMetadata } from "../payloads.js";
import {
  FORM_FIELD_FOR,
  keyOf,
  type ReissueMetadata,
  readReissueForm,
  reissueMetadataSchema,
  renderReissueForm,
} from "./form.js";

/**
 * The reissue form's submission: checked and stored before the ack (a wrong CSR or domain is shown
 * on its field), then sent to the provider after it (a new key takes a moment); a provider's
 * refusal reopens the form with everything kept.
 */

const expired = reissueMessageView(":information_source: This form expired. Please start the reissue again.");

function outcomeText(context: FeatureContext, outcome: Exclude<ReissueOutcome, { kind: "failed" }>): string {
  const label = certificateLabel(outcome.order.reference, outcome.certificate.number);
  const providerName = escapeMrkdwn(context.providers.nameOf(outcome.order.provider));
  switch (outcome.kind) {
    case "awaiting_approval":
      return `:raised_hand: *${label}* is waiting for approval (SSL_REQUIRE_APPROVAL=all): someone in SSL_APPROVERS approves it in the order's thread.`;
    case "pending":
      return `:white_check_mark: *${label}* was sent to ${providerName}. Validation follows in the order's thread; the current certificate stays valid meanwhile.`;
    case "not_placed":
      return `:information_source: *${label}* was already submitted; follow it in the order's thread.`;
  }
}

async function send(
  context: FeatureContext,
  viewId: string,
  order: Order,
  certificateId: number,
  userId: string,
  reopen: (message: string, field: keyof typeof FORM_FIELD_FOR) => Promise<unknown>,
): Promise<void> {
  const outcome = await context.reissues.placeReissue(certificateId, userId);
  if (outcome.kind === "failed") {
    await reopen(outcome.message, outcome.field);
    return;
  }
  await context.slack.updateModal(viewId, reissueMessageView(outcomeText(context, outcome)));
  context.logger.debug?.(`${order.reference}: reissue ${outcome.kind}`);
}

export function registerReissueSubmission(app: App, context: FeatureContext): void {
  app.view(REISSUE_CALLBACK, async ({ ack, body }) => {
    const parsed = modalPayload.safeParse(body);
    if (!parsed.success || !parsed.data.view.state) return ack({ response_action: "update", view: expired });
    const { view, user } = parsed.data;
    const state = parsed.data.view.state;
    const metadata = parseMetadata(reissueMetadataSchema, view.private_metadata);
    const order = metadata ? await getOrder(context.db, metadata.orderId) : undefined;
    if (!metadata || !order) return ack({ response_action: "update", view: expired });
    const refusal = await refusalFor(context, {
      userId: user.id,
      action: "reissue",
      subject: order.reference,
    });
    if (refusal) return ack({ response_action: "update", view: reissueMessageView(refusal.text) });
    const values = readReissueForm(state.values);
    let stored: Awaited<ReturnType<FeatureContext["reissues"]["requestReissue"]>>;
    try {
      stored = await context.reissues.requestReissue({
        orderId: order.id,
        requestedBy: user.id,
        key: keyOf(values),
        sans: values.sans ?? order.sans,
        dcvMethod: values.dcvMethod ?? (order.dcvMethod as NonNullable<ReissueFormValues["dcvMethod"]>),
        approverEmail: values.approverEmail,
        // The same view, version and values: a double click or Slack's retry, not a second reissue.
        idempotencyKey: `reissue:${view.id}:${view.hash ?? ""}:${createHash("sha256").update(JSON.stringify(state.values)).digest("hex").slice(0, 16)}`,
      });
    } catch (error) {
      if (error instanceof OrderRequestError) {
        const field = FORM_FIELD_FOR[error.field];
        const block = field ? blockIdIn(state.values, REISSUE_BLOCKS[field]) : undefined;
        if (block) return ack({ response_action: "errors", errors: { [block]: error.message } });
        return ack({
          response_action: "update",
          view: await renderReissueForm(context, order, values, metadata, { topError: error.message }),
        });
      }
      if (error instanceof OrderStateError) {
        return ack({
          response_action: "update",
          view: reissueMessageView(`:information_source: ${escapeMrkdwn(error.message)}`),
        });
      }
      throw error;
    }
    const { certificate, created } = stored;
    if (!created || certificate.status === "awaiting_approval") {
      const kind = created ? "awaiting_approval" : "not_placed";
      return ack({
        response_action: "update",
        view: reissueMessageView(outcomeText(context, { kind, certificate, order: stored.order })),
      });
    }
    const providerName = context.providers.nameOf(order.provider);
    await ack({
      response_action: "update",
      view: reissueMessageView(
        `:hourglass_flowing_sand: ${certificate.keySource === "client_csr" || certificate.csr ? "Sending" : "Making a new key and sending"} the reissue to ${escapeMrkdwn(providerName)}…`,
      ),
    });
    const reopen = async (message: string, field: keyof typeof FORM_FIELD_FOR) => {
      const formField = FORM_FIELD_FOR[field];
      await context.slack.updateModal(
        view.id,
        await renderReissueForm(context, order, values, metadata as ReissueMetadata, {
          topError: message,
          warnings: formField ? { [formField]: message } : undefined,
        }),
      );
    };
    await send(context, view.id, order, certificate.id, user.id, reopen).catch(async (error: unknown) => {
      context.logger.error(`The reissue of ${order.reference} failed:`, error);
      await context.slack
        .updateModal(view.id, reissueMessageView(`:x: ${context.describeFailure(error)}`))
        .catch(() => undefined);
    });
  });
}
