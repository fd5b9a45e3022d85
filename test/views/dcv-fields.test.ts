import type { InputBlock, KnownBlock, StaticSelect } from "@slack/types";
import { describe, expect, it } from "vitest";
import {
  type ApproverSelectOptions,
  approverSelectBlocks,
  chooseDcvMethod,
  dcvMethodInput,
} from "../../src/views/dcv-fields.js";
import { expectValidBlockKit } from "../support/block-kit.js";
import { HOSTILE, HOSTILE_ESCAPED, LONGEST_DOMAIN, modalOf, textOf } from "./fixtures.js";

const idle: KnownBlock = { type: "context", elements: [{ type: "mrkdwn", text: "Enter the domain first." }] };

const selectOptions: ApproverSelectOptions = {
  blockId: (domain) => `approver_blk:${domain.slice(0, 200)}`,
  actionId: "order_approver",
  loadingBlockId: "approver_loading",
  hint: (domain) => `The provider e-mails this address to confirm control of ${domain}.`,
  idle,
};

const approverEmails = (domain: string) =>
  ["admin", "administrator", "hostmaster", "postmaster", "webmaster"].map((box) => `${box}@${domain}`);

describe("chooseDcvMethod", () => {
  it("keeps the wanted method when the provider offers it", () => {
    expect(chooseDcvMethod(["email", "http", "dns"], "dns")).toBe("dns");
  });

  it("defaults to DNS where offered (e-mail validation ends in 2028), else the provider's first method", () => {
    expect(chooseDcvMethod(["email", "http", "dns"], undefined)).toBe("dns");
    expect(chooseDcvMethod(["http", "email"], "dns")).toBe("http");
    expect(chooseDcvMethod(["email"], undefined)).toBe("email");
    expect(chooseDcvMethod([], undefined)).toBe("email");
  });
});

describe("dcvMethodInput", () => {
  const ids = { blockId: "dcv_blk", actionId: "order_dcv_method" };

  it("shows no radio buttons when the provider offers a single method", () => {
    expect(dcvMethodInput(["email"], "email", ids)).toEqual([]);
    expect(dcvMethodInput([], "email", ids)).toEqual([]);
  });

  it("offers each method by name, the chosen one selected, and dispatches on change", () => {
    const [block] = dcvMethodInput(["email", "http", "dns"], "http", ids);
    expect(block?.block_id).toBe("dcv_blk");
    expect(block?.dispatch_action).toBe(true);
    const element = block?.element;
    if (element?.type !== "radio_buttons") throw new Error("expected radio buttons");
    expect(element.action_id).toBe("order_dcv_method");
    expect(element.options.map((candidate) => candidate.text.text)).toEqual([
      "E-mail to an approver address",
      "HTTP file on the web server",
      "DNS record (CNAME)",
    ]);
    expect(element.initial_option?.value).toBe("http");
    // E-mail says it is being retired; the others need no note.
    expect(element.options.map((candidate) => candidate.description?.text)).toEqual([
      "CAs stop accepting e-mail validation on 15 March 2028.",
      undefined,
      undefined,
    ]);
    expectValidBlockKit("modal", modalOf(block ? [block] : []));
  });
});

describe("approverSelectBlocks", () => {
  it("shows the caller's idle block before any list was asked for", () => {
    expect(approverSelectBlocks({ state: "idle" }, selectOptions)).toEqual([idle]);
  });

  it("says whose list is loading, with the domain and provider escaped", () => {
    const blocks = approverSelectBlocks(
      { state: "loading", providerName: "Sectigo <EU>", domain: "www.example.com" },
      selectOptions,
    );
    expect(blocks).toHaveLength(1);
    expect(blocks[0]?.block_id).toBe("approver_loading");
    expect(textOf(blocks[0])).toBe(
      ":hourglass_flowing_sand: Fetching approver addresses for *www.example.com* from Sectigo &lt;EU&gt;…",
    );
    expectValidBlockKit("modal", modalOf(blocks));
  });

  it("warns when the list could not be loaded, and stays valid with a very long provider error", () => {
    const blocks = approverSelectBlocks(
      { state: "error", domain: "example.com", message: "Timeout after 10 s" },
      selectOptions,
    );
    expect(textOf(blocks[0])).toBe(
      ":warning: Approver addresses for example.com could not be loaded: Timeout after 10 s",
    );
    const long = approverSelectBlocks(
      { state: "error", domain: LONGEST_DOMAIN, message: "e".repeat(10_000) },
      selectOptions,
    );
    expectValidBlockKit("modal", modalOf(long));
  });

  it("asks for HTTP or DNS validation when the provider returned no addresses", () => {
    const blocks = approverSelectBlocks(
      { state: "loaded", domain: "example.com", emails: [] },
      selectOptions,
    );
    expect(blocks[0]?.type).toBe("context");
    expect(textOf(blocks[0])).toContain("returned no approver addresses for example.com: choose HTTP or DNS");
  });

  it("offers the addresses in a select keyed by the domain, keeping the earlier choice", () => {
    const blocks = approverSelectBlocks(
      { state: "loaded", domain: "example.com", emails: approverEmails("example.com") },
      { ...selectOptions, selected: "hostmaster@example.com" },
    );
    expectValidBlockKit("modal", modalOf(blocks));
    const block = blocks[0] as InputBlock;
    expect(block.block_id).toBe("approver_blk:example.com");
    expect(block.label.text).toBe("Approval Email Address");
    expect(block.hint?.text).toBe("The provider e-mails this address to confirm control of example.com.");
    const select = block.element as StaticSelect;
    expect(select.action_id).toBe("order_approver");
    expect(select.options?.map((candidate) => candidate.value)).toEqual(approverEmails("example.com"));
    expect(select.initial_option?.value).toBe("hostmaster@example.com");
  });

  it("selects nothing when the earlier choice is not in the new list", () => {
    const blocks = approverSelectBlocks(
      { state: "loaded", domain: "example.org", emails: approverEmails("example.org") },
      { ...selectOptions, selected: "admin@example.com" },
    );
    expect((blocks[0] as InputBlock).element).not.toHaveProperty("initial_option");
  });

  it("offers at most 100 addresses", () => {
    const emails = Array.from({ length: 150 }, (_, index) => `box${index}@example.com`);
    const blocks = approverSelectBlocks({ state: "loaded", domain: "example.com", emails }, selectOptions);
    const select = (blocks[0] as InputBlock).element as StaticSelect;
    expect(select.options).toHaveLength(100);
    expectValidBlockKit("modal", modalOf(blocks));
  });

  it("stays within limits for the longest domain name (clipping hint, option text and value)", () => {
    const blocks = approverSelectBlocks(
      { state: "loaded", domain: LONGEST_DOMAIN, emails: approverEmails(LONGEST_DOMAIN) },
      selectOptions,
    );
    expectValidBlockKit("modal", modalOf(blocks));
  });

  it("escapes a hostile domain in the loading message", () => {
    const blocks = approverSelectBlocks(
      { state: "loading", providerName: HOSTILE, domain: HOSTILE },
      selectOptions,
    );
    expect(textOf(blocks[0])).toContain(`*${HOSTILE_ESCAPED}* from ${HOSTILE_ESCAPED}…`);
    expect(textOf(blocks[0])).not.toContain("<!channel>");
  });
});
