import { describe, expect, it } from "vitest";
import { REVOCATION_REASONS } from "../../src/domain/certificate.js";
import {
  REVOCATION_REASON_WORDS,
  REVOKE_ACTIONS,
  REVOKE_BLOCKS,
  REVOKE_CALLBACK,
  REVOKE_DONE_CALLBACK,
  revocationReasonText,
  revokedView,
  revokeMessageView,
  revokeModalView,
  revokeRefusedView,
} from "../../src/views/revoke-modal.js";
import { expectValidBlockKit } from "../support/block-kit.js";
import { HOSTILE, HOSTILE_ESCAPED, input, LONGEST_DOMAIN, select, textOf } from "./fixtures.js";

const form = (overrides: Partial<Parameters<typeof revokeModalView>[0]> = {}) =>
  revokeModalView({
    reference: "SSL-1042",
    certificateLabel: "SSL-1042 · certificate 2",
    primaryDomain: "www.example.com",
    providerName: "Let's Encrypt",
    privateMetadata: JSON.stringify({ orderId: 42 }),
    ...overrides,
  });

describe("revoke modal", () => {
  it("asks for one of the five reasons, in words, carrying the order id", () => {
    const view = form();
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(REVOKE_CALLBACK);
    expect(view.private_metadata).toBe(JSON.stringify({ orderId: 42 }));
    expect(view.title.text).toBe("Revoke certificate");
    expect(view.submit?.text).toBe("Revoke");
    expect(view.close?.text).toBe("Cancel");
    const head = textOf(view.blocks[0]);
    expect(head).toContain("Revoke *SSL-1042 · certificate 2* · www.example.com at Let's Encrypt?");
    expect(head).toContain("cannot be undone");
    const reason = input(view, REVOKE_BLOCKS.reason);
    expect(reason.label.text).toBe("Reason");
    expect(reason.optional).toBeFalsy();
    const chooser = select(view, REVOKE_BLOCKS.reason);
    expect(chooser.action_id).toBe(REVOKE_ACTIONS.reason);
    expect(chooser.initial_option).toBeUndefined();
    expect(chooser.options?.map((option) => [option.value, option.text.text])).toEqual([
      ["keyCompromise", "Key compromised"],
      ["superseded", "Replaced by another certificate (superseded)"],
      ["cessationOfOperation", "Site closed (cessation of operation)"],
      ["affiliationChanged", "Client changed (affiliation changed)"],
      ["unspecified", "Unspecified"],
    ]);
    expect(Object.keys(REVOCATION_REASON_WORDS).sort()).toEqual(Object.keys(REVOCATION_REASONS).sort());
  });

  it("escapes names and stays valid with the longest domain", () => {
    const view = form({ reference: HOSTILE, certificateLabel: HOSTILE, providerName: HOSTILE });
    expectValidBlockKit("modal", view);
    expect(textOf(view.blocks[0])).toContain(`*${HOSTILE_ESCAPED}*`);
    expect(textOf(view.blocks[0])).not.toContain("<!channel>");
    expectValidBlockKit("modal", form({ primaryDomain: LONGEST_DOMAIN }));
  });

  it("says what was revoked and why, or that the provider refused and nothing changed", () => {
    const first = revokedView({ reference: "SSL-1042", certificate: 1, reason: "keyCompromise" });
    expectValidBlockKit("modal", first);
    expect(first.callback_id).toBe(REVOKE_DONE_CALLBACK);
    expect(first.submit).toBeUndefined();
    expect(textOf(first.blocks[0])).toBe(
      ":no_entry: *SSL-1042*'s certificate was revoked (Key compromised).",
    );
    expect(textOf(first.blocks[1])).toContain("Renew SSL-1042 for a new certificate");
    const second = revokedView({ reference: "SSL-1042", certificate: 2, reason: "superseded" });
    expect(textOf(second.blocks[0])).toBe(
      ":no_entry: *SSL-1042 · certificate 2* was revoked (Replaced by another certificate (superseded)).",
    );

    const refused = revokeRefusedView({
      reference: "SSL-1042",
      providerName: "Let's Encrypt",
      message: HOSTILE,
    });
    expectValidBlockKit("modal", refused);
    expect(textOf(refused.blocks[0])).toBe(
      `:warning: Let's Encrypt did not revoke *SSL-1042*'s certificate: ${HOSTILE_ESCAPED}`,
    );
    expect(textOf(refused.blocks[1])).toBe(
      "Nothing was changed: SSL-1042 is still issued and its certificate valid.",
    );
    expectValidBlockKit("modal", revokeMessageView("x".repeat(10_000)));
  });

  it("puts a recorded reason in words, and an unknown one escaped as it was stored", () => {
    expect(revocationReasonText("affiliationChanged")).toBe("Client changed (affiliation changed)");
    expect(revocationReasonText(HOSTILE)).toBe(HOSTILE_ESCAPED);
    expect(revocationReasonText(undefined)).toBe("");
  });
});
