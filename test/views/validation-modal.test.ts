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
