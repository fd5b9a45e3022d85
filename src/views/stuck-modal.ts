import type { ModalView } from "@slack/types";
import { escapeMrkdwn, markdownSection, plain } from "./blocks.js";

/** "It was placed" on a stuck-order notice: the provider's order number, as the person found it. */

export const STUCK_MODAL = {
  callbackId: "stuck_record_placed",
  numberBlock: "stuck_number_blk",
  numberAction: "stuck_number",
} as const;

export function recordPlacedView(orderId: number, reference: string, providerName: string): ModalView {
  return {
    type: "modal",
    callback_id: STUCK_MODAL.callbackId,
    private_metadata: String(orderId),
    title: plain("It was placed", 24),
    submit: plain("Record", 24),
    close: plain("Cancel", 24),
    blocks: [
      markdownSection(
        `Which order number did ${escapeMrkdwn(providerName)} give *${escapeMrkdwn(reference)}*? certdesk then follows it like any other order.`,
      ),
      {
        type: "input",
        block_id: STUCK_MODAL.numberBlock,
        label: plain("Provider's order number"),
        element: { type: "plain_text_input", action_id: STUCK_MODAL.numberAction, max_length: 64 },
      },
    ],
  };
}
