import { describe, expect, it } from "vitest";
import {
  VALIDATION_BLOCKS,
  VALIDATION_CALLBACK,
  VALIDATION_DONE_CALLBACK,
  type ValidationModalInput,
  validationMessageView,
  validationModalView,
} from "../../src/views/validation-modal.js";
import { blockById, expectValidBlockKit } from "../support/block-kit.js";
import { allTexts, HOSTILE, HOSTILE_ESCAPED, ids, LONGEST_DOMAIN, manySans, textOf } from "./fixtures.js";

function data(overrides: Partial<ValidationModalInput> = {}): ValidationModalInput {
  return {
    reference: "SSL-1042",
    domains: ["www.example.com"],
    providerName: "Sandbox",
    methods: ["email", "http", "dns"],
    current: { method: "email", approverEmail: "admin@example.com" },
    values: {},
    privateMetadata: '{"orderId":42}',
    ...overrides,
  };
}

describe("change validation modal", () => {
  it("says how the order is validated now and asks for the approver while e-mail is chosen", () => {
    const view = validationModalView(data());
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(VALIDATION_CALLBACK);
    expect(textOf(blockById(view.blocks, "validation_head"))).toContain(
      "Validated now by e-mail to admin@example.com",
    );
    expect(ids(view)).toContain(VALIDATION_BLOCKS.approver);
    expect(allTexts(view.blocks)).toContain("CAs stop accepting e-mail validation on 15 March 2028");
  });

  it("drops the approver field for DNS and HTTP", () => {
    const view = validationModalView(data({ values: { method: "dns" } }));
    expect(ids(view)).not.toContain(VALIDATION_BLOCKS.approver);
    expect(ids(view)).toContain(VALIDATION_BLOCKS.method);
  });

  it("shows the provider's refusal on top and under the approver", () => {
    const view = validationModalView(
      data({
        topError: "Approver email is not allowed",
        warnings: { approver: "Approver email is not allowed" },
      }),
    );
    expect(textOf(blockById(view.blocks, "validation_error"))).toContain("Approver email is not allowed");
    expect(allTexts(view.blocks)).toContain(":warning: Approver email is not allowed");
  });

  it("escapes names and stays within Block Kit's limits with many long domains", () => {
    const hostile = validationModalView(data({ reference: HOSTILE }));
    expect(allTexts(hostile.blocks)).toContain(HOSTILE_ESCAPED);
    expectValidBlockKit("modal", validationModalView(data({ domains: [LONGEST_DOMAIN, ...manySans(250)] })));
  });

  it("puts the outcome in a modal that closes the stack", () => {
    const view = validationMessageView(":white_check_mark: done", "add the DNS record");
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(VALIDATION_DONE_CALLBACK);
  });
});

describe("change validation modal, domain by domain", () => {
  const choices = [
    { domain: "www.example.com", label: "www.example.com" },
    { domain: "xn--bcher-kva.example.com", label: "bücher.example.com" },
  ];

  it("asks which domains change, all chosen at first, when the provider changes them one by one", () => {
    const view = validationModalView(data({ domains: choices.map((c) => c.label), domainChoices: choices }));
    expectValidBlockKit("modal", view);
    const block = blockById(view.blocks, VALIDATION_BLOCKS.domains) as {
      element: { options: { value: string; text: { text: string } }[]; initial_options: { value: string }[] };
    };
    expect(block.element.options.map((o) => [o.value, o.text.text])).toEqual([
      ["www.example.com", "www.example.com"],
      ["xn--bcher-kva.example.com", "bücher.example.com"],
    ]);
    expect(block.element.initial_options.map((o) => o.value)).toEqual([
      "www.example.com",
      "xn--bcher-kva.example.com",
    ]);
    const kept = validationModalView(
      data({ domainChoices: choices, values: { domains: ["xn--bcher-kva.example.com"] } }),
    );
    const keptBlock = blockById(kept.blocks, VALIDATION_BLOCKS.domains) as {
      element: { initial_options: { value: string }[] };
    };
    expect(keptBlock.element.initial_options.map((o) => o.value)).toEqual(["xn--bcher-kva.example.com"]);
  });

  it("does not ask for a single domain, nor where every domain changes alike", () => {
    expect(ids(validationModalView(data({ domainChoices: choices.slice(0, 1) })))).not.toContain(
      VALIDATION_BLOCKS.domains,
    );
    expect(ids(validationModalView(data({ domains: choices.map((c) => c.label) })))).not.toContain(
      VALIDATION_BLOCKS.domains,
    );
  });

  it("lists each domain's method when they differ", () => {
    const view = validationModalView(
      data({
        currentByDomain: [
          { domain: "www.example.com", method: "dns" },
          { domain: "shop.example.com", method: "email" },
        ],
      }),
    );
    expect(textOf(blockById(view.blocks, "validation_head"))).toContain(
      "Validated now by:\n• www.example.com: a DNS record\n• shop.example.com: e-mail",
    );
  });
});
