import type { ContextBlock, ModalView, PlainTextOption, SectionBlock } from "@slack/types";

/** Small builders that keep dynamic text inside Block Kit's limits. */

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function plain(text: string, max = 150) {
  return { type: "plain_text" as const, text: clip(text, max), emoji: true };
}

export function option(text: string, value: string): PlainTextOption {
  return { text: plain(text, 75), value: clip(value, 150) };
}

export function markdownSection(text: string, blockId?: string): SectionBlock {
  return {
    type: "section",
    ...(blockId ? { block_id: blockId } : {}),
    text: { type: "mrkdwn", text: clip(text, 3000) },
  };
}

export function context(text: string, blockId?: string): ContextBlock {
  return {
    type: "context",
    ...(blockId ? { block_id: blockId } : {}),
    elements: [{ type: "mrkdwn", text: clip(text, 3000) }],
  };
}

/** An inline problem under a field, for views rebuilt outside a view_submission (no `errors` there). */
export function fieldWarning(message: string): ContextBlock {
  return context(`:warning: ${message}`);
}

/** Escapes text that came from users or providers before it goes into mrkdwn. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * A modal that only says something: a form's outcome, a refusal, a notice. `detail` is a smaller
 * line under the text; `clearOnClose` closes the whole stack (the form it replaced is done).
 */
export function messageModal(message: {
  title: string;
  text: string;
  detail?: string;
  callbackId?: string;
  close?: string;
  clearOnClose?: boolean;
}): ModalView {
  return {
    type: "modal",
    ...(message.callbackId ? { callback_id: message.callbackId } : {}),
    title: plain(message.title, 24),
    close: plain(message.close ?? "Close", 24),
    ...(message.clearOnClose ? { clear_on_close: true } : {}),
    blocks: [markdownSection(message.text), ...(message.detail ? [context(message.detail)] : [])],
  };
}
