import type { App } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import { z } from "zod";
import type { ContactField } from "../domain/client.js";
import { moneyText, quote } from "../domain/money.js";
import { displayDomain } from "../domain/names.js";
import type { OrderField } from "../domain/order.js";
import { findProduct, type ProviderCatalogue, productKey } from "../domain/product.js";
import {
  type Client,
  findClientByName,
  getClient,
  listContacts,
  searchClients,
  validateContactInput,
} from "../orders/clients.js";
import { loadDraft, type OrderDraft, saveDraft } from "../orders/drafts.js";
import { checkOrderRequest } from "../orders/order-request.js";
import { OrderRequestError } from "../orders/order-service.js";
import { checkDomain } from "../orders/validation.js";
import { ProviderInputError } from "../providers/errors.js";
import { escapeMrkdwn, option } from "../views/blocks.js";
import {
  type ApproverState,
  effectiveProductKey,
  ORDER_ACTIONS,
  ORDER_STEP1_CALLBACK,
  ORDER_STEP2_CALLBACK,
  type OrderFormField,
  type OrderFormValues,
  orderConfirmationView,
  orderProgressView,
  orderStep1View,
  orderStep2View,
} from "../views/order-modal.js";
import type { PurchaseReview } from "../views/purchase-review.js";
import type { AppServices, HandlerContext } from "./context.js";
import {
  blockIdOf,
  parseMetadata,
  readContactForm,
  readOrderForm,
  type Step1Metadata,
  stateValuesSchema,
  step1MetadataSchema,
  step2MetadataSchema,
} from "./order-form.js";
import { placementMessage } from "./placement.js";
import type { SubcommandHandlers } from "./ssl-command.js";

/** The parts of a modal payload these handlers rely on. */
const viewPayload = z.object({
  id: z.string(),
  private_metadata: z.string().optional(),
  previous_view_id: z.string().nullish(),
  state: z.object({ values: stateValuesSchema }),
});
const actionBody = z.object({ user: z.object({ id: z.string() }), view: viewPayload });

const CONTACT_FORM_FIELD: Record<ContactField, OrderFormField> = {
  firstName: "contactFirst",
  lastName: "contactLast",
  email: "contactEmail",
  phone: "contactPhone",
  title: "contactTitle",
};

/** Where a provider's field error is shown on step 1. */
const FORM_FIELD_FOR: Partial<Record<OrderField, OrderFormField>> = {
  client: "client",
  addons: "addons",
  domain: "domain",
  sans: "sans",
  approverEmail: "approver",
  product: "product",
  period: "period",
  serverType: "serverType",
  dcvMethod: "dcvMethod",
  country: "country",
  organisation: "organisation",
};

export function registerOrderHandlers(
  app: App,
  context: HandlerContext,
  services: AppServices,
): SubcommandHandlers {
  const { db, logger, client } = context;

  async function clientPrefill(found: Client | undefined): Promise<Partial<OrderFormValues>> {
    if (!found) return {};
    return {
      clientId: found.id,
      organisation: found.organisation ?? undefined,
      state: found.state ?? undefined,
      country: found.country ?? undefined,
    };
  }

  function providerFor(
    catalogue: ProviderCatalogue[],
    values: OrderFormValues,
  ): ProviderCatalogue | undefined {
    return findProduct(catalogue, effectiveProductKey({ values, catalogue }))?.entry;
  }

  async function renderStep1(
    values: OrderFormValues,
    metadata: Step1Metadata,
    extra: {
      approvers?: ApproverState;
      warnings?: Partial<Record<OrderFormField, string>>;
      topError?: string;
      known?: Client;
    } = {},
  ): Promise<ModalView> {
    const catalogue = services.catalogue.snapshot();
    const found =
      extra.known && extra.known.id === values.clientId
        ? extra.known
        : values.clientId
          ? await getClient(db, values.clientId)
          : undefined;
    const approvers: ApproverState =
      extra.approvers ??
      (metadata.approvers && metadata.approvers.domain === normalisedDomain(values.domain)
        ? { state: "loaded", domain: metadata.approvers.domain, emails: metadata.approvers.emails }
        : { state: "idle" });
    return orderStep1View({
      values,
      client: found ? { id: found.id, name: found.name } : undefined,
      catalogue,
      approvers,
      warnings: extra.warnings,
      topError: extra.topError,
      privateMetadata: JSON.stringify(metadata),
    });
  }

  /** Loading state, then the provider's DCV list (or its reason) in the Approval Email select. */
  async function loadApprovers(
    viewId: string,
    values: OrderFormValues,
    metadata: Step1Metadata,
    opened?: { known?: Client; showsLoading?: boolean },
  ): Promise<void> {
    const known = opened?.known;
    const checked = checkDomain(values.domain ?? "", { allowWildcard: true });
    if (!checked.ok) {
      await updateView(
        viewId,
        await renderStep1(
          values,
          { ...metadata, approvers: undefined },
          { warnings: { domain: checked.message }, known },
        ),
      );
      return;
    }
    const entry = providerFor(services.catalogue.snapshot(), values);
    if (!entry) return;
    const domain = checked.value.replace(/^\*\./, "");
    if (!opened?.showsLoading) {
      await updateView(
        viewId,
        await renderStep1(values, metadata, {
          approvers: { state: "loading", domain, providerName: entry.provider.displayName },
          known,
        }),
      );
    }
    try {
      const emails = await context.providers.get(entry.provider.id).getApproverEmails(checked.value);
      const next = { ...metadata, approvers: { domain, emails: emails.slice(0, 100) } };
      await updateView(viewId, await renderStep1(values, next, { known }));
    } catch (error) {
      const message = (error as Error).message;
      const extra =
        error instanceof ProviderInputError
          ? { warnings: { domain: message } }
          : { approvers: { state: "error", domain, message } as ApproverState, known };
      await updateView(viewId, await renderStep1(values, { ...metadata, approvers: undefined }, extra));
    }
  }

  async function updateView(viewId: string, view: ModalView): Promise<void> {
    await client.views.update({ view_id: viewId, view });
  }

  app.options(ORDER_ACTIONS.client, async ({ options, ack }) => {
    // PostgreSQL text cannot hold NUL, and no client name contains a control character.
    const query =
      typeof options.value === "string" ? options.value.slice(0, 100).replace(/\p{Cc}/gu, "") : "";
    const found = await searchClients(db, query, 100).catch((error: unknown) => {
      logger.error("Client search failed:", error);
      return [];
    });
    await ack({ options: found.map((entry) => option(entry.name, String(entry.id))) });
  });

  app.action(ORDER_ACTIONS.domain, async ({ ack, body }) => {
    await ack();
    const parsed = actionBody.safeParse(body);
    if (!parsed.success) return;
    const { view } = parsed.data;
    const metadata = parseMetadata(step1MetadataSchema, view.private_metadata) ?? { channelId: "" };
    await loadApprovers(view.id, readOrderForm(view.state.values), metadata).catch((error: unknown) =>
      logger.error("Approver list update failed:", error),
    );
  });

  const rebuildOnChange = async (body: unknown, prefillClient: boolean) => {
    const parsed = actionBody.safeParse(body);
    if (!parsed.success) return;
    const { view } = parsed.data;
    const metadata = parseMetadata(step1MetadataSchema, view.private_metadata) ?? { channelId: "" };
    let values = readOrderForm(view.state.values);
    if (prefillClient && values.clientId) {
      values = { ...values, ...(await clientPrefill(await getClient(db, values.clientId))) };
    }
    const before = metadata.approvers;
    await updateView(view.id, await renderStep1(values, metadata));
    // Another provider has its own approver list: fetch it for the new product.
    if (values.domain && before && !prefillClient && providerFor(services.catalogue.snapshot(), values)) {
      await loadApprovers(view.id, values, metadata);
    }
  };

  app.action(ORDER_ACTIONS.client, async ({ ack, body }) => {
    await ack();
    await rebuildOnChange(body, true).catch((error: unknown) =>
      logger.error("Order form update failed:", error),
    );
  });
  for (const action of [ORDER_ACTIONS.product, ORDER_ACTIONS.dcvMethod]) {
    app.action(action, async ({ ack, body }) => {
      await ack();
      await rebuildOnChange(body, false).catch((error: unknown) =>
        logger.error("Order form update failed:", error),
      );
    });
  }
  app.action(ORDER_ACTIONS.contactPick, async ({ ack, body }) => {
    await ack();
    const parsed = actionBody.safeParse(body);
    if (!parsed.success) return;
    const meta = parseMetadata(step2MetadataSchema, parsed.data.view.private_metadata);
    const draft = meta ? await loadDraft(db, meta.draftId, parsed.data.user.id) : undefined;
    if (!meta || !draft) return;
    const picked = readContactForm(parsed.data.view.state.values).contactId;
    await updateView(parsed.data.view.id, await renderStep2(draft, meta.draftId, picked)).catch(
      (error: unknown) => logger.error("Contact step update failed:", error),
    );
  });

  async function renderStep2(draft: OrderDraft, draftId: number, selectedId?: number): Promise<ModalView> {
    const found = await getClient(db, draft.clientId);
    const contacts = await listContacts(db, draft.clientId);
    const clientName = found?.name ?? "the client";
    return orderStep2View({
      clientName,
      domain: displayDomain(draft.primaryDomain),
      review: reviewOf(draft, clientName),
      approvalNeeded: context.config.requireApproval,
      contacts,
      selected: contacts.find((contact) => contact.id === selectedId),
      privateMetadata: JSON.stringify({ draftId }),
    });
  }

  /** What step 2 shows will be bought: the draft, with names and list prices from the catalogue. */
  function reviewOf(draft: OrderDraft, clientName: string): PurchaseReview {
    const chosen = findProduct(services.catalogue.snapshot(), productKey(draft.providerId, draft.productId));
    const price = chosen
      ? quote(chosen.product, {
          periodMonths: draft.periodMonths,
          addonIds: draft.addonIds,
          additionalDomains: draft.sans.length,
        })
      : undefined;
    return {
      clientName,
      providerName: context.providers.has(draft.providerId)
        ? context.providers.get(draft.providerId).displayName
        : draft.providerId,
      productName: chosen?.product.name ?? draft.productId,
      periodMonths: draft.periodMonths,
      domains: [draft.primaryDomain, ...draft.sans].map(displayDomain),
      validation: { method: draft.dcvMethod, approverEmail: draft.approverEmail },
      addons: draft.addonIds.map((id) => chosen?.product.addons.find((addon) => addon.id === id)?.name ?? id),
      price: price ? moneyText(price) : undefined,
    };
  }

  /** A submission Slack would not send (no state, wrong types): the form cannot be trusted, so start over. */
  const unreadableForm = {
    response_action: "update" as const,
    view: orderConfirmationView(":warning: This form expired. Please run `/ssl order` again."),
  };

  app.view(ORDER_STEP1_CALLBACK, async ({ ack, body: payload }) => {
    const parsed = actionBody.safeParse(payload);
    if (!parsed.success) return ack(unreadableForm);
    const body = parsed.data;
    const { view } = body;
    const values = view.state.values;
    const form = readOrderForm(values);
    const metadata = parseMetadata(step1MetadataSchema, view.private_metadata) ?? { channelId: "" };
    // What the form showed: a provider is never asked before this ack.
    const result = validateStep1(form, metadata, services.catalogue.snapshot());
    if (!result.ok) {
      const errors = Object.fromEntries(
        Object.entries(result.errors).map(([field, message]) => [
          blockIdOf(values, field as OrderFormField),
          message,
        ]),
      );
      await ack({ response_action: "errors", errors });
      return;
    }
    // The CSR's locality comes from the client's city; the form does not ask for it again.
    const city = (await getClient(db, result.draft.clientId))?.city ?? undefined;
    const draft: OrderDraft = {
      ...result.draft,
      organisation: { ...result.draft.organisation, locality: city },
      renewalOfId: metadata.renewalOfId,
      approvers: metadata.approvers,
    };
    const draftId = await saveDraft(db, body.user.id, draft, context.clock.now());
    const step2 = await renderStep2(draft, draftId);
    // A rebuilt step 1 (after a provider error) sits on top of the original: replace it rather than
    // pushing a third view.
    await ack({ response_action: view.previous_view_id ? "update" : "push", view: step2 });
  });

  app.view(ORDER_STEP2_CALLBACK, async ({ ack, body: payload }) => {
    const parsed = actionBody.safeParse(payload);
    if (!parsed.success) return ack(unreadableForm);
    const body = parsed.data;
    const { view } = body;
    const values = view.state.values;
    const meta = parseMetadata(step2MetadataSchema, view.private_metadata);
    const draft = meta ? await loadDraft(db, meta.draftId, body.user.id) : undefined;
    if (!meta || !draft) {
      await ack({
        response_action: "update",
        view: orderConfirmationView(":warning: This form expired. Please run `/ssl order` again."),
      });
      return;
    }
    // The rules a client's contacts follow (one line, 200 characters, phone in the client's country).
    const contact = validateContactInput(readContactForm(values), draft.organisation.country);
    if (!contact.ok) {
      await ack({
        response_action: "errors",
        errors: Object.fromEntries(
          Object.entries(contact.errors).map(([field, message]) => [
            blockIdOf(values, CONTACT_FORM_FIELD[field as ContactField]),
            message,
          ]),
        ),
      });
      return;
    }
    if (!(await context.access.mayOrder(body.user.id))) {
      await refuseOrder(body.user.id, draft.primaryDomain);
      await ack({
        response_action: "update",
        view: orderConfirmationView(":no_entry: You are not allowed to order certificates (SSL_ORDERERS)."),
      });
      return;
    }
    const providerName = context.providers.get(draft.providerId).displayName;
    await ack({
      response_action: "update",
      view: orderProgressView(
        "Order SSL Cert",
        `Generating the key pair and placing the order with ${providerName}…`,
      ),
    });
    await submitOrder(view.id, body.user.id, meta.draftId, draft, contact.value).catch(
      async (error: unknown) => {
        logger.error("Order submission failed:", error);
        await updateView(view.id, orderConfirmationView(`:x: ${context.describeFailure(error)}`)).catch(
          () => undefined,
        );
      },
    );
  });

  async function refuseOrder(userId: string, domain: string | null): Promise<void> {
    const at = context.clock.now();
    await context.refusals.record({
      actor: userId,
      action: "order",
      subject: domain,
      reason: "not in SSL_ORDERERS",
      at,
    });
  }

  /** Step 1 again with everything kept, the refusal on top and on its field. */
  async function backToStep1(
    viewId: string,
    draft: OrderDraft,
    refusal: { field: OrderField; message: string },
  ): Promise<void> {
    const field = FORM_FIELD_FOR[refusal.field];
    const view = await renderStep1(
      draft.form as OrderFormValues,
      { channelId: draft.channelId, renewalOfId: draft.renewalOfId, approvers: draft.approvers },
      { topError: refusal.message, warnings: field ? { [field]: refusal.message } : undefined },
    );
    await updateView(viewId, view);
  }

  async function submitOrder(
    viewId: string,
    userId: string,
    draftId: number,
    draft: OrderDraft,
    contact: { firstName: string; lastName: string; email: string; phone: string; title: string },
  ): Promise<void> {
    let stored: Awaited<ReturnType<AppServices["orders"]["createOrder"]>>;
    try {
      stored = await services.orders.createOrder({
        ...draft,
        contact,
        requestedBy: userId,
        slackChannel: context.config.channel ?? draft.channelId,
        idempotencyKey: `draft:${draftId}`,
      });
    } catch (error) {
      // A rule refused it (the product left the list meanwhile, say): step 1 again, as for a provider.
      if (!(error instanceof OrderRequestError)) throw error;
      await backToStep1(viewId, draft, error);
      return;
    }
    const { order, created } = stored;
    if (!created) {
      await updateView(
        viewId,
        orderConfirmationView(
          `:information_source: This form was already submitted as *${order.reference}*.`,
        ),
      );
      return;
    }
    if (order.status === "awaiting_approval") {
      await updateView(
        viewId,
        orderConfirmationView(
          `:raised_hand: *${order.reference}* for ${displayDomain(order.primaryDomain)} is waiting for approval.`,
          "Someone in SSL_APPROVERS other than you must approve it before it reaches the provider. Follow it in its thread.",
        ),
      );
      return;
    }
    const outcome = await services.orders.place(order.id, userId);
    // After place() nothing may say "nothing was changed": a failure to show the outcome is only logged.
    try {
      if (outcome.kind === "failed") {
        await backToStep1(viewId, draft, outcome);
        return;
      }
      const message = placementMessage(context, outcome);
      await updateView(viewId, orderConfirmationView(message.text, message.detail));
    } catch (error) {
      logger.warn(`Could not show ${order.reference}'s placement (${outcome.kind}) in the form:`, error);
    }
  }

  return {
    order: async ({ request, userId, channelId, triggerId, reply }) => {
      if (request.kind !== "order") return;
      if (!(await context.access.mayOrder(userId))) {
        await refuseOrder(userId, request.domain ?? null);
        await reply({
          text: ":no_entry: You are not allowed to order certificates. Ask an admin to add you to SSL_ORDERERS.",
        });
        return;
      }
      const found = request.client ? await findClientByName(db, request.client) : undefined;
      const values: OrderFormValues = { domain: request.domain, ...(await clientPrefill(found)) };
      const metadata: Step1Metadata = { channelId };
      const warnings =
        request.client && !found
          ? {
              client: `No client named “${escapeMrkdwn(request.client)}”; pick one, or add it with \`/ssl client add\`.`,
            }
          : undefined;
      const catalogue = services.catalogue.snapshot();
      const usable = catalogue.some((candidate) => candidate.products.length > 0);
      const entry = providerFor(catalogue, values);
      const opened = await client.views.open({
        trigger_id: triggerId,
        view: usable
          ? await renderStep1(values, metadata, {
              warnings,
              known: found,
              approvers: request.domain
                ? {
                    state: "loading",
                    domain: request.domain,
                    providerName: entry?.provider.displayName ?? "the provider",
                  }
                : undefined,
            })
          : orderProgressView("Order SSL Cert", "Loading the providers' products…"),
      });
      const viewId = opened.view?.id;
      if (!viewId) return;
      if (!usable) {
        // Only now, with the modal open: the first provider to answer fills the form.
        await services.catalogue.firstUsable();
        if (!request.domain) {
          await updateView(viewId, await renderStep1(values, metadata, { warnings, known: found }));
        }
      }
      if (request.domain) {
        await loadApprovers(viewId, values, metadata, {
          known: found,
          showsLoading: usable && Boolean(entry),
        });
      }
    },
  };
}

function normalisedDomain(domain: string | undefined): string | undefined {
  const checked = checkDomain(domain ?? "", { allowWildcard: true });
  return checked.ok ? checked.value.replace(/^\*\./, "") : undefined;
}

type Step1Result =
  | { ok: true; draft: OrderDraft }
  | { ok: false; errors: Partial<Record<OrderFormField, string>> };

/** Step 1 through the order rules (orders/order-request.ts); the provider re-checks at placement. */
function validateStep1(
  form: OrderFormValues,
  metadata: Step1Metadata,
  catalogue: ProviderCatalogue[],
): Step1Result {
  const result = checkOrderRequest(
    {
      clientId: form.clientId,
      productKey: effectiveProductKey({ values: form, catalogue }),
      domain: form.domain,
      sans: (form.sans ?? "").split(/[\s,;]+/).filter(Boolean),
      periodMonths: form.periodMonths,
      serverTypeId: form.serverTypeId,
      addonIds: form.addonIds,
      dcvMethod: form.dcvMethod,
      approverEmail: form.approverEmail,
      country: form.country,
    },
    // No list loaded yet reads as a list for no domain: "press Enter in the Domain field".
    { catalogue, approvers: metadata.approvers ?? { domain: "", emails: [] } },
  );
  if (!result.ok) {
    const errors: Partial<Record<OrderFormField, string>> = {};
    for (const [field, message] of Object.entries(result.errors)) {
      const formField = FORM_FIELD_FOR[field as OrderField];
      if (formField && message) errors[formField] ??= message;
    }
    return { ok: false, errors };
  }
  const order = result.value;
  return {
    ok: true,
    draft: {
      clientId: order.clientId,
      providerId: order.providerId,
      productId: order.product.id,
      periodMonths: order.periodMonths,
      serverTypeId: order.serverTypeId,
      dcvMethod: order.dcvMethod,
      approverEmail: order.approverEmail,
      primaryDomain: order.primaryDomain,
      sans: order.sans,
      addonIds: order.addonIds,
      organisation: { name: form.organisation, unit: form.unit, state: form.state, country: order.country },
      channelId: metadata.channelId,
      form: { ...form },
    },
  };
}
