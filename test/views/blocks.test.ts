import { describe, expect, it } from "vitest";
import {
  clip,
  context,
  escapeMrkdwn,
  fieldWarning,
  markdownSection,
  option,
  plain,
} from "../../src/views/blocks.js";
import { expectValidBlockKit } from "../support/block-kit.js";
import { HOSTILE, HOSTILE_ESCAPED, modalOf, textOf } from "./fixtures.js";

describe("clip", () => {
  it("leaves text within the limit as it is", () => {
    expect(clip("example.com", 11)).toBe("example.com");
    expect(clip("", 5)).toBe("");
  });

  it("cuts longer text to exactly the limit, ending in an ellipsis", () => {
    const clipped = clip("abcdefghij", 5);
    expect(clipped).toBe("abcd…");
    expect(clipped).toHaveLength(5);
  });
});

describe("plain and option", () => {
  it("makes plain_text with emoji, clipped to 150 by default or to the limit given", () => {
    expect(plain("Order SSL Cert")).toEqual({ type: "plain_text", text: "Order SSL Cert", emoji: true });
    expect(plain("x".repeat(500)).text).toHaveLength(150);
    expect(plain("Details SSL-1042 for a long client", 24).text).toBe("Details SSL-1042 for a …");
  });

  it("keeps an option's text within 75 and its value within 150 characters", () => {
    const long = option("n".repeat(200), "v".repeat(200));
    expect(long.text.text).toHaveLength(75);
    expect(long.value).toHaveLength(150);
    expect(option("1 year", "12")).toEqual({
      text: { type: "plain_text", text: "1 year", emoji: true },
      value: "12",
    });
  });
});

describe("sections and context", () => {
  it("adds a block_id only when given one", () => {
    expect(markdownSection("Hello")).toEqual({ type: "section", text: { type: "mrkdwn", text: "Hello" } });
    expect(markdownSection("Hello", "greeting").block_id).toBe("greeting");
    expect(context("Note").block_id).toBeUndefined();
    expect(context("Note", "note").block_id).toBe("note");
  });

  it("clips section and context text to 3000 characters, so huge text is still valid Block Kit", () => {
    const huge = "y".repeat(10_000);
    const blocks = [markdownSection(huge, "big"), context(huge), fieldWarning(huge)];
    expect(textOf(blocks[0])).toHaveLength(3000);
    expectValidBlockKit("modal", modalOf(blocks));
  });

  it("prefixes a field warning with the warning emoji", () => {
    expect(fieldWarning("Enter a domain.").elements).toEqual([
      { type: "mrkdwn", text: ":warning: Enter a domain." },
    ]);
  });
});

describe("escapeMrkdwn", () => {
  it("escapes &, < and > so user text cannot mention, link or notify", () => {
    expect(escapeMrkdwn(HOSTILE)).toBe(HOSTILE_ESCAPED);
  });

  it("escapes & first, so it never double-escapes its own entities", () => {
    expect(escapeMrkdwn("<&>")).toBe("&lt;&amp;&gt;");
    expect(escapeMrkdwn("&lt;")).toBe("&amp;lt;");
  });

  it("leaves formatting characters and plain text as typed", () => {
    expect(escapeMrkdwn("*bold* _it_ ~strike~ `code`")).toBe("*bold* _it_ ~strike~ `code`");
    expect(escapeMrkdwn("www.example.com")).toBe("www.example.com");
  });
});
