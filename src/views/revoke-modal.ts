import type { ModalView } from "@slack/types";
import { certificateLabel, isRevocationReason, type RevocationReason } from "../domain/certificate.js";
import { escapeMrkdwn, markdownSection, messageModal, option, plain } from "./blocks.js";

/**
 * "Revoke…" from Details (approvers only): the reason the CA is given, pushed over Details after
 * the button's confirm dialog. Its outcome (or refusal) replaces the form.
 */

export const REVOKE_CALLBACK = "ssl_revoke";
export const REVOKE_DONE_CALLBACK = "ssl_revoke_done";

export const REVOKE_BLOCKS = { reason: "revoke_reason_blk" } as const;
export const REVOKE_ACTIONS = { reason: "revoke_reason" } as const;

/** Each reason in plain words, in the order the form offers them (the likeliest first). */
export const REVOCATION_REASON_WORDS: Record<RevocationReason, string> = {
  keyCompromise: "Key compromised",
  superseded: "Replaced by another certificate (superseded)",
  cessationOfOperation: "Site closed (cessation of operation)",
  affiliationChanged: "Client changed (affiliation changed)",
  unspecified: "Unspecified",
};

/** A recorded reason in words (an unknown one as it was stored, escaped). */
export function revocationReasonText(reason: unknown): string {
  return isRevocationReason(reason) ? REVOCATION_REASON_WORDS[reason] : escapeMrkdwn(String(reason ?? ""));
}

export interface RevokeModalInput {
  reference: string;
  /** The certificate that is revoked: "SSL-1042", or "SSL-1042 · certificate 2" after reissues. */
  certificateLabel: string;
  primaryDomain: string;
  providerName: string;
  privateMetadata: string;
}

export function revokeModalView(input: RevokeModalInput): ModalView {
  const options = Object.entries(REVOCATION_REASON_WORDS).map(([reason, words]) => option(words, reason));
  return {
    type: "modal",
    callback_id: REVOKE_CALLBACK,
    title: plain("Revoke certificate", 24),
    submit: plain("Revoke", 24),
    close: plain("Cancel", 24),
    private_metadata: input.privateMetadata,
    blocks: [
      markdownSection(
        `:no_entry: Revoke *${escapeMrkdwn(input.certificateLabel)}* · ${escapeMrkdwn(input.primaryDomain)} at ${escapeMrkdwn(input.providerName)}?\n` +
          "Browsers refuse a revoked certificate at once, and a revocation cannot be undone: install a new " +
          `certificate first (renew *${escapeMrkdwn(input.reference)}*) unless the key is compromised. ` +
          "The order's thread says who revoked it and why.",
        "revoke_head",
      ),
      {
        type: "input",
        block_id: REVOKE_BLOCKS.reason,
        label: plain("Reason"),
        hint: plain("Sent to the certificate authority with the revocation."),
        element: {
          type: "static_select",
          action_id: REVOKE_ACTIONS.reason,
          placeholder: plain("Why is it revoked?"),
          options,
        },
      },
    ],
  };
}

/** The revocation done: what was revoked and why, and what to do now. */
export function revokedView(outcome: {
  reference: string;
  /** The certificate's number on the order (1: the first). */
  certificate: number;
  reason: RevocationReason;
}): ModalView {
  const what =
    outcome.certificate <= 1
      ? `*${escapeMrkdwn(outcome.reference)}*'s certificate was`
      : `*${escapeMrkdwn(certificateLabel(outcome.reference, outcome.certificate))}* was`;
  return revokeMessageView(
    `:no_entry: ${what} revoked (${REVOCATION_REASON_WORDS[outcome.reason]}).`,
    `Browsers refuse it from now on. Renew ${escapeMrkdwn(outcome.reference)} for a new certificate; its thread says who revoked it and why.`,
  );
}

/** The provider refused the revocation, or could not be reached: nothing changed. */
export function revokeRefusedView(refusal: {
  reference: string;
  providerName: string;
  message: string;
}): ModalView {
  return revokeMessageView(
    `:warning: ${escapeMrkdwn(refusal.providerName)} did not revoke *${escapeMrkdwn(refusal.reference)}*'s certificate: ${escapeMrkdwn(refusal.message)}`,
    `Nothing was changed: ${escapeMrkdwn(refusal.reference)} is still issued and its certificate valid.`,
  );
}

/** Progress, outcome or refusal in place of the form. */
export function revokeMessageView(text: string, detail?: string): ModalView {
  return messageModal({
    title: "Revoke certificate",
    text,
    detail,
    callbackId: REVOKE_DONE_CALLBACK,
  });
}
