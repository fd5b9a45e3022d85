import { describe, expect, it } from "vitest";
import { blockKitProblems, expectValidBlockKit } from "../support/block-kit.js";

/** The checker every view test relies on must itself catch what Slack refuses. */

const button = (text: string, actionId: string, value = "1") => ({
  type: "button",
  text: { type: "plain_text", text },
  action_id: actionId,
  value,
});

const validModal = {
  type: "modal",
  callback_id: "example",
  title: { type: "plain_text", text: "Order SSL Cert" },
  submit: { type: "plain_text", text: "Place order" },
  close: { type: "plain_text", text: "Cancel" },
  private_metadata: JSON.stringify({ draftId: 12 }),
  blocks: [
    { type: "header", text: { type: "plain_text", text: "Acme Ltd" } },
    {
      type: "section",
      block_id: "head",
      text: { type: "mrkdwn", text: "*SSL-1042* · www.example.com" },
      fields: [{ type: "mrkdwn", text: "*Client*\nAcme" }],
      accessory: {
        type: "overflow",
        action_id: "menu",
        options: [{ text: { type: "plain_text", text: "Details" }, value: "details:1" }],
      },
    },
    { type: "divider" },
    { type: "context", elements: [{ type: "mrkdwn", text: "A note" }] },
    {
      type: "input",
      block_id: "period_blk",
      label: { type: "plain_text", text: "Period" },
      element: {
        type: "static_select",
        action_id: "period",
        options: [
          { text: { type: "plain_text", text: "1 year" }, value: "12" },
          { text: { type: "plain_text", text: "2 years" }, value: "24" },
        ],
        initial_option: { text: { type: "plain_text", text: "1 year" }, value: "12" },
      },
    },
    {
      type: "actions",
      block_id: "actions",
      elements: [
        button("Approve", "approve"),
        {
          ...button("Reject", "reject"),
          confirm: {
            title: { type: "plain_text", text: "Reject?" },
            text: { type: "plain_text", text: "The requester is told." },
            confirm: { type: "plain_text", text: "Reject" },
            deny: { type: "plain_text", text: "Cancel" },
          },
        },
      ],
    },
  ],
};

function withBlocks(blocks: unknown[]) {
  return { ...validModal, blocks };
}

describe("Block Kit checker", () => {
  it("passes a valid modal, home tab and message", () => {
    expect(blockKitProblems("modal", validModal)).toEqual([]);
    expectValidBlockKit("modal", validModal);
    expectValidBlockKit("home", { type: "home", blocks: validModal.blocks.slice(0, 4) });
    expectValidBlockKit("message", { text: "SSL-1042 issued", blocks: validModal.blocks.slice(0, 4) });
  });

  it("names a too-long button text with its path and both lengths", () => {
    const problems = blockKitProblems(
      "modal",
      withBlocks([{ type: "actions", elements: [button("ok", "a"), button("x".repeat(80), "b")] }]),
    );
    expect(problems).toEqual(["blocks[0].elements[1].text.text: 80 > 75 chars"]);
  });

  it("catches duplicate action_ids within a block, and across blocks only when asked to", () => {
    const sameBlock = withBlocks([{ type: "actions", elements: [button("A", "go"), button("B", "go")] }]);
    expect(blockKitProblems("modal", sameBlock)).toEqual([
      'blocks[0].elements[1].action_id: duplicate "go" (also blocks[0].elements[0])',
    ]);

    const twoBlocks = withBlocks([
      { type: "actions", elements: [button("A", "go")] },
      { type: "actions", elements: [button("B", "go")] },
    ]);
    expect(blockKitProblems("modal", twoBlocks)).toEqual([]);
    expect(blockKitProblems("modal", twoBlocks, { actionIds: "surface" })).toEqual([
      'blocks[1].elements[0].action_id: duplicate "go" (also blocks[0].elements[0])',
    ]);
  });

  it("catches duplicate block_ids", () => {
    const problems = blockKitProblems("message", {
      text: "x",
      blocks: [
        { type: "divider", block_id: "same" },
        { type: "divider", block_id: "same" },
      ],
    });
    expect(problems).toEqual(['blocks[1].block_id: duplicate "same" (also blocks[0])']);
  });

  it("counts blocks against each surface's limit", () => {
    const dividers = (count: number) => Array.from({ length: count }, () => ({ type: "divider" }));
    expect(blockKitProblems("modal", withBlocks(dividers(100)))).toEqual([]);
    expect(blockKitProblems("modal", withBlocks(dividers(101)))).toEqual(["blocks: 101 > 100 blocks"]);
    expect(blockKitProblems("home", { type: "home", blocks: dividers(101) })).toEqual([
      "blocks: 101 > 100 blocks",
    ]);
    expect(blockKitProblems("message", { text: "x", blocks: dividers(50) })).toEqual([]);
    expect(blockKitProblems("message", { text: "x", blocks: dividers(51) })).toEqual([
      "blocks: 51 > 50 blocks",
    ]);
  });

  it("checks the view's own fields", () => {
    const problems = blockKitProblems("modal", {
      ...validModal,
      title: { type: "plain_text", text: "Details SSL-1042 for Acme" },
      submit: undefined,
      close: { type: "mrkdwn", text: "Close" },
      private_metadata: "m".repeat(3001),
      callback_id: "c".repeat(256),
    });
    expect(problems).toEqual([
      "private_metadata: 3001 > 3000 chars",
      "callback_id: 256 > 255 chars",
      "title.text: 25 > 24 chars",
      "close.type: must be plain_text",
      "submit: a modal with input blocks needs a submit button",
    ]);
  });

  it("asks a message for a fallback text", () => {
    expect(blockKitProblems("message", { blocks: [{ type: "divider" }] })).toEqual([
      "text: a message needs a non-empty fallback text",
    ]);
    expect(blockKitProblems("message", { text: "  ", blocks: [] })).toEqual([
      "text: a message needs a non-empty fallback text",
    ]);
  });

  it("checks sections, headers and context blocks", () => {
    const problems = blockKitProblems("message", {
      text: "x",
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: "s".repeat(3001) } },
        {
          type: "section",
          fields: Array.from({ length: 11 }, (_, index) => ({
            type: "mrkdwn",
            text: index === 0 ? "f".repeat(2001) : "f",
          })),
        },
        { type: "section" },
        { type: "section", text: { type: "mrkdwn", text: "" } },
        { type: "header", text: { type: "plain_text", text: "h".repeat(151) } },
        { type: "context", elements: Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "c" })) },
      ],
    });
    expect(problems).toEqual([
      "blocks[0].text.text: 3001 > 3000 chars",
      "blocks[1].fields: 11 > 10 fields",
      "blocks[1].fields[0].text: 2001 > 2000 chars",
      "blocks[2]: a section needs text or fields",
      "blocks[3].text.text: empty",
      "blocks[4].text.text: 151 > 150 chars",
      "blocks[5].elements: 11 > 10 elements",
    ]);
  });

  it("checks buttons, confirmation dialogs and actions blocks", () => {
    const problems = blockKitProblems("message", {
      text: "x",
      blocks: [
        {
          type: "actions",
          block_id: "b".repeat(256),
          elements: [
            {
              ...button("Go", "a".repeat(256), "v".repeat(2001)),
              confirm: {
                title: { type: "plain_text", text: "t".repeat(101) },
                text: { type: "plain_text", text: "t".repeat(301) },
                confirm: { type: "plain_text", text: "c".repeat(31) },
                deny: { type: "plain_text", text: "d".repeat(31) },
              },
            },
            ...Array.from({ length: 25 }, (_, index) => button(`B${index}`, `b${index}`)),
          ],
        },
      ],
    });
    expect(problems).toEqual([
      "blocks[0].block_id: 256 > 255 chars",
      "blocks[0].elements: 26 > 25 elements",
      "blocks[0].elements[0].action_id: 256 > 255 chars",
      "blocks[0].elements[0].confirm.title.text: 101 > 100 chars",
      "blocks[0].elements[0].confirm.text.text: 301 > 300 chars",
      "blocks[0].elements[0].confirm.confirm.text: 31 > 30 chars",
      "blocks[0].elements[0].confirm.deny.text: 31 > 30 chars",
      "blocks[0].elements[0].value: 2001 > 2000 chars",
    ]);
  });

  it("checks selects, their options and inputs", () => {
    const options = (count: number) =>
      Array.from({ length: count }, (_, index) => ({
        text: { type: "plain_text", text: `Option ${index}` },
        value: String(index),
      }));
    const problems = blockKitProblems(
      "modal",
      withBlocks([
        {
          type: "input",
          label: { type: "plain_text", text: "l".repeat(2001) },
          element: {
            type: "static_select",
            action_id: "s",
            placeholder: { type: "plain_text", text: "p".repeat(151) },
            options: [
              ...options(100),
              { text: { type: "plain_text", text: "o".repeat(76) }, value: "v".repeat(151) },
            ],
            initial_option: { text: { type: "plain_text", text: "Gone" }, value: "gone" },
          },
        },
        {
          type: "input",
          label: { type: "plain_text", text: "Notes" },
          element: { type: "plain_text_input", action_id: "n", max_length: 3001 },
        },
        {
          type: "input",
          label: { type: "plain_text", text: "Name" },
          element: {
            type: "plain_text_input",
            action_id: "m",
            max_length: 10,
            initial_value: "x".repeat(11),
          },
        },
        {
          type: "section",
          text: { type: "mrkdwn", text: "Row" },
          accessory: { type: "overflow", action_id: "o", options: options(6) },
        },
      ]),
    );
    expect(problems).toEqual([
      "blocks[0].label.text: 2001 > 2000 chars",
      "blocks[0].element.placeholder.text: 151 > 150 chars",
      "blocks[0].element.options: 101 > 100 options",
      "blocks[0].element.options[100].text.text: 76 > 75 chars",
      "blocks[0].element.options[100].value: 151 > 150 chars",
      'blocks[0].element.initial_option: value "gone" is not among the options',
      "blocks[1].element.max_length: 3001 > 3000",
      "blocks[2].element.initial_value: 11 > 10 chars",
      "blocks[3].accessory.options: 6 > 5 options",
    ]);
  });

  it("makes expectValidBlockKit fail, listing the problems", () => {
    const tooMany = withBlocks(Array.from({ length: 101 }, () => ({ type: "divider" })));
    expect(() => expectValidBlockKit("modal", tooMany)).toThrow(/101 > 100 blocks/);
  });
});
