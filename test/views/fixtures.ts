import type { AnyBlock, InputBlock, KnownBlock, ModalView, StaticSelect } from "@slack/types";
import { blockById } from "../support/block-kit.js";

/** Shared data for the view tests: a fixed clock, hostile and very long text. */

/** Noon UTC, so date-fns' local-time formatting gives the same day in any usual time zone. */
export const NOW = new Date("2026-11-27T12:00:00Z");

export const days = (count: number, from: Date = NOW) => new Date(from.getTime() + count * 86_400_000);

/** Text with every character mrkdwn treats specially, and a channel-wide mention. */
export const HOSTILE = "*Acme* _Ltd_ ~x~ <!channel> <@U0BOSS> & <https://evil.example|click>";

/** The same after escapeMrkdwn: &, < and > become entities; *, _ and ~ stay as typed. */
export const HOSTILE_ESCAPED =
  "*Acme* _Ltd_ ~x~ &lt;!channel&gt; &lt;@U0BOSS&gt; &amp; &lt;https://evil.example|click&gt;";

/** A 253-character domain name, the longest DNS allows (labels of at most 63). */
export const LONGEST_DOMAIN = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}.com`;

/** `count` distinct long subject alternative names. */
export function manySans(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `san-${index}-${"x".repeat(40)}.example.com`);
}

/** A 100-character client name made of nothing but characters escaping expands (100 → 500). */
export const WORST_CLIENT_NAME = "&".repeat(100);

/** A modal around loose blocks, for builders that return blocks rather than a view. */
export function modalOf(blocks: KnownBlock[]): ModalView {
  return {
    type: "modal",
    callback_id: "test",
    title: { type: "plain_text", text: "Test" },
    submit: { type: "plain_text", text: "Submit" },
    blocks,
  };
}

/** The mrkdwn/plain text of a block (section text and fields, context elements, header), "" when none. */
export function textOf(block: AnyBlock | undefined): string {
  if (!block) return "";
  const known = block as KnownBlock;
  if (known.type === "section") {
    return [known.text?.text ?? "", ...(known.fields ?? []).map((field) => field.text)].join("\n");
  }
  if (known.type === "context") {
    return known.elements.map((element) => ("text" in element ? element.text : "")).join("\n");
  }
  if (known.type === "header") return known.text.text;
  return "";
}

/** A modal's block ids, in order. */
export const ids = (view: ModalView) => view.blocks.map((block) => block.block_id);
/** The input block with this id (the test fails on what it reads if there is none). */
export const input = (view: ModalView, id: string) => blockById(view.blocks, id) as InputBlock;
/** The static select inside the input block with this id. */
export const select = (view: ModalView, id: string) => input(view, id).element as StaticSelect;
/** Every text of these blocks, one per line. */
export const allTexts = (blocks: AnyBlock[]) => blocks.map(textOf).join("\n");
