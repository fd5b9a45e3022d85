import type { App } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import { approvalRequired } from "../../domain/approval.js";
import type { ContactField } from "../../domain/client.js";
import { displayDomain } from "../../domain/names.js";
import type { ContactSnapshot, OrderField } from "../../domain/order.js";
import { getClient, listContacts, validateContactInput } from "../../orders/clients.js";
import { loadDraft, type OrderDraft } from "../../orders/drafts.js";
import { OrderRequestError } from "../../orders/order-service.js";
import {
  ORDER_ACTIONS,
  ORDER_STEP2_CALLBACK,
  type OrderFormValues,
  orderConfirmationView,
  orderProgressView,
  orderStep2View,
} from "../../views/order-modal.js";
import type { FeatureContext } from "../context.js";
import { refusalFor } from "../guard.js";
import { modalPayload, parseMetadata } from "../payloads.js";
import { placeAndShow } from "../placement.js";
import { purchaseReview } from "../purchase.js";
import {
  blockIdOf,
  CONTACT_FORM_FIELD,
  FORM_FIELD_FOR,
  readContactForm,
  step2MetadataSchema,
} from "./form.js";
import { expiredForm, renderStep1 } from "./step1.js";

/** Step 2, "Review and order": what will be bought, the contact, and the button that buys it. */

export async function renderStep2(
  context: FeatureContext,
  draft: OrderDraft,
  draftId: number,
  selectedId?: number,
): Promise<ModalView> {
  const found = await getClient(context.db, draft.clientId);
  const contacts = await listContacts(context.db, draft.clientId);
  const clientName = found?.name ?? "the client";
  const review = purchaseReview(context, draft, clientName);
  return orderStep2View({
    clientName,
    domain: displayDomain(draft.primaryDomain),
    review,
    approvalNeeded: approvalRequired(context.config, review.free === true),
    contacts,
    selected: contacts.find((contact) => contact.id === selectedId),
    privateMetadata: JSON.stringify({ draftId }),
  });
}

/** Step 1 again with everything kept, the refusal on top and on its field. */
async function backToStep1(
  context: FeatureContext,
  viewId: string,
  draft: OrderDraft,
  refusal: { field: OrderField; message: string },
): Promise<void> {
  const field = FORM_FIELD_FOR[refusal.field];
  const view = await renderStep1(
    context,
    draft.form as OrderFormValues,
    { channelId: draft.channelId, renewalOfId: draft.renewalOfId, approvers: draft.approvers },
    { topError: refusal.message, warnings: field ? { [field]: refusal.message } : undefined },
  );
  await context.slack.updateModal(viewId, view);
}

async function submitOrder(
  context: FeatureContext,
  viewId: string,
  userId: string,
  draftId: number,
  draft: OrderDraft,
  contact: ContactSnapshot,
): Promise<void> {
  const show = (text: string, detail?: string) =>
    context.slack.updateModal(viewId, orderConfirmationView(text, detail));
  let stored: Awaited<ReturnType<FeatureContext["orders"]["createOrder"]>>;
  try {
    stored = await context.orders.createOrder({
      ...draft,
      contact,
      requestedBy: userId,
      slackChannel: context.config.channel ?? draft.channelId,
      idempotencyKey: `draft:${draftId}`,
    });
  } catch (error) {
    // A rule refused it (the product left the list meanwhile, say): step 1 again, as for a provider.
    if (!(error instanceof OrderRequestError)) throw error;
    await backToStep1(context, viewId, draft, error);
    return;
  }
  await placeAndShow(context, {
    stored,
    userId,
    show: (message) => show(message.text, message.detail),
    reopen: (refusal) => backToStep1(context, viewId, draft, refusal),
  });
}

function readStep2(body: unknown) {
  const parsed = modalPayload.safeParse(body);
  if (!parsed.success || !parsed.data.view.state) return undefined;
  const meta = parseMetadata(step2MetadataSchema, parsed.data.view.private_metadata);
  return { userId: parsed.data.user.id, view: parsed.data.view, values: parsed.data.view.state.values, meta };
}

export function registerStep2(app: App, context: FeatureContext): void {
  const { db, logger } = context;

  app.action(ORDER_ACTIONS.contactPick, async ({ ack, body }) => {
    await ack();
    const form = readStep2(body);
    const draft = form?.meta ? await loadDraft(db, form.meta.draftId, form.userId) : undefined;
    if (!form?.meta || !draft) return;
    const picked = readContactForm(form.values).contactId;
    await context.slack
      .updateModal(form.view.id, await renderStep2(context, draft, form.meta.draftId, picked))
      .catch((error: unknown) => logger.error("Contact step update failed:", error));
  });

  app.view(ORDER_STEP2_CALLBACK, async ({ ack, body }) => {
    const form = readStep2(body);
    if (!form) return ack(expiredForm);
    const draft = form.meta ? await loadDraft(db, form.meta.draftId, form.userId) : undefined;
    if (!form.meta || !draft) return ack(expiredForm);
    // The rules a client's contacts follow (one line, 200 characters, phone in the client's country).
    const contact = validateContactInput(readContactForm(form.values), draft.organisation.country);
    if (!contact.ok) {
      const errors = Object.entries(contact.errors).map(([field, message]) => [
        blockIdOf(form.values, CONTACT_FORM_FIELD[field as ContactField]),
        message,
      ]);
      await ack({ response_action: "errors", errors: Object.fromEntries(errors) });
      return;
    }
    const refusal = await refusalFor(context, {
      userId: form.userId,
      action: "order",
      subject: draft.primaryDomain,
    });
    if (refusal) {
      await ack({ response_action: "update", view: orderConfirmationView(refusal.text) });
      return;
    }
    const providerName = context.providers.nameOf(draft.providerId);
    await ack({
      response_action: "update",
      view: orderProgressView(
        "Order SSL Cert",
        `Generating the key pair and placing the order with ${providerName}…`,
      ),
    });
    const { draftId } = form.meta;
    await submitOrder(context, form.view.id, form.userId, draftId, draft, contact.value).catch(
      async (error: unknown) => {
        logger.error("Order submission failed:", error);
        await context.slack
          .updateModal(form.view.id, orderConfirmationView(`:x: ${context.describeFailure(error)}`))
          .catch(() => undefined);
      },
    );
  });
}
