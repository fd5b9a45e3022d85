import { displayDomain } from "../domain/names.js";
import type { PlacementOutcome } from "../orders/order-service.js";
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
