import type { InputBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import { recordPlacedView, STUCK_MODAL } from "../../src/views/stuck-modal.js";
import { blockById, expectValidBlockKit } from "../support/block-kit.js";
import { HOSTILE, HOSTILE_ESCAPED, textOf } from "./fixtures.js";

describe("record-placed modal", () => {
  it("asks for the provider's order number of the stuck order", () => {
    const view = recordPlacedView(42, "SSL-1042", "GoGetSSL");
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(STUCK_MODAL.callbackId);
    expect(view.private_metadata).toBe("42");
    expect(view.title.text).toBe("It was placed");
    expect(view.submit?.text).toBe("Record");
    expect(textOf(view.blocks[0])).toBe(
      "Which order number did GoGetSSL give *SSL-1042*? certdesk then follows it like any other order.",
    );
    const number = blockById(view.blocks, STUCK_MODAL.numberBlock) as InputBlock;
    expect(number.label.text).toBe("Provider's order number");
    expect(number.element).toMatchObject({ action_id: STUCK_MODAL.numberAction, max_length: 64 });
  });

  it("escapes the provider's name and the reference, and stays valid when they are huge", () => {
    const view = recordPlacedView(1, HOSTILE, HOSTILE);
    expect(textOf(view.blocks[0])).toBe(
      `Which order number did ${HOSTILE_ESCAPED} give *${HOSTILE_ESCAPED}*? certdesk then follows it like any other order.`,
    );
    expectValidBlockKit("modal", recordPlacedView(1, "&".repeat(1000), "<".repeat(1000)));
  });
});
