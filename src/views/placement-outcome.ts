import { escapeMrkdwn } from "./blocks.js";

/**
 * What the person who placed an order (by the form, the renewal form or Approve) reads about the
 * placement: one wording for every way of placing, so "do not order again" always reads the same.
 */
export type PlacementOutcomeSummary =
  /** The same form was submitted before (a double click, a Slack retry): nothing new was made. */
  | { kind: "already_submitted" }
  | { kind: "awaiting_approval" }
  | { kind: "placed" }
  | { kind: "placed_unrecorded"; providerOrderId: string }
  | { kind: "unknown" }
  | { kind: "not_placed"; status: string };

export interface PlacementSubject {
  reference: string;
  providerName: string;
  /** As people read it (IDN in Unicode). */
  domain: string;
  /** The reference of the order this one renews. */
  renews?: string;
}

export interface OutcomeMessage {
  text: string;
  detail?: string;
}

export function placementOutcomeMessage(
  outcome: PlacementOutcomeSummary,
  subject: PlacementSubject,
): OutcomeMessage {
  const reference = `*${escapeMrkdwn(subject.reference)}*`;
  const provider = escapeMrkdwn(subject.providerName);
  const again = subject.renews ? "renew it again" : "order it again";
  switch (outcome.kind) {
    case "already_submitted":
      return {
        text: `:information_source: This ${subject.renews ? "renewal" : "form"} was already submitted as ${reference}.`,
      };
    case "awaiting_approval":
      return {
        text: `:raised_hand: ${reference} ${subject.renews ? `(renews ${escapeMrkdwn(subject.renews)})` : `for ${escapeMrkdwn(subject.domain)}`} is waiting for approval.`,
        detail:
          "Someone in SSL_APPROVERS other than you must approve it before it reaches the provider. Follow it in its thread.",
      };
    case "placed":
      return subject.renews
        ? {
            text: `:white_check_mark: ${reference} renews ${escapeMrkdwn(subject.renews)}: placed with ${provider}, ${escapeMrkdwn(subject.domain)} is being validated.`,
            detail: "Follow it in its own thread; the original order's thread links to it.",
          }
        : {
            text: `:white_check_mark: ${reference} placed with ${provider}: ${escapeMrkdwn(subject.domain)} is being validated.`,
            detail: "Follow it in the order's thread: it says what happens next.",
          };
    case "placed_unrecorded":
      return {
        text: `:warning: ${reference} was placed with ${provider} (their order ${escapeMrkdwn(outcome.providerOrderId)}) and is paid for, but certdesk could not record it.`,
        detail: `Do not ${again}. certdesk's database did not answer; the certdesk admins have the provider's order number in the log and will complete the record.`,
      };
    case "unknown":
      return {
        text: `:warning: ${reference} was sent, but ${provider} did not confirm it.`,
        detail: `Do not ${again}: certdesk checks with the provider and reports in the order's thread.`,
      };
    case "not_placed":
      return {
        text: `:information_source: ${reference} is ${escapeMrkdwn(outcome.status.replace("_", " "))}.`,
      };
  }
}
