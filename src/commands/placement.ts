import { displayDomain } from "../domain/names.js";
import type { PlacementOutcome } from "../orders/order-service.js";
import type { Order } from "../orders/repository.js";
import { type OutcomeMessage, placementOutcomeMessage } from "../views/placement-outcome.js";
import type { FeatureContext } from "./context.js";

/** The message for a placement that did not come back as a refusal (refusals reopen their form). */
export function placementMessage(
  context: Pick<FeatureContext, "providers">,
  outcome: Exclude<PlacementOutcome, { kind: "failed" }>,
  renews?: string,
): OutcomeMessage {
  const { order } = outcome;
  const subject = {
    reference: order.reference,
    providerName: context.providers.nameOf(order.provider),
    domain: displayDomain(order.primaryDomain),
    renews,
  };
  switch (outcome.kind) {
    case "placed_unrecorded":
      return placementOutcomeMessage(
        { kind: "placed_unrecorded", providerOrderId: outcome.providerOrderId },
        subject,
      );
    case "not_placed":
      return placementOutcomeMessage({ kind: "not_placed", status: order.status }, subject);
    default:
      return placementOutcomeMessage({ kind: outcome.kind }, subject);
  }
}

/**
 * What follows a form that created (or found) its order, the same for ordering and renewing: it was
 * already submitted, it waits for approval, or it is placed now and the outcome shown. A refusal by
 * the provider goes back to the form (`reopen`), everything typed kept. After place() nothing may
 * say "nothing was changed": a failure to show the outcome is only logged.
 */
export async function placeAndShow(
  context: Pick<FeatureContext, "providers" | "orders" | "logger">,
  args: {
    stored: { order: Order; created: boolean };
    userId: string;
    /** The reference of the order renewed, for a renewal. */
    renews?: string;
    show(message: OutcomeMessage): Promise<unknown>;
    reopen(refusal: Extract<PlacementOutcome, { kind: "failed" }>): Promise<unknown>;
  },
): Promise<void> {
  const { order, created } = args.stored;
  const subject = {
    reference: order.reference,
    providerName: context.providers.nameOf(order.provider),
    domain: displayDomain(order.primaryDomain),
    renews: args.renews,
  };
  if (!created || order.status === "awaiting_approval") {
    await args.show(
      placementOutcomeMessage({ kind: created ? "awaiting_approval" : "already_submitted" }, subject),
    );
    return;
  }
  const outcome = await context.orders.place(order.id, args.userId);
  try {
    if (outcome.kind === "failed") await args.reopen(outcome);
    else await args.show(placementMessage(context, outcome, args.renews));
  } catch (error) {
    context.logger.warn(
      `Could not show ${order.reference}'s placement (${outcome.kind}) in the form:`,
      error,
    );
  }
}
