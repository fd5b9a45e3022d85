import type { InputBlock, PlainTextInput } from "@slack/types";
import { describe, expect, it } from "vitest";
import { REJECT_MODAL, rejectOutcomeView, rejectView } from "../../src/views/reject-modal.js";
import { blockById, expectValidBlockKit } from "../support/block-kit.js";
import { HOSTILE, HOSTILE_ESCAPED, textOf } from "./fixtures.js";

describe("reject modal", () => {
  it("asks for the reason the requester will read, carrying the order id", () => {
    const view = rejectView(42, "SSL-1042");
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(REJECT_MODAL.callbackId);
    expect(view.private_metadata).toBe("42");
    expect(view.title.text).toBe("Reject order");
    expect(view.submit?.text).toBe("Reject");
    expect(view.close?.text).toBe("Cancel");
    expect(textOf(view.blocks[0])).toBe(
      "Reject *SSL-1042*? The requester sees your reason in the order's thread.",
    );
    const reason = blockById(view.blocks, REJECT_MODAL.reasonBlock) as InputBlock;
    expect(reason.optional).toBeFalsy();
    expect(reason.element).toMatchObject({
      type: "plain_text_input",
      action_id: REJECT_MODAL.reasonAction,
      multiline: true,
    });
    expect((reason.element as PlainTextInput).max_length).toBe(500);
  });

  it("escapes the reference", () => {
    const view = rejectView(1, HOSTILE);
    expectValidBlockKit("modal", view);
    expect(textOf(view.blocks[0])).toContain(`*${HOSTILE_ESCAPED}*`);
  });

  it("shows the outcome in place of the form, without a submit button", () => {
    const view = rejectOutcomeView(":no_entry_sign: SSL-1042 rejected.");
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(`${REJECT_MODAL.callbackId}_done`);
    expect(view.title.text).toBe("Reject order");
    expect(view.submit).toBeUndefined();
    expect(view.close?.text).toBe("Close");
    expect(view.blocks.map(textOf)).toEqual([":no_entry_sign: SSL-1042 rejected."]);
    expectValidBlockKit("modal", rejectOutcomeView("x".repeat(10_000)));
  });
});
