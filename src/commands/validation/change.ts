import type { App } from "@slack/bolt";
import { z } from "zod";
import type { DcvMethod } from "../../domain/dcv.js";
import { displayDomain } from "../../domain/names.js";
import { getOrder, type Order } from "../../orders/repository.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import { DETAILS_ACTIONS } from "../../views/order-details.js";
import { nextStepText, ORDER_MESSAGE_ACTIONS } from "../../views/order-message.js";
import {
  VALIDATION_ACTIONS,
  VALIDATION_BLOCKS,
  VALIDATION_CALLBACK,
  validationMessageView,
  validationModalView,
} from "../../views/validation-modal.js";
import type { FeatureContext } from "../context.js";
import { refusalFor } from "../guard.js";
import {
  blockIdIn,
  inputsByField,
  modalPayload,
  parseMetadata,
  readOrderClick,
  type StateValues,
} from "../payloads.js";

/** Change validation: the pending order's button, the form, its method switch and its submission. */

const metadataSchema = z.object({ orderId: z.number().int() });
const expired = validationMessageView(
  ":information_source: This form expired. Press Change validation again.",
);

function readForm(values: StateValues): { method?: DcvMethod; approverEmail?: string; domains?: string[] } {
  const fields = inputsByField(values, VALIDATION_BLOCKS);
  const method = fields.get("method")?.selected_option?.value;
  const domains = fields.get("domains")?.selected_options?.map((chosen) => chosen.value);
  return {
    method: method === "email" || method === "http" || method === "dns" ? method : undefined,
    approverEmail: fields.get("approver")?.value?.trim() || undefined,
    ...(domains ? { domains } : {}),
  };
}

function render(
  context: FeatureContext,
  order: Order,
  values: ReturnType<typeof readForm>,
  extra: { topError?: string; warnings?: { method?: string; approver?: string; domains?: string } } = {},
) {
  const domains = [order.primaryDomain, ...order.sans];
  const { capabilities } = context.providers.get(order.provider);
  return validationModalView({
    reference: order.reference,
    domains: domains.map(displayDomain),
    providerName: context.providers.nameOf(order.provider),
    methods: capabilities.dcvMethods,
    current: { method: order.dcvMethod as DcvMethod, approverEmail: order.approverEmail ?? undefined },
    currentByDomain: domains.map((domain) => ({
      domain: displayDomain(domain),
      method:
        order.dcvInstructions?.find((instruction) => instruction.domain === domain)?.method ??
        (order.dcvMethod as DcvMethod),
    })),
    ...(capabilities.changeValidationPerDomain
      ? { domainChoices: domains.map((domain) => ({ domain, label: displayDomain(domain) })) }
      : {}),
    values,
    ...extra,
    privateMetadata: JSON.stringify({ orderId: order.id }),
  });
}

/** Opens the form (or says why not); over Details it is pushed onto the modal stack. */
async function openChangeValidation(
  context: FeatureContext,
  click: { triggerId: string; userId: string; orderId: number },
  push: boolean,
): Promise<void> {
  const order = await getOrder(context.db, click.orderId);
  const refusal = (
    await refusalFor(context, {
      userId: click.userId,
      action: "change_validation",
      subject: order?.reference ?? null,
    })
  )?.text;
  const reason = order ? context.validation.changeRefusal(order) : "That order no longer exists.";
  const view =
    refusal || reason || !order
      ? validationMessageView(refusal ?? `:information_source: ${escapeMrkdwn(reason ?? "")}`)
      : render(context, order, {});
  await (push
    ? context.slack.pushModal(click.triggerId, view)
    : context.slack.openModal(click.triggerId, view));
}

export function registerChangeValidation(app: App, context: FeatureContext): void {
  app.action(ORDER_MESSAGE_ACTIONS.changeValidation, async ({ ack, body }) => {
    await ack();
    const click = readOrderClick(body);
    if (click) await openChangeValidation(context, click, false);
  });

  // The same from Details, a modal already: the form goes on top of it.
  app.action(DETAILS_ACTIONS.changeValidation, async ({ ack, body }) => {
    await ack();
    const click = readOrderClick(body);
    if (click) await openChangeValidation(context, click, true);
  });

  // Another method redraws the form: e-mail asks for an approver address, the others not.
  app.action(VALIDATION_ACTIONS.method, async ({ ack, body }) => {
    await ack();
    const parsed = modalPayload.safeParse(body);
    const metadata = parsed.success
      ? parseMetadata(metadataSchema, parsed.data.view.private_metadata)
      : undefined;
    const order = metadata ? await getOrder(context.db, metadata.orderId) : undefined;
    if (!parsed.success || !order) return;
    await context.slack
      .updateModal(
        parsed.data.view.id,
        render(context, order, readForm(parsed.data.view.state?.values ?? {})),
      )
      .catch((error: unknown) => context.logger.error("Validation form update failed:", error));
  });

  app.view(VALIDATION_CALLBACK, async ({ ack, body }) => {
    const parsed = modalPayload.safeParse(body);
    const metadata = parsed.success
      ? parseMetadata(metadataSchema, parsed.data.view.private_metadata)
      : undefined;
    const order = metadata ? await getOrder(context.db, metadata.orderId) : undefined;
    if (!parsed.success || !order) return ack({ response_action: "update", view: expired });
    const { user, view } = parsed.data;
    const state = view.state?.values ?? {};
    const refused = await refusalFor(context, {
      userId: user.id,
      action: "change_validation",
      subject: order.reference,
    });
    if (refused) return ack({ response_action: "update", view: validationMessageView(refused.text) });
    const values = readForm(state);
    const method = values.method ?? (order.dcvMethod as DcvMethod);
    if (values.domains?.length === 0) {
      const block = blockIdIn(state, VALIDATION_BLOCKS.domains);
      if (block)
        return ack({
          response_action: "errors",
          errors: { [block]: "Choose at least one domain to change." },
        });
    }
    if (method === "email" && !values.approverEmail) {
      const block = blockIdIn(state, VALIDATION_BLOCKS.approver);
      if (block)
        return ack({ response_action: "errors", errors: { [block]: "Enter the approver address." } });
    }
    const providerName = context.providers.nameOf(order.provider);
    await ack({
      response_action: "update",
      view: validationMessageView(`:hourglass_flowing_sand: Telling ${escapeMrkdwn(providerName)}…`),
    });
    const outcome = await context.validation
      .changeValidation(order.id, user.id, {
        method,
        approverEmail: values.approverEmail,
        domains: values.domains,
      })
      .catch(async (error: unknown) => {
        context.logger.error(`Changing the validation of ${order.reference} failed:`, error);
        await context.slack
          .updateModal(view.id, validationMessageView(`:x: ${context.describeFailure(error)}`))
          .catch(() => undefined);
        return undefined;
      });
    if (!outcome) return;
    const changedDomains = values.domains ?? [order.primaryDomain, ...order.sans];
    const which =
      changedDomains.length < 1 + order.sans.length
        ? ` for ${escapeMrkdwn(changedDomains.map(displayDomain).join(", ").slice(0, 500))}`
        : "";
    const next =
      outcome.kind === "changed"
        ? validationMessageView(
            `:white_check_mark: *${outcome.order.reference}* is validated by ${method === "email" ? "e-mail" : method === "http" ? "an HTTP file" : "a DNS record"}${which} from now on.`,
            nextStepText(
              { dcvMethod: method, approverEmail: values.approverEmail ?? null, providerName },
              (outcome.order.dcvInstructions ?? []).filter((instruction) =>
                changedDomains.includes(instruction.domain),
              ),
            ),
          )
        : outcome.kind === "not_applicable"
          ? validationMessageView(`:information_source: ${escapeMrkdwn(outcome.reason)}`)
          : render(context, order, values, {
              topError: outcome.message,
              warnings:
                outcome.field === "approverEmail"
                  ? { approver: outcome.message }
                  : outcome.field === "domain"
                    ? { domains: outcome.message }
                    : undefined,
            });
    await context.slack.updateModal(view.id, next).catch((error: unknown) => {
      context.logger.warn(`Could not show the validation change of ${order.reference}:`, error);
    });
  });
}
