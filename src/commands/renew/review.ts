import type { App } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import { approvalRequired } from "../../domain/approval.js";
import type { DcvMethod } from "../../domain/dcv.js";
import { baseName } from "../../domain/names.js";
import type { OrderField } from "../../domain/order.js";
import { getClient } from "../../orders/clients.js";
import { loadRenewalDraft, type RenewalDraft, saveRenewalDraft } from "../../orders/drafts.js";
import { OrderRequestError, RenewalInProgressError, renewalRequest } from "../../orders/order-service.js";
import { getOrder, type Order } from "../../orders/repository.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import {
  RENEW_ACTIONS,
  RENEW_CALLBACK,
  RENEW_REVIEW_CALLBACK,
  type RenewFormValues,
  renewMessageView,
  renewReviewView,
} from "../../views/renew-modal.js";
import type { FeatureContext } from "../context.js";
import { refusalFor } from "../guard.js";
import { modalPayload, parseMetadata } from "../payloads.js";
import { placeAndShow } from "../placement.js";
import { purchaseReview } from "../purchase.js";
import {
  checkRenewForm,
  FORM_FIELD_FOR,
  notRenewableReason,
  type RenewMetadata,
  readRenewForm,
  renewMetadataSchema,
  reviewMetadataSchema,
  valuesOfDraft,
} from "./form.js";
import { loadRenewApprovers, renderRenewForm, renewalInProgress } from "./open.js";

/**
 * The renewal form's submission (→ the review step, nothing bought), the review's "Change
 * something" and its submission, which places the renewal.
 */

const expired = renewMessageView(":information_source: This form expired. Please start the renewal again.");

async function renderReview(
  context: FeatureContext,
  original: Order,
  draft: RenewalDraft,
  draftId: number,
): Promise<ModalView> {
  const owner = await getClient(context.db, original.clientId);
  const review = purchaseReview(
    context,
    { ...original, ...draft, providerId: original.provider, approverEmail: draft.approverEmail },
    owner?.name ?? "unknown client",
    original.reference,
  );
  return renewReviewView({
    review,
    contact: draft.contact,
    approvalNeeded: approvalRequired(context.config, review.free === true),
    privateMetadata: JSON.stringify({ draftId }),
  });
}

/** The form again, with everything kept and the reason on top (and on its field). */
async function reopen(
  context: FeatureContext,
  viewId: string,
  original: Order,
  values: RenewFormValues,
  metadata: RenewMetadata,
  refusal: { message: string; field: OrderField },
): Promise<void> {
  const field = FORM_FIELD_FOR[refusal.field];
  const extra = { topError: refusal.message, warnings: field ? { [field]: refusal.message } : undefined };
  // A stale approver address needs a fresh list, not the one the form already showed.
  const stale = refusal.field === "approverEmail";
  const next = { ...metadata, approvers: stale ? undefined : metadata.approvers };
  const loading = {
    approvers: {
      state: "loading" as const,
      domain: baseName(original.primaryDomain),
      providerName: context.providers.nameOf(original.provider),
    },
  };
  await context.slack.updateModal(
    viewId,
    await renderRenewForm(context, original, values, next, { ...extra, ...(stale ? loading : {}) }),
  );
  if (stale) await loadRenewApprovers(context, viewId, original, values, next, extra);
}

async function submitRenewal(
  context: FeatureContext,
  viewId: string,
  userId: string,
  original: Order,
  draft: RenewalDraft,
  draftId: number,
): Promise<void> {
  const values = valuesOfDraft(draft);
  const metadata: RenewMetadata = {
    orderId: original.id,
    channelId: draft.channelId,
    approvers: draft.approvers,
  };
  const show = (text: string, detail?: string) =>
    context.slack.updateModal(viewId, renewMessageView(text, detail));
  let result: Awaited<ReturnType<FeatureContext["orders"]["createOrder"]>>;
  try {
    result = await context.orders.createOrder(
      renewalRequest(original, {
        periodMonths: draft.periodMonths,
        serverTypeId: draft.serverTypeId,
        dcvMethod: draft.dcvMethod,
        approverEmail: draft.approverEmail,
        contact: draft.contact,
        requestedBy: userId,
        slackChannel: context.config.channel ?? (metadata.channelId || original.slackChannel || undefined),
        // One renewal per reviewed form: a double click or a Slack retry finds the first.
        idempotencyKey: `renew:${draftId}`,
        keepKey: draft.keepKey ?? false,
        clientCsr: draft.clientCsr,
      }),
    );
  } catch (error) {
    if (error instanceof RenewalInProgressError) {
      await show(`:information_source: *${original.reference}* ${escapeMrkdwn(error.message)}`);
      return;
    }
    if (!(error instanceof OrderRequestError)) throw error;
    await reopen(context, viewId, original, values, metadata, error);
    return;
  }
  await placeAndShow(context, {
    stored: result,
    userId,
    renews: original.reference,
    show: (message) => show(message.text, message.detail),
    reopen: (refusal) => reopen(context, viewId, original, values, metadata, refusal),
  });
}

/** The review step's draft and order, when the review is still usable. */
async function reviewed(context: FeatureContext, body: unknown) {
  const parsed = modalPayload.safeParse(body);
  if (!parsed.success) return undefined;
  const meta = parseMetadata(reviewMetadataSchema, parsed.data.view.private_metadata);
  const draft = meta ? await loadRenewalDraft(context.db, meta.draftId, parsed.data.user.id) : undefined;
  const original = draft ? await getOrder(context.db, draft.orderId) : undefined;
  if (!meta || !draft || !original) return undefined;
  return { userId: parsed.data.user.id, viewId: parsed.data.view.id, draftId: meta.draftId, draft, original };
}

export function registerRenewReview(app: App, context: FeatureContext): void {
  const { db, logger } = context;

  app.view(RENEW_CALLBACK, async ({ ack, body }) => {
    const parsed = modalPayload.safeParse(body);
    const view = parsed.data?.view;
    const state = view?.state?.values ?? {};
    const metadata = parseMetadata(renewMetadataSchema, view?.private_metadata);
    const original = metadata ? await getOrder(db, metadata.orderId) : undefined;
    if (!parsed.success || !metadata || !original) return ack({ response_action: "update", view: expired });
    // A renewal placed by someone else since the form opened: say so now, not after the review.
    const refusal = notRenewableReason(context, original) ?? (await renewalInProgress(context, original));
    if (refusal) {
      await ack({ response_action: "update", view: renewMessageView(`:information_source: ${refusal}`) });
      return;
    }
    const values = readRenewForm(state);
    // Against what the form showed: a provider is never asked before this ack.
    const checked = checkRenewForm(context, state, values, metadata, original);
    if (!checked.ok) {
      await ack({ response_action: "errors", errors: checked.errors });
      return;
    }
    const userId = parsed.data.user.id;
    const refused = await refusalFor(context, { userId, action: "renew", subject: original.reference });
    if (refused) {
      await ack({ response_action: "update", view: renewMessageView(refused.text) });
      return;
    }
    const dcvMethod = values.dcvMethod ?? (original.dcvMethod as DcvMethod);
    const draft: RenewalDraft = {
      kind: "renewal",
      orderId: original.id,
      channelId: metadata.channelId,
      periodMonths: values.periodMonths ?? original.periodMonths,
      serverTypeId: values.serverTypeId ?? original.serverType,
      dcvMethod,
      approverEmail: dcvMethod === "email" ? values.approverEmail : undefined,
      contact: checked.contact,
      keepKey: !checked.clientCsr && values.key === "current" && Boolean(original.encryptedPrivateKey),
      ...(checked.clientCsr ? { clientCsr: checked.clientCsr } : {}),
      approvers: metadata.approvers,
    };
    const draftId = await saveRenewalDraft(db, userId, draft, context.clock.now());
    // Nothing is bought yet: the next step shows what would be, with its price.
    await ack({ response_action: "update", view: await renderReview(context, original, draft, draftId) });
  });

  app.view(RENEW_REVIEW_CALLBACK, async ({ ack, body }) => {
    const found = await reviewed(context, body);
    if (!found) return ack({ response_action: "update", view: expired });
    const { original, userId } = found;
    const refusal = notRenewableReason(context, original);
    if (refusal) {
      await ack({ response_action: "update", view: renewMessageView(`:information_source: ${refusal}`) });
      return;
    }
    // The review was shown while the person could still renew; buying is checked again.
    const refused = await refusalFor(context, { userId, action: "renew", subject: original.reference });
    if (refused) {
      await ack({ response_action: "update", view: renewMessageView(refused.text) });
      return;
    }
    const providerName = context.providers.nameOf(original.provider);
    await ack({
      response_action: "update",
      view: renewMessageView(
        `:hourglass_flowing_sand: Placing the renewal of *${original.reference}* with ${escapeMrkdwn(providerName)}…`,
      ),
    });
    await submitRenewal(context, found.viewId, userId, original, found.draft, found.draftId).catch(
      async (error: unknown) => {
        logger.error(`Renewal of ${original.reference} failed:`, error);
        await context.slack
          .updateModal(found.viewId, renewMessageView(`:x: ${context.describeFailure(error)}`))
          .catch(() => undefined);
      },
    );
  });

  app.action(RENEW_ACTIONS.change, async ({ ack, body }) => {
    await ack();
    const found = await reviewed(context, body).catch((error: unknown) => {
      logger.error("Reading the renewal review failed:", error);
      return undefined;
    });
    if (!found) return;
    const { draft, original } = found;
    const metadata: RenewMetadata = {
      orderId: original.id,
      channelId: draft.channelId,
      approvers: draft.approvers,
    };
    await context.slack
      .updateModal(found.viewId, await renderRenewForm(context, original, valuesOfDraft(draft), metadata))
      .catch((error: unknown) => logger.error("Going back to the renewal form failed:", error));
  });
}
