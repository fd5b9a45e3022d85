import type { App } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import { z } from "zod";
import type { ContactField } from "../domain/client.js";
import type { DcvMethod } from "../domain/dcv.js";
import { moneyText, quote } from "../domain/money.js";
import { displayDomain } from "../domain/names.js";
import type { ContactSnapshot, OrderField } from "../domain/order.js";
import { productKey } from "../domain/product.js";
import { getClient, validateContactInput } from "../orders/clients.js";
import { loadRenewalDraft, type RenewalDraft, saveRenewalDraft } from "../orders/drafts.js";
import { recordEvent } from "../orders/events.js";
import { checkOrderRequest } from "../orders/order-request.js";
import { OrderRequestError, RenewalInProgressError } from "../orders/order-service.js";
import { findLiveRenewal, findOrderByReference, getOrder, type Order } from "../orders/repository.js";
import { clip, escapeMrkdwn } from "../views/blocks.js";
import { ORDER_MESSAGE_ACTIONS } from "../views/order-message.js";
import type { ApproverState } from "../views/order-modal.js";
import {
  RENEW_ACTIONS,
  RENEW_BLOCKS,
  RENEW_CALLBACK,
  RENEW_REVIEW_CALLBACK,
  type RenewField,
  type RenewFormValues,
  renewMessageView,
  renewModalView,
  renewReviewView,
} from "../views/renew-modal.js";
import type { AppServices, HandlerContext } from "./context.js";
import { readOrderButton } from "./order-button.js";
import { parseMetadata, type StateValues, stateValuesSchema } from "./order-form.js";
import { placementMessage } from "./placement.js";
import { ORDER_SHORTCUTS, orderForShortcut } from "./shortcuts.js";
import type { SubcommandHandlers } from "./ssl-command.js";

/** Only ids and the approver list a rebuild needs; Slack allows 3000 characters. */
const metadataSchema = z.object({
  orderId: z.number().int(),
  channelId: z.string(),
  approvers: z.object({ domain: z.string(), emails: z.array(z.string()) }).optional(),
});
/** The review step holds only its draft's id; the draft holds what was checked. */
const reviewMetadataSchema = z.object({ draftId: z.number().int() });
type RenewMetadata = z.infer<typeof metadataSchema>;

const MAX_APPROVERS_IN_METADATA = 50;

const modalActionBody = z.object({
  view: z.object({
    id: z.string(),
    private_metadata: z.string().optional(),
    state: z.object({ values: stateValuesSchema }),
  }),
});
const submissionBody = modalActionBody.extend({ user: z.object({ id: z.string() }) });
const reviewBody = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({ id: z.string(), private_metadata: z.string().optional() }),
});
const shortcutBody = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string(),
  channel: z.object({ id: z.string() }),
});

const CONTACT_FIELD: Record<ContactField, RenewField> = {
  firstName: "contactFirst",
  lastName: "contactLast",
  email: "contactEmail",
  phone: "contactPhone",
  title: "contactTitle",
};

/** Where a refusal is shown on the form. */
const FORM_FIELD_FOR: Partial<Record<OrderField, RenewField>> = {
  product: "period",
  period: "period",
  serverType: "serverType",
  dcvMethod: "dcvMethod",
  approverEmail: "approver",
  contact: "contactEmail",
};

interface RenderExtra {
  approvers?: ApproverState;
  warnings?: Partial<Record<RenewField, string>>;
  topError?: string;
}

/** Why an order cannot be renewed, or undefined when it can. */
function notRenewableReason(context: HandlerContext, order: Order): string | undefined {
  if (!order.csr || !order.providerOrderId) {
    return `*${order.reference}* never reached the provider (it is ${order.status.replace("_", " ")}), so there is nothing to renew. Order it again with \`/ssl order\`.`;
  }
  if (!context.providers.has(order.provider)) {
    return `*${order.reference}* was ordered from ${escapeMrkdwn(order.provider)}, which is not enabled here (SSL_PROVIDERS).`;
  }
  return undefined;
}

/** The live renewal's reference, said the way the form and the command say it. */
async function renewalInProgress(context: HandlerContext, order: Order): Promise<string | undefined> {
  const live = await findLiveRenewal(context.db, order.id);
  return live ? `*${order.reference}* ${escapeMrkdwn(new RenewalInProgressError(live).message)}` : undefined;
}

function valuesOfDraft(draft: RenewalDraft): RenewFormValues {
  return {
    periodMonths: draft.periodMonths,
    serverTypeId: draft.serverTypeId,
    dcvMethod: draft.dcvMethod,
    approverEmail: draft.approverEmail,
    contactFirst: draft.contact.firstName,
    contactLast: draft.contact.lastName,
    contactEmail: draft.contact.email,
    contactPhone: draft.contact.phone,
    contactTitle: draft.contact.title,
  };
}

function valuesOf(order: Order): RenewFormValues {
  return {
    periodMonths: order.periodMonths,
    serverTypeId: order.serverType,
    dcvMethod: order.dcvMethod as DcvMethod,
    approverEmail: order.approverEmail ?? undefined,
    contactFirst: order.contact.firstName,
    contactLast: order.contact.lastName,
    contactEmail: order.contact.email,
    contactPhone: order.contact.phone,
    contactTitle: order.contact.title,
  };
}

const FIELD_BY_BLOCK = new Map<string, RenewField>(
  Object.entries(RENEW_BLOCKS).map(([field, block]) => [block, field as RenewField]),
);

function readRenewForm(values: StateValues): RenewFormValues {
  const byField = new Map<RenewField, StateValues[string][string]>();
  for (const [block, actions] of Object.entries(values)) {
    const field = FIELD_BY_BLOCK.get(block.split(":")[0] ?? "");
    const entry = Object.values(actions)[0];
    if (field && entry) byField.set(field, entry);
  }
  const text = (field: RenewField) => byField.get(field)?.value?.trim() ?? "";
  const selected = (field: RenewField) => byField.get(field)?.selected_option?.value;
  const period = Number(selected("period"));
  const dcv = selected("dcvMethod");
  return {
    periodMonths: Number.isSafeInteger(period) && period > 0 ? period : undefined,
    serverTypeId: selected("serverType"),
    dcvMethod: dcv === "email" || dcv === "http" || dcv === "dns" ? dcv : undefined,
    approverEmail: selected("approver"),
    contactFirst: text("contactFirst"),
    contactLast: text("contactLast"),
    contactEmail: text("contactEmail"),
    contactPhone: text("contactPhone"),
    contactTitle: text("contactTitle"),
  };
}

/** The block an error belongs to, as it appears in this view (the approver's carries a suffix). */
function blockIdIn(values: StateValues, field: RenewField): string | undefined {
  const base = RENEW_BLOCKS[field];
  return Object.keys(values).find((id) => id === base || id.startsWith(`${base}:`));
}

/**
 * Opens the renewal modal for an order: from the order message's Renew button, the `ssl_renew`
 * shortcut, `/ssl renew <ref>` and other features. Opens at once (the trigger lives ~3 s) and
 * fetches a fresh approver list afterwards.
 */
export async function openRenewal(
  context: HandlerContext,
  services: AppServices,
  args: { triggerId: string; userId: string; orderId: number; channelId: string },
): Promise<void> {
  const { client } = context;
  const original = await getOrder(context.db, args.orderId);
  const mayRenew = await context.access.mayOrder(args.userId);
  if (!mayRenew) await refuseRenewal(context, args.userId, original?.reference ?? null);
  const refusal = !mayRenew
    ? ":no_entry: Only people in SSL_ORDERERS can renew certificates. Ask an admin to add you."
    : !original
      ? ":information_source: That order no longer exists."
      : (notRenewableReason(context, original) ?? (await renewalInProgress(context, original)));
  if (refusal || !original) {
    await client.views.open({ trigger_id: args.triggerId, view: renewMessageView(refusal ?? "") });
    return;
  }
  const metadata: RenewMetadata = { orderId: original.id, channelId: args.channelId };
  const values = valuesOf(original);
  const provider = context.providers.get(original.provider);
  const approvers: ApproverState =
    original.dcvMethod === "email"
      ? {
          state: "loading",
          domain: original.primaryDomain.replace(/^\*\./, ""),
          providerName: provider.displayName,
        }
      : { state: "idle" };
  const loading =
    services.catalogue.snapshot().find((entry) => entry.provider.id === original.provider)?.state ===
    "loading";
  const opened = await client.views.open({
    trigger_id: args.triggerId,
    view: loading
      ? renewMessageView(`Loading ${provider.displayName}'s products…`)
      : await renderForm(context, services, original, values, metadata, { approvers }),
  });
  const viewId = opened.view?.id;
  if (!viewId) return;
  if (loading) {
    // Only now, with the modal open: this provider's lists, however long it takes to answer.
    await services.catalogue.settled(original.provider);
    await updateView(
      context,
      viewId,
      await renderForm(context, services, original, values, metadata, { approvers }),
    );
  }
  if (original.dcvMethod === "email")
    await loadApprovers(context, services, viewId, original, values, metadata);
}

async function refuseRenewal(context: HandlerContext, userId: string, reference: string | null) {
  const at = context.clock.now();
  await context.refusals.record({
    actor: userId,
    action: "renew",
    subject: reference,
    reason: "not in SSL_ORDERERS",
    at,
  });
}

async function renderForm(
  context: HandlerContext,
  services: AppServices,
  original: Order,
  values: RenewFormValues,
  metadata: RenewMetadata,
  extra: RenderExtra = {},
): Promise<ModalView> {
  const entry = services.catalogue
    .snapshot()
    .find((candidate) => candidate.provider.id === original.provider);
  const product = entry?.products.find((candidate) => candidate.id === original.productId);
  const provider = context.providers.get(original.provider);
  const owner = await getClient(context.db, original.clientId);
  const approvers: ApproverState =
    extra.approvers ?? (metadata.approvers ? { state: "loaded", ...metadata.approvers } : { state: "idle" });
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
    values,
    approvers,
    warnings: extra.warnings,
    topError: extra.topError,
    privateMetadata: JSON.stringify(metadata),
  });
}

async function updateView(context: HandlerContext, viewId: string, view: ModalView): Promise<void> {
  await context.client.views.update({ view_id: viewId, view });
}

/** Asks the provider for the approver addresses now and puts them in the form. */
async function loadApprovers(
  context: HandlerContext,
  services: AppServices,
  viewId: string,
  original: Order,
  values: RenewFormValues,
  metadata: RenewMetadata,
  extra: Omit<RenderExtra, "approvers"> = {},
): Promise<void> {
  const provider = context.providers.get(original.provider);
  const domain = original.primaryDomain.replace(/^\*\./, "");
  let view: ModalView;
  try {
    const emails = await provider.getApproverEmails(original.primaryDomain);
    const next = { ...metadata, approvers: { domain, emails: emails.slice(0, MAX_APPROVERS_IN_METADATA) } };
    view = await renderForm(context, services, original, values, next, extra);
  } catch (error) {
    const approvers: ApproverState = { state: "error", domain, message: (error as Error).message };
    view = await renderForm(
      context,
      services,
      original,
      values,
      { ...metadata, approvers: undefined },
      {
        ...extra,
        approvers,
      },
    );
  }
  await updateView(context, viewId, view);
}

export function registerRenewHandlers(
  app: App,
  context: HandlerContext,
  services: AppServices,
): SubcommandHandlers {
  const { db, logger, client } = context;

  app.action(ORDER_MESSAGE_ACTIONS.renew, async ({ ack, body }) => {
    await ack();
    const click = readOrderButton(body);
    if (!click) return;
    // Failures reach the app-wide error handler, which tells the user where they are.
    await openRenewal(context, services, { ...click, channelId: click.channelId ?? "" });
  });

  app.shortcut({ callback_id: ORDER_SHORTCUTS.renew, type: "message_action" }, async ({ ack, body }) => {
    await ack();
    const parsed = shortcutBody.safeParse(body);
    if (!parsed.success) return;
    // Failures reach the app-wide error handler, which answers through the shortcut's response_url.
    const order = await orderForShortcut(context, body);
    if (!order) return;
    await openRenewal(context, services, {
      triggerId: parsed.data.trigger_id,
      userId: parsed.data.user.id,
      orderId: order.id,
      channelId: parsed.data.channel.id,
    });
  });

  app.action(RENEW_ACTIONS.dcvMethod, async ({ ack, body }) => {
    await ack();
    const parsed = modalActionBody.safeParse(body);
    if (!parsed.success) return;
    const { view } = parsed.data;
    const metadata = parseMetadata(metadataSchema, view.private_metadata);
    const original = metadata ? await getOrder(db, metadata.orderId) : undefined;
    if (!metadata || !original) return;
    const values = readRenewForm(view.state.values);
    try {
      await updateView(context, view.id, await renderForm(context, services, original, values, metadata));
      if (values.dcvMethod === "email" && !metadata.approvers) {
        await loadApprovers(context, services, view.id, original, values, metadata);
      }
    } catch (error) {
      logger.error("Renewal form update failed:", error);
    }
  });

  app.view(RENEW_CALLBACK, async ({ ack, body: payload }) => {
    const parsed = submissionBody.safeParse(payload);
    const body = parsed.data;
    const view = body?.view;
    const state = view?.state.values ?? {};
    const metadata = parseMetadata(metadataSchema, view?.private_metadata);
    const original = metadata ? await getOrder(db, metadata.orderId) : undefined;
    const gone = !metadata || !original ? "This form expired. Please start the renewal again." : undefined;
    // A renewal placed by someone else since the form opened: say so now, not after the review.
    const refusal =
      gone ??
      (original
        ? (notRenewableReason(context, original) ?? (await renewalInProgress(context, original)))
        : undefined);
    if (refusal || !metadata || !original || !body || !view) {
      await ack({ response_action: "update", view: renewMessageView(`:information_source: ${refusal}`) });
      return;
    }
    const values = readRenewForm(state);
    // Against what the form showed: a provider is never asked before this ack.
    const checked = checkForm(state, values, metadata, original);
    if (!checked.ok) {
      await ack({ response_action: "errors", errors: checked.errors });
      return;
    }
    if (!(await context.access.mayOrder(body.user.id))) {
      await refuseRenewal(context, body.user.id, original.reference);
      await ack({
        response_action: "update",
        view: renewMessageView(":no_entry: Only people in SSL_ORDERERS can renew certificates."),
      });
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
      approvers: metadata.approvers,
    };
    const draftId = await saveRenewalDraft(db, body.user.id, draft, context.clock.now());
    // Nothing is bought yet: the next step shows what would be, with its price.
    await ack({ response_action: "update", view: await renderReview(original, draft, draftId) });
  });

  async function renderReview(original: Order, draft: RenewalDraft, draftId: number): Promise<ModalView> {
    const owner = await getClient(db, original.clientId);
    const product = services.catalogue
      .snapshot()
      .find((entry) => entry.provider.id === original.provider)
      ?.products.find((candidate) => candidate.id === original.productId);
    const price = product
      ? quote(product, {
          periodMonths: draft.periodMonths,
          addonIds: original.addonIds,
          additionalDomains: original.sans.length,
        })
      : undefined;
    return renewReviewView({
      review: {
        clientName: owner?.name ?? "unknown client",
        providerName: context.providers.get(original.provider).displayName,
        productName: original.productName,
        periodMonths: draft.periodMonths,
        domains: [original.primaryDomain, ...original.sans].map(displayDomain),
        validation: { method: draft.dcvMethod, approverEmail: draft.approverEmail },
        addons: original.addonIds.map((id) => product?.addons.find((addon) => addon.id === id)?.name ?? id),
        price: price ? moneyText(price) : undefined,
        renews: original.reference,
      },
      contact: draft.contact,
      approvalNeeded: context.config.requireApproval,
      privateMetadata: JSON.stringify({ draftId }),
    });
  }

  /** The review step's draft and order, or the reason the review can no longer be used. */
  async function reviewed(payload: unknown) {
    const parsed = reviewBody.safeParse(payload);
    if (!parsed.success) return undefined;
    const meta = parseMetadata(reviewMetadataSchema, parsed.data.view.private_metadata);
    const draft = meta ? await loadRenewalDraft(db, meta.draftId, parsed.data.user.id) : undefined;
    const original = draft ? await getOrder(db, draft.orderId) : undefined;
    return { userId: parsed.data.user.id, viewId: parsed.data.view.id, meta, draft, original };
  }

  app.view(RENEW_REVIEW_CALLBACK, async ({ ack, body: payload }) => {
    const found = await reviewed(payload);
    const { meta, draft, original } = found ?? {};
    if (!found || !meta || !draft || !original) {
      await ack({
        response_action: "update",
        view: renewMessageView(":information_source: This form expired. Please start the renewal again."),
      });
      return;
    }
    const refusal = notRenewableReason(context, original);
    if (refusal) {
      await ack({ response_action: "update", view: renewMessageView(`:information_source: ${refusal}`) });
      return;
    }
    if (!(await context.access.mayOrder(found.userId))) {
      await refuseRenewal(context, found.userId, original.reference);
      await ack({
        response_action: "update",
        view: renewMessageView(":no_entry: Only people in SSL_ORDERERS can renew certificates."),
      });
      return;
    }
    const providerName = context.providers.get(original.provider).displayName;
    await ack({
      response_action: "update",
      view: renewMessageView(
        `:hourglass_flowing_sand: Placing the renewal of *${original.reference}* with ${escapeMrkdwn(providerName)}…`,
      ),
    });
    await submitRenewal(found.viewId, found.userId, original, draft, meta.draftId).catch(
      async (error: unknown) => {
        logger.error(`Renewal of ${original.reference} failed:`, error);
        await updateView(
          context,
          found.viewId,
          renewMessageView(`:x: ${context.describeFailure(error)}`),
        ).catch(() => undefined);
      },
    );
  });

  app.action(RENEW_ACTIONS.change, async ({ ack, body }) => {
    await ack();
    const found = await reviewed(body).catch((error: unknown) => {
      logger.error("Reading the renewal review failed:", error);
      return undefined;
    });
    if (!found?.draft || !found.original) return;
    const { draft, original } = found;
    const metadata: RenewMetadata = {
      orderId: original.id,
      channelId: draft.channelId,
      approvers: draft.approvers,
    };
    await updateView(
      context,
      found.viewId,
      await renderForm(context, services, original, valuesOfDraft(draft), metadata),
    ).catch((error: unknown) => logger.error("Going back to the renewal form failed:", error));
  });

  type Checked = { ok: true; contact: ContactSnapshot } | { ok: false; errors: Record<string, string> };

  function checkForm(
    state: StateValues,
    values: RenewFormValues,
    metadata: RenewMetadata,
    original: Order,
  ): Checked {
    const errors: Record<string, string> = {};
    // Slack shows errors only on input blocks, so a missing approver select borrows a neighbour.
    const fail = (field: RenewField, message: string, ...fallbacks: RenewField[]) => {
      const block = [field, ...fallbacks].map((candidate) => blockIdIn(state, candidate)).find(Boolean);
      if (block && !errors[block]) errors[block] = message;
    };
    const dcvMethod = values.dcvMethod ?? (original.dcvMethod as DcvMethod);
    if (dcvMethod === "email" && !metadata.approvers) {
      fail(
        "approver",
        "Wait for the approver addresses to load, or choose HTTP or DNS validation.",
        "dcvMethod",
        "contactEmail",
      );
    }
    // The renewal as an order request, through the same rules as any order (orders/order-request.ts).
    const request = checkOrderRequest(
      {
        clientId: original.clientId,
        productKey: productKey(original.provider, original.productId),
        domain: original.primaryDomain,
        sans: original.sans,
        periodMonths: values.periodMonths ?? original.periodMonths,
        serverTypeId: values.serverTypeId,
        addonIds: original.addonIds,
        dcvMethod,
        approverEmail: values.approverEmail,
        country: original.country ?? undefined,
      },
      { catalogue: services.catalogue.snapshot(), approvers: metadata.approvers },
    );
    if (!request.ok) {
      for (const [field, message] of Object.entries(request.errors)) {
        // What the form cannot change (the product, the domains) is shown on the period.
        fail(FORM_FIELD_FOR[field as OrderField] ?? "period", message ?? "", "dcvMethod", "contactEmail");
      }
    }
    // The rules a client's contacts follow (one line, 200 characters, phone in the client's country).
    const contact = validateContactInput(
      {
        firstName: values.contactFirst ?? "",
        lastName: values.contactLast ?? "",
        email: values.contactEmail ?? "",
        phone: values.contactPhone ?? "",
        title: values.contactTitle ?? "",
      },
      original.country,
    );
    if (!contact.ok) {
      for (const [field, message] of Object.entries(contact.errors))
        fail(CONTACT_FIELD[field as ContactField], message);
    }
    if (Object.keys(errors).length > 0 || !contact.ok) return { ok: false, errors };
    return { ok: true, contact: contact.value };
  }

  /** The form again, with everything kept and the reason on top (and on its field). */
  async function reopen(
    viewId: string,
    original: Order,
    values: RenewFormValues,
    metadata: RenewMetadata,
    refusal: { message: string; field: OrderField },
  ): Promise<void> {
    const field = FORM_FIELD_FOR[refusal.field];
    const extra = {
      topError: refusal.message,
      warnings: field ? { [field]: refusal.message } : undefined,
    };
    // A stale approver address needs a fresh list, not the one the form already showed.
    const stale = refusal.field === "approverEmail";
    const next = { ...metadata, approvers: stale ? undefined : metadata.approvers };
    const domain = original.primaryDomain.replace(/^\*\./, "");
    const providerName = context.providers.get(original.provider).displayName;
    await updateView(
      context,
      viewId,
      await renderForm(context, services, original, values, next, {
        ...extra,
        ...(stale ? { approvers: { state: "loading", domain, providerName } } : {}),
      }),
    );
    if (stale) await loadApprovers(context, services, viewId, original, values, next, extra);
  }

  async function tellOriginalThread(original: Order, text: string): Promise<void> {
    if (!original.slackChannel || !original.slackThreadTs) return;
    await client.chat
      .postMessage({ channel: original.slackChannel, thread_ts: original.slackThreadTs, text })
      .catch((error: unknown) => logger.warn(`Could not reply in ${original.reference}'s thread:`, error));
  }

  async function submitRenewal(
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
    const { dcvMethod, contact } = draft;
    let result: Awaited<ReturnType<AppServices["orders"]["createOrder"]>>;
    try {
      result = await services.orders.createOrder({
        clientId: original.clientId,
        providerId: original.provider,
        productId: original.productId,
        periodMonths: draft.periodMonths,
        serverTypeId: draft.serverTypeId,
        dcvMethod,
        approverEmail: draft.approverEmail,
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
        contact,
        requestedBy: userId,
        slackChannel: context.config.channel ?? (metadata.channelId || original.slackChannel || undefined),
        // One renewal per reviewed form: a double click or a Slack retry finds the first.
        idempotencyKey: `renew:${draftId}`,
        renewalOfId: original.id,
      });
    } catch (error) {
      if (error instanceof RenewalInProgressError) {
        await updateView(
          context,
          viewId,
          renewMessageView(`:information_source: *${original.reference}* ${escapeMrkdwn(error.message)}`),
        );
        return;
      }
      if (!(error instanceof OrderRequestError)) throw error;
      await reopen(viewId, original, values, metadata, error);
      return;
    }
    const { order, created } = result;
    if (!created) {
      await updateView(
        context,
        viewId,
        renewMessageView(`:information_source: This renewal was already submitted as *${order.reference}*.`),
      );
      return;
    }
    await recordEvent(db, {
      orderId: original.id,
      actor: userId,
      kind: "renewal_requested",
      detail: { renewalId: order.id, renewal: order.reference },
      at: context.clock.now(),
    });
    await tellOriginalThread(original, `:repeat: Renewal *${order.reference}* requested by <@${userId}>.`);
    if (order.status === "awaiting_approval") {
      await updateView(
        context,
        viewId,
        renewMessageView(
          `:raised_hand: *${order.reference}* (renews ${original.reference}) is waiting for approval.`,
          "Someone in SSL_APPROVERS other than you must approve it before it reaches the provider. Follow it in its thread.",
        ),
      );
      return;
    }
    const outcome = await services.orders.place(order.id, userId);
    // After place() nothing may say "nothing was changed": a failure to show the outcome is only logged.
    try {
      if (outcome.kind === "failed") {
        await reopen(viewId, original, values, metadata, outcome);
        return;
      }
      const message = placementMessage(context, outcome, original.reference);
      await updateView(context, viewId, renewMessageView(message.text, message.detail));
    } catch (error) {
      logger.warn(`Could not show ${order.reference}'s placement (${outcome.kind}) in the form:`, error);
    }
  }

  return {
    renew: async ({ request, userId, channelId, triggerId, reply }) => {
      if (request.kind !== "renew") return;
      if (!request.ref) {
        await reply({ text: "Which certificate? `/ssl renew SSL-1042` or `/ssl renew www.example.com`." });
        return;
      }
      const order = await findOrderByReference(db, request.ref);
      if (!order) {
        await reply({
          text: `:mag: No order matches “${escapeMrkdwn(clip(request.ref, 100))}”. Use a reference like SSL-1042 or a domain; \`/ssl list\` shows recent orders.`,
        });
        return;
      }
      await openRenewal(context, services, { triggerId, userId, orderId: order.id, channelId });
    },
  };
}
