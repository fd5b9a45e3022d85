import type { ModalView } from "@slack/types";
import { escapeMrkdwn, markdownSection, messageModal, plain } from "./blocks.js";

/** The Reject button's modal: the reason the requester reads in the order's thread. */

export const REJECT_MODAL = {
  callbackId: "order_reject_reason",
  reasonBlock: "reject_reason_blk",
  reasonAction: "reject_reason",
} as const;

export function rejectView(orderId: number, reference: string): ModalView {
  return {
    type: "modal",
    callback_id: REJECT_MODAL.callbackId,
    private_metadata: String(orderId),
    title: plain("Reject order", 24),
    submit: plain("Reject", 24),
    close: plain("Cancel", 24),
    blocks: [
      markdownSection(
        `Reject *${escapeMrkdwn(reference)}*? The requester sees your reason in the order's thread.`,
      ),
      {
        type: "input",
        block_id: REJECT_MODAL.reasonBlock,
        label: plain("Reason"),
        element: {
          type: "plain_text_input",
          action_id: REJECT_MODAL.reasonAction,
          multiline: true,
          max_length: 500,
        },
      },
    ],
  };
}

/** What became of the rejection (or that it is under way), in place of the form. */
export function rejectOutcomeView(text: string): ModalView {
  return messageModal({ title: "Reject order", text, callbackId: `${REJECT_MODAL.callbackId}_done` });
}
