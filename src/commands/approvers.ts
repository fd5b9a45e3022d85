import { baseName } from "../domain/names.js";
import { ProviderInputError } from "../providers/errors.js";
import type { FeatureContext } from "./context.js";

/** Slack takes at most 100 options in a select, and a modal's private_metadata 3000 characters. */
const MAX_APPROVERS = 50;

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
    return { ok: true, list: { domain, emails: emails.slice(0, MAX_APPROVERS) } };
  } catch (error) {
    return {
      ok: false,
      domain,
      message: (error as Error).message,
      aboutDomain: error instanceof ProviderInputError,
    };
  }
}
