import { baseName } from "../domain/names.js";
import { ProviderInputError } from "../providers/errors.js";
import type { FeatureContext } from "./context.js";

/** Slack takes at most 100 options in a select, and a modal's private_metadata 3000 characters. */
const MAX_APPROVERS = 50;
/** The list travels in private_metadata with the form's other ids: it gets at most this much of it. */
const MAX_APPROVER_CHARACTERS = 2_000;

/** A select option's value holds 150 characters: a longer address could not be chosen whole. */
const MAX_OPTION_VALUE = 150;

/**
 * The addresses the forms can offer, in the provider's order (its preferred ones come first): each
 * short enough to be an option's value, and together short enough for private_metadata. On a
 * domain so long that none fits, the form says there is no address and offers HTTP or DNS.
 */
export function approversThatFit(emails: string[]): string[] {
  const kept: string[] = [];
  let size = 0;
  for (const email of emails
    .filter((candidate) => candidate.length <= MAX_OPTION_VALUE)
    .slice(0, MAX_APPROVERS)) {
    size += email.length + 3; // the quotes and comma around it in JSON
    if (size > MAX_APPROVER_CHARACTERS) break;
    kept.push(email);
  }
  return kept;
}

export type ApproverList =
  | { ok: true; list: { domain: string; emails: string[] } }
  /** `aboutDomain`: the provider refused the domain itself, so the message belongs on that field. */
  | { ok: false; domain: string; message: string; aboutDomain: boolean };

/**
 * The provider's approver (DCV e-mail) addresses for a domain, fresh, for the order and renewal
 * forms; after their ack only: it is a provider call.
 */
export async function fetchApprovers(
  context: Pick<FeatureContext, "providers">,
  providerId: string,
  asciiDomain: string,
): Promise<ApproverList> {
  const domain = baseName(asciiDomain);
  try {
    const emails = await context.providers.get(providerId).getApproverEmails(asciiDomain);
    return { ok: true, list: { domain, emails: approversThatFit(emails) } };
  } catch (error) {
    return {
      ok: false,
      domain,
      message: (error as Error).message,
      aboutDomain: error instanceof ProviderInputError,
    };
  }
}
