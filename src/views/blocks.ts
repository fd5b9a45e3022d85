import type { ContextBlock, PlainTextOption, SectionBlock } from "@slack/types";

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
