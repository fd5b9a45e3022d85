import type { App } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import { baseName } from "../../domain/names.js";
import { findProduct } from "../../domain/product.js";
import type { Finding } from "../../domain/readiness.js";
import { type Client, getClient, searchClients } from "../../orders/clients.js";
import { saveDraft } from "../../orders/drafts.js";
import { checkDomain } from "../../orders/validation.js";
import { ViewChangedError } from "../../slack/slack.js";
import { option } from "../../views/blocks.js";
import { type ApproverState, chooseDcvMethod } from "../../views/dcv-fields.js";
import {
  effectiveProductKey,
  ORDER_ACTIONS,
  ORDER_STEP1_CALLBACK,
  type OrderFormField,
  type OrderFormValues,
  orderConfirmationView,
  orderStep1View,
} from "../../views/order-modal.js";
import { fetchApprovers } from "../approvers.js";
import type { FeatureContext } from "../context.js";
import { modalPayload, parseMetadata } from "../payloads.js";
import { blockIdOf, readOrderForm, type Step1Metadata, step1MetadataSchema, validateStep1 } from "./form.js";
import { renderStep2 } from "./step2.js";

/** Step 1 of "Order SSL Cert": client, domain and its approver list, product and what depends on it. */

export interface Step1Extra {
  approvers?: ApproverState;
  warnings?: Partial<Record<OrderFormField, string>>;
  topError?: string;
  /** "Will it issue?" for the domain, once the check answered. */
  readiness?: { domain: string; findings: Finding[] };
  /** The client already read, to save reading it again. */
  known?: Client;
}

export function clientPrefill(found: Client | undefined): Partial<OrderFormValues> {
  if (!found) return {};
  return {
    clientId: found.id,
    organisation: found.organisation ?? undefined,
    state: found.state ?? undefined,
    country: found.country ?? undefined,
  };
}

function loadedFor(metadata: Step1Metadata, domain: string | undefined): ApproverState {
  const checked = checkDomain(domain ?? "");
  const list = metadata.approvers;
  return list && checked.ok && list.domain === baseName(checked.value)
    ? { state: "loaded", domain: list.domain, emails: list.emails }
    : { state: "idle" };
}

export async function renderStep1(
  context: FeatureContext,
  values: OrderFormValues,
  metadata: Step1Metadata,
  extra: Step1Extra = {},
): Promise<ModalView> {
  const found =
    extra.known && extra.known.id === values.clientId
      ? extra.known
      : values.clientId
        ? await getClient(context.db, values.clientId)
        : undefined;
  return orderStep1View({
    values,
    client: found ? { id: found.id, name: found.name } : undefined,
    catalogue: context.catalogue.snapshot(),
    approvers: extra.approvers ?? loadedFor(metadata, values.domain),
    warnings: extra.warnings,
    topError: extra.topError,
    readiness: extra.readiness,
    privateMetadata: JSON.stringify(metadata),
  });
}

/** Step 1 as the domain's lookups leave it: the metadata to keep and what the form shows. */
export interface Step1State {
  metadata: Step1Metadata;
  extra: Step1Extra;
}

/**
 * The approver list and "Will it issue?" for the form's domain, both started at once (after the
 * ack: they ask the provider and DNS). `refused` when the domain itself is not acceptable.
 */
export type DomainLookup =
  | { kind: "refused"; state: Step1State }
  | {
      kind: "looking";
      /** What the Approval Email field shows until the list is there. */
      loading: ApproverState;
      approvers: Promise<Step1State>;
      /** Undefined when the check failed (logged): the form simply goes without it. */
      readiness: Promise<Step1Extra["readiness"]>;
    };

export function lookUpDomain(
  context: FeatureContext,
  values: OrderFormValues,
  metadata: Step1Metadata,
): DomainLookup | undefined {
  const checked = checkDomain(values.domain ?? "");
  if (!checked.ok) {
    return {
      kind: "refused",
      state: {
        metadata: { ...metadata, approvers: undefined },
        extra: { warnings: { domain: checked.message } },
      },
    };
  }
  const catalogue = context.catalogue.snapshot();
  const offered = findProduct(catalogue, effectiveProductKey({ values, catalogue }));
  if (!offered) return undefined;
  const { entry } = offered;
  const domain = baseName(checked.value);
  const readiness = context.validation
    .checkBeforeOrder({
      providerId: entry.provider.id,
      productId: offered.product.id,
      domains: [checked.value],
      method: chooseDcvMethod(entry.provider.dcvMethods, values.dcvMethod),
    })
    .then((findings) => ({ domain: checked.value, findings }))
    .catch((error: unknown) => {
      context.logger.warn("The order form's validation check failed:", error);
      return undefined;
    });
  const approvers = fetchApprovers(context, entry.provider.id, checked.value).then(
    (fetched): Step1State =>
      fetched.ok
        ? { metadata: { ...metadata, approvers: fetched.list }, extra: {} }
        : {
            metadata: { ...metadata, approvers: undefined },
            extra: fetched.aboutDomain
              ? { warnings: { domain: fetched.message } }
              : { approvers: { state: "error", domain, message: fetched.message } },
          },
  );
  return {
    kind: "looking",
    loading: { state: "loading", domain, providerName: entry.provider.displayName },
    approvers,
    readiness,
  };
}

/**
 * How long a new form waits for its domain's lookups before it opens without them. Long enough for
 * what answers at once (the sandbox's list, a cached DNS answer): the form then opens complete, in
 * one call instead of an open and one or two updates. Short, because the wait is paid whenever a
 * lookup is slow (a provider's list over HTTP takes longer than any grace) and in a burst of orders,
 * when a busy process answers everything late: bench/ack-latency at 50 orders in flight opened at
 * p50 196 ms / p99 1.05 s with 200 ms, 192 ms / 0.70 s with 25 ms (the minimal app: 113 ms / 0.46 s).
 */
export const OPEN_GRACE_MS = 25;

/**
 * The promise's value if it settles within `ms` (with 0: if it already has), else undefined; it
 * goes on either way, nothing is lost.
 */
export async function within<T>(ms: number, promise: Promise<T>): Promise<T | undefined> {
  if (ms <= 0) return ifSettled(promise);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What the lookups answered within `ms` (the approver list, then "Will it issue?" in what is left),
 * for a form about to be shown; what did not answer follows with showDomainLookup.
 */
export async function answeredWithin(
  ms: number,
  lookup: DomainLookup,
): Promise<{ state?: Step1State; readiness?: Step1Extra["readiness"] }> {
  if (lookup.kind === "refused") return { state: lookup.state };
  const deadline = performance.now() + ms;
  const state = await within(ms, lookup.approvers);
  if (!state) return {};
  return { state, readiness: await within(Math.max(0, deadline - performance.now()), lookup.readiness) };
}

/** The value of a promise that has already settled, without waiting; undefined while it is pending. */
async function ifSettled<T>(promise: Promise<T>): Promise<T | undefined> {
  return Promise.race([promise, Promise.resolve(undefined)]);
}

/**
 * Shows in the open form `viewId` what the lookups had not answered when it was shown (`shown`):
 * the approver list (with "Will it issue?" when that answered too, in one update), then "Will it
 * issue?" on its own, only over the form just shown: if the person changed it meanwhile (another
 * domain, product), that change's own lookups follow, and this one is dropped rather than undo
 * their change.
 */
export async function showDomainLookup(
  context: FeatureContext,
  viewId: string,
  values: OrderFormValues,
  lookup: DomainLookup,
  shown: { state?: Step1State; readiness?: boolean; hash?: string; known?: Client },
): Promise<void> {
  const show = async (state: Step1State, extra: Step1Extra, hash?: string) =>
    context.slack.updateModal(
      viewId,
      await renderStep1(context, values, state.metadata, { ...state.extra, ...extra, known: shown.known }),
      hash,
    );
  if (lookup.kind === "refused") {
    if (!shown.state) await show(lookup.state, {});
    return;
  }
  let hash = shown.hash;
  let state = shown.state;
  if (!state) {
    state = await lookup.approvers;
    const readiness = await ifSettled(lookup.readiness);
    hash = await show(state, readiness ? { readiness } : {});
    if (readiness) return;
  } else if (shown.readiness) {
    return;
  }
  const readiness = await lookup.readiness;
  if (!readiness) return;
  await show(state, { readiness }, hash).catch((error: unknown) => {
    if (!(error instanceof ViewChangedError)) throw error;
  });
}

/**
 * The form's domain changed (or what its list depends on): what its lookups answer within the
 * grace in one update, else a loading state first; the rest follows.
 */
export async function loadApprovers(
  context: FeatureContext,
  viewId: string,
  values: OrderFormValues,
  metadata: Step1Metadata,
): Promise<void> {
  const lookup = lookUpDomain(context, values, metadata);
  if (!lookup) return;
  if (lookup.kind === "refused") {
    await showDomainLookup(context, viewId, values, lookup, {});
    return;
  }
  const shown = await answeredWithin(context.formGraceMs ?? OPEN_GRACE_MS, lookup);
  const hash = await context.slack.updateModal(
    viewId,
    await renderStep1(context, values, shown.state?.metadata ?? metadata, {
      ...shown.state?.extra,
      readiness: shown.readiness,
      ...(shown.state ? {} : { approvers: lookup.loading }),
    }),
  );
  await showDomainLookup(context, viewId, values, lookup, {
    state: shown.state,
    readiness: Boolean(shown.readiness),
    hash,
  });
}

/** A submission Slack would not send (no state, wrong types): the form cannot be trusted, so start over. */
export const expiredForm = {
  response_action: "update" as const,
  view: orderConfirmationView(":warning: This form expired. Please run `/ssl order` again."),
};

function readStep1(body: unknown) {
  const parsed = modalPayload.safeParse(body);
  if (!parsed.success || !parsed.data.view.state) return undefined;
  const { view } = parsed.data;
  const metadata = parseMetadata(step1MetadataSchema, view.private_metadata) ?? { channelId: "" };
  return { userId: parsed.data.user.id, view, values: view.state?.values ?? {}, metadata };
}

export function registerStep1(app: App, context: FeatureContext): void {
  const { db, logger } = context;

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
    const form = readStep1(body);
    if (!form) return;
    await loadApprovers(context, form.view.id, readOrderForm(form.values), form.metadata).catch(
      (error: unknown) => logger.error("Approver list update failed:", error),
    );
  });

  /** The client, product or method changed: rebuild what depends on it, keeping what was typed. */
  const rebuild = async (body: unknown, clientChanged: boolean) => {
    const form = readStep1(body);
    if (!form) return;
    let values = readOrderForm(form.values);
    if (clientChanged && values.clientId) {
      values = { ...values, ...clientPrefill(await getClient(db, values.clientId)) };
    }
    await context.slack.updateModal(form.view.id, await renderStep1(context, values, form.metadata));
    // Another provider has its own approver list: fetch it for the new product.
    if (values.domain && form.metadata.approvers && !clientChanged) {
      await loadApprovers(context, form.view.id, values, form.metadata);
    }
  };
  for (const [action, clientChanged] of [
    [ORDER_ACTIONS.client, true],
    [ORDER_ACTIONS.product, false],
    [ORDER_ACTIONS.dcvMethod, false],
  ] as const) {
    app.action(action, async ({ ack, body }) => {
      await ack();
      await rebuild(body, clientChanged).catch((error: unknown) =>
        logger.error("Order form update failed:", error),
      );
    });
  }

  app.view(ORDER_STEP1_CALLBACK, async ({ ack, body }) => {
    const form = readStep1(body);
    if (!form) return ack(expiredForm);
    const values = readOrderForm(form.values);
    // Against what the form showed: a provider is never asked before this ack.
    const result = validateStep1(values, form.metadata, context.catalogue.snapshot());
    if (!result.ok) {
      const errors = Object.fromEntries(
        Object.entries(result.errors).map(([field, message]) => [
          blockIdOf(form.values, field as OrderFormField),
          message,
        ]),
      );
      await ack({ response_action: "errors", errors });
      return;
    }
    // The CSR's locality comes from the client's city; the form does not ask for it again.
    const city = (await getClient(db, result.draft.clientId))?.city ?? undefined;
    const draft = {
      ...result.draft,
      organisation: { ...result.draft.organisation, locality: city },
      renewalOfId: form.metadata.renewalOfId,
      approvers: form.metadata.approvers,
    };
    const draftId = await saveDraft(db, form.userId, draft, context.clock.now());
    const step2 = await renderStep2(context, draft, draftId);
    // A rebuilt step 1 (after a refusal) sits on top of the original: replace it rather than pushing a third view.
    await ack({ response_action: form.view.previous_view_id ? "update" : "push", view: step2 });
  });
}
