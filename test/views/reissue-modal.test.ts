import { describe, expect, it } from "vitest";
import {
  REISSUE_BLOCKS,
  REISSUE_CALLBACK,
  REISSUE_DONE_CALLBACK,
  type ReissueModalInput,
  reissueMessageView,
  reissueModalView,
} from "../../src/views/reissue-modal.js";
import { blockById, expectValidBlockKit } from "../support/block-kit.js";
import {
  allTexts,
  days,
  HOSTILE,
  HOSTILE_ESCAPED,
  ids,
  LONGEST_DOMAIN,
  manySans,
  select,
  textOf,
  WORST_CLIENT_NAME,
} from "./fixtures.js";

function data(overrides: Partial<ReissueModalInput> = {}): ReissueModalInput {
  return {
    label: "SSL-1042 · certificate 2",
    primaryDomain: "www.example.com",
    clientName: "Acme Ltd",
    productName: "PositiveSSL (DV)",
    providerName: "Sandbox",
    notAfter: days(20),
    coverageEndsAt: days(200),
    multiDomain: false,
    hasCurrentKey: true,
    dcvMethods: ["email", "http", "dns"],
    validations: [],
    values: { key: "new:rsa-2048", dcvMethod: "dns" },
    privateMetadata: '{"orderId":42}',
    ...overrides,
  };
}

describe("reissue modal", () => {
  it("says what is reissued, that it is free and until when it is covered", () => {
    const view = reissueModalView(data());
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(REISSUE_CALLBACK);
    expect(view.submit?.text).toBe("Reissue");
    expect(textOf(blockById(view.blocks, "reissue_head"))).toBe(
      "*SSL-1042 · certificate 2* · www.example.com for *Acme Ltd*\nPositiveSSL (DV) from Sandbox. *Free* — covered until 15 Jun 2027.",
    );
    expect(allTexts(view.blocks)).toContain("The current certificate stays valid until 17 Dec 2026");
  });

  it("offers a new key (RSA-2048 first), RSA-3072, EC P-256 and the current key only when certdesk holds it", () => {
    const keys = select(reissueModalView(data()), REISSUE_BLOCKS.key);
    expect(keys.options?.map((option) => option.value)).toEqual([
      "new:rsa-2048",
      "new:rsa-3072",
      "new:ec-p256",
      "current",
    ]);
    expect(keys.initial_option?.value).toBe("new:rsa-2048");
    const clientKey = select(reissueModalView(data({ hasCurrentKey: false })), REISSUE_BLOCKS.key);
    expect(clientKey.options?.map((option) => option.value)).not.toContain("current");
  });

  it("asks for additional domains only for multi-domain products, and for an approver only for e-mail", () => {
    expect(ids(reissueModalView(data()))).not.toContain(REISSUE_BLOCKS.sans);
    expect(ids(reissueModalView(data()))).not.toContain(REISSUE_BLOCKS.approver);
    const multi = reissueModalView(
      data({
        multiDomain: true,
        values: { sans: ["shop.example.com"], dcvMethod: "email", approverEmail: "a@example.com" },
      }),
    );
    expect(ids(multi)).toContain(REISSUE_BLOCKS.sans);
    expect(ids(multi)).toContain(REISSUE_BLOCKS.approver);
    expect(JSON.stringify(multi)).toContain('"initial_value":"shop.example.com"');
  });

  it("says per domain whether its validation can be reused or must be done again", () => {
    const view = reissueModalView(
      data({
        validations: [
          {
            domain: "www.example.com",
            kind: "reusable",
            validation: {
              domain: "www.example.com",
              method: "dns",
              validatedAt: days(-10),
              reusableUntil: days(190),
            },
          },
          {
            domain: "old.example.com",
            kind: "expired",
            validation: {
              domain: "old.example.com",
              method: "email",
              validatedAt: days(-300),
              reusableUntil: days(-100),
            },
          },
          { domain: "new.example.com", kind: "none" },
        ],
      }),
    );
    expectValidBlockKit("modal", view);
    const reuse = textOf(blockById(view.blocks, "validation_reuse"));
    expect(reuse).toContain(
      "*www.example.com*: validated 17 Nov 2026 by DNS record, reusable until 5 Jun 2027: no new validation needed.",
    );
    expect(reuse).toContain(
      "*old.example.com*: the e-mail validation of 31 Jan 2026 expired on 19 Aug 2026: it must be validated again",
    );
    expect(reuse).toContain("*new.example.com*: no validation on record");
  });

  it("shows the provider's refusal on top and a field's warning under it", () => {
    const view = reissueModalView(
      data({ topError: "The CSR does not name www.example.com.", warnings: { csr: "Wrong names." } }),
    );
    expect(textOf(blockById(view.blocks, "reissue_error"))).toContain(
      "The CSR does not name www.example.com.",
    );
    expect(allTexts(view.blocks)).toContain(":warning: Wrong names.");
  });

  it("escapes hostile names and stays within Block Kit's limits at the worst case", () => {
    const hostile = reissueModalView(data({ clientName: HOSTILE }));
    expect(allTexts(hostile.blocks)).toContain(HOSTILE_ESCAPED);
    expect(JSON.stringify(hostile)).not.toContain("<!channel>");
    expectValidBlockKit(
      "modal",
      reissueModalView(
        data({
          primaryDomain: LONGEST_DOMAIN,
          clientName: WORST_CLIENT_NAME,
          multiDomain: true,
          values: { sans: manySans(250), csr: "x".repeat(5000) },
          validations: manySans(250).map((domain) => ({ domain, kind: "none" as const })),
        }),
      ),
    );
  });

  it("puts progress and outcomes in a modal that closes the whole stack", () => {
    const view = reissueMessageView(":hourglass_flowing_sand: Sending…");
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(REISSUE_DONE_CALLBACK);
    expect(view.clear_on_close).toBe(true);
  });
});
