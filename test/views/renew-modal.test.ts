import type { PlainTextInput } from "@slack/types";
import { describe, expect, it } from "vitest";
import {
  RENEW_ACTIONS,
  RENEW_BLOCKS,
  RENEW_CALLBACK,
  RENEW_DONE_CALLBACK,
  RENEW_REVIEW_CALLBACK,
  type RenewModalData,
  type RenewReviewData,
  renewBlockId,
  renewMessageView,
  renewModalView,
  renewReviewView,
} from "../../src/views/renew-modal.js";
import { blockById, buttonsOf, expectValidBlockKit } from "../support/block-kit.js";
import {
  allTexts,
  days,
  HOSTILE,
  HOSTILE_ESCAPED,
  ids,
  input,
  LONGEST_DOMAIN,
  manySans,
  select,
  textOf,
  WORST_CLIENT_NAME,
} from "./fixtures.js";

function data(overrides: Partial<RenewModalData> = {}): RenewModalData {
  return {
    original: {
      reference: "SSL-1042",
      clientName: "Acme Ltd",
      primaryDomain: "www.example.com",
      sans: ["shop.example.com"],
      productName: "PositiveSSL Multi-Domain (DV)",
      providerName: "GoGetSSL",
      organisation: ["Acme Limited", "IT", "London", "Greater London", "GB"],
      notAfter: days(20),
      hasKey: true,
    },
    periods: [12, 24],
    serverTypes: [
      { id: "apache", label: "Apache/mod_ssl", isDefault: true },
      { id: "nginx", label: "nginx", isDefault: false },
    ],
    dcvMethods: ["email", "http", "dns"],
    values: {
      contactFirst: "Jane",
      contactLast: "Doe",
      contactEmail: "jane@acme.example",
      contactPhone: "+44 20 7946 0001",
      contactTitle: "CTO",
    },
    approvers: { state: "idle" },
    privateMetadata: JSON.stringify({ orderId: 42, channelId: "C0OPS" }),
    ...overrides,
  };
}

describe("renew form", () => {
  it("names the order renewed and says the CSR, domains and organisation stay", () => {
    const view = renewModalView(data());
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(RENEW_CALLBACK);
    expect(view.title.text).toBe("Renew SSL Cert");
    expect(view.submit?.text).toBe("Review renewal");
    expect(textOf(blockById(view.blocks, "renew_head"))).toBe(
      "Renew *SSL-1042* · www.example.com, shop.example.com for *Acme Ltd*\n" +
        "PositiveSSL Multi-Domain (DV) from GoGetSSL · current certificate valid until 2026-12-17",
    );
    expect(allTexts(view.blocks)).toContain(
      "The domains and the organisation stay as they are. Organisation: Acme Limited, IT, London, Greater London, GB.",
    );
  });

  it("makes a new key pair by default and offers to keep the current key only when certdesk holds it", () => {
    const key = select(renewModalView(data()), RENEW_BLOCKS.key);
    expect(JSON.stringify(key)).toContain(
      '"initial_option":{"text":{"type":"plain_text","text":"New key pair (recommended)"',
    );
    expect(JSON.stringify(key)).toContain("Keep the current key");
    const kept = select(renewModalView(data({ values: { key: "current" } })), RENEW_BLOCKS.key);
    expect(JSON.stringify(kept)).toContain(
      '"initial_option":{"text":{"type":"plain_text","text":"Keep the current key"',
    );
    const clientKey = data();
    clientKey.original.hasKey = false;
    expect(JSON.stringify(select(renewModalView(clientKey), RENEW_BLOCKS.key))).not.toContain(
      "Keep the current key",
    );
  });

  it("offers the product's periods (one year preselected) and server types (the default preselected)", () => {
    const view = renewModalView(data());
    const period = select(view, RENEW_BLOCKS.period);
    expect(period.action_id).toBe(RENEW_ACTIONS.period);
    expect(period.options?.map((option) => option.text.text)).toEqual(["1 year", "2 years"]);
    expect(period.initial_option?.value).toBe("12");
    expect(select(view, RENEW_BLOCKS.serverType).initial_option?.value).toBe("apache");

    const chosen = renewModalView(data({ values: { periodMonths: 24, serverTypeId: "nginx" } }));
    expect(select(chosen, RENEW_BLOCKS.period).initial_option?.value).toBe("24");
    expect(select(chosen, RENEW_BLOCKS.serverType).initial_option?.value).toBe("nginx");
    expect(ids(renewModalView(data({ serverTypes: [] })))).not.toContain(RENEW_BLOCKS.serverType);
  });

  it("cannot be placed when the provider no longer lists the product, or its list is unavailable", () => {
    const gone = renewModalView(data({ periods: [] }));
    expectValidBlockKit("modal", gone);
    expect(ids(gone)).not.toContain(RENEW_BLOCKS.period);
    expect(allTexts(gone.blocks)).toContain(
      ":warning: GoGetSSL no longer lists PositiveSSL Multi-Domain (DV); this renewal cannot be placed.",
    );
    const unavailable = renewModalView(data({ productsUnavailable: "HTTP 503" }));
    expect(allTexts(unavailable.blocks)).toContain(
      ":warning: GoGetSSL's products are unavailable right now (HTTP 503); close this and press Renew again in a minute.",
    );
  });

  it("fetches approver addresses as it opens, and shows them once loaded", () => {
    // The form opens with the original order's method (e-mail here), as the handler fills it in.
    const idle = renewModalView(data({ values: { dcvMethod: "email" } }));
    expect(textOf(blockById(idle.blocks, "renew_approver_loading"))).toBe(
      ":hourglass_flowing_sand: Fetching approver addresses for *www.example.com*…",
    );
    const loaded = renewModalView(
      data({
        values: { dcvMethod: "email", approverEmail: "webmaster@example.com" },
        approvers: {
          state: "loaded",
          domain: "example.com",
          emails: ["admin@example.com", "webmaster@example.com"],
        },
      }),
    );
    expectValidBlockKit("modal", loaded);
    const approver = select(loaded, renewBlockId("approver", "example.com"));
    expect(approver.action_id).toBe(RENEW_ACTIONS.approver);
    expect(approver.initial_option?.value).toBe("webmaster@example.com");
    expect(input(loaded, "renew_approver_blk:example.com").hint?.text).toContain("confirm example.com");
  });

  it("for HTTP or DNS validation, says the thread shows what to publish and asks for no approver", () => {
    const view = renewModalView(data({ values: { dcvMethod: "dns" } }));
    expect(allTexts(view.blocks)).toContain("After the renewal is placed, its thread shows what to publish.");
    expect(ids(view).some((id) => id?.startsWith(RENEW_BLOCKS.approver))).toBe(false);
    expect(ids(view)).not.toContain("renew_approver_loading");
    expect(
      (input(view, RENEW_BLOCKS.dcvMethod).element as { initial_option?: { value?: string } }).initial_option
        ?.value,
    ).toBe("dns");
    expect(ids(renewModalView(data({ dcvMethods: ["email"] })))).not.toContain(RENEW_BLOCKS.dcvMethod);
  });

  it("prefills the contact from the original order; the title is optional", () => {
    const view = renewModalView(data());
    expect((input(view, RENEW_BLOCKS.contactFirst).element as PlainTextInput).initial_value).toBe("Jane");
    expect((input(view, RENEW_BLOCKS.contactEmail).element as PlainTextInput).initial_value).toBe(
      "jane@acme.example",
    );
    expect(input(view, RENEW_BLOCKS.contactTitle).optional).toBe(true);
    expect(input(view, RENEW_BLOCKS.contactPhone).optional).toBe(false);
    expect(
      renewModalView(data({ values: {} })).blocks.every(
        (block) => !JSON.stringify(block).includes("initial_value"),
      ),
    ).toBe(true);
  });

  it("shows the provider's refusal at the top and warnings under their fields, escaped", () => {
    const view = renewModalView(
      data({
        topError: HOSTILE,
        warnings: { period: "Not sold for 3 years.", approver: "Choose an address." },
      }),
    );
    expectValidBlockKit("modal", view);
    expect(textOf(blockById(view.blocks, "renew_top_error"))).toBe(
      `:x: *The renewal was refused.* ${HOSTILE_ESCAPED}`,
    );
    const warningAfter = (id: string) =>
      textOf(view.blocks[view.blocks.findIndex((block) => block.block_id === id) + 1]);
    expect(warningAfter(RENEW_BLOCKS.period)).toBe(":warning: Not sold for 3 years.");
    expect(allTexts(view.blocks)).toContain(":warning: Choose an address.");
  });

  it("stays within limits with 100 SANs, long names, 150 server types and 150 approvers", () => {
    const view = renewModalView(
      data({
        original: {
          reference: "SSL-1042",
          clientName: WORST_CLIENT_NAME,
          primaryDomain: LONGEST_DOMAIN,
          sans: manySans(100),
          productName: "&".repeat(500),
          providerName: "<".repeat(300),
          organisation: ["&".repeat(64), "u".repeat(64), "l".repeat(128), "s".repeat(128), "GB"],
          notAfter: null,
          hasKey: true,
        },
        serverTypes: Array.from({ length: 150 }, (_, index) => ({
          id: `s${index}`,
          label: "l".repeat(200),
          isDefault: false,
        })),
        approvers: {
          state: "loaded",
          domain: LONGEST_DOMAIN,
          emails: Array.from({ length: 150 }, (_, index) => `box${index}@${LONGEST_DOMAIN}`),
        },
        values: { contactFirst: "f".repeat(500), contactTitle: "t".repeat(500) },
        topError: "&".repeat(5000),
        warnings: { period: "w".repeat(5000), approver: "a".repeat(5000) },
      }),
    );
    expectValidBlockKit("modal", view);
    expect(textOf(blockById(view.blocks, "renew_head"))).not.toContain("valid until");
  });
});

function review(overrides: Partial<RenewReviewData> = {}): RenewReviewData {
  return {
    review: {
      clientName: "Acme Ltd",
      providerName: "GoGetSSL",
      productName: "PositiveSSL (DV)",
      periodMonths: 12,
      domains: ["www.example.com"],
      validation: { method: "http" },
      addons: [],
      price: "8.95 USD",
      renews: "SSL-1042",
    },
    contact: {
      firstName: "Jane",
      lastName: "Doe",
      email: "jane@acme.example",
      phone: "+44 20 7946 0001",
      title: "CTO",
    },
    approvalNeeded: false,
    privateMetadata: JSON.stringify({ draftId: 9 }),
    ...overrides,
  };
}

describe("renewal review", () => {
  it("says what the renewal buys, for whom, the contact, and offers to change something", () => {
    const view = renewReviewView(review());
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(RENEW_REVIEW_CALLBACK);
    expect(view.title.text).toBe("Review renewal");
    expect(view.submit?.text).toBe("Place renewal");
    expect(textOf(blockById(view.blocks, "purchase_review"))).toContain(
      "Renewing SSL-1042: you are about to buy",
    );
    expect(textOf(blockById(view.blocks, "renew_review_contact"))).toBe(
      "*Contact*: Jane Doe · jane@acme.example · +44 20 7946 0001",
    );
    expect(buttonsOf(view)).toEqual([
      expect.objectContaining({ actionId: RENEW_ACTIONS.change, text: "Change something" }),
    ]);
  });

  it("asks for approval instead of buying when approval is required", () => {
    expect(renewReviewView(review({ approvalNeeded: true })).submit?.text).toBe("Request approval");
  });

  it("escapes the contact and stays valid with huge values", () => {
    const view = renewReviewView(
      review({
        contact: {
          firstName: HOSTILE,
          lastName: "&".repeat(1000),
          email: "<".repeat(1000),
          phone: ">".repeat(1000),
          title: "",
        },
      }),
    );
    expectValidBlockKit("modal", view);
    expect(textOf(blockById(view.blocks, "renew_review_contact"))).toContain(HOSTILE_ESCAPED);
  });
});

describe("renewal closing screens", () => {
  it("shows progress, the outcome or a refusal, closing the whole stack", () => {
    const view = renewMessageView("*SSL-2001* renews SSL-1042.", "Follow it in its own thread.");
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(RENEW_DONE_CALLBACK);
    expect(view.title.text).toBe("Renew SSL Cert");
    expect(view.clear_on_close).toBe(true);
    expect(view.submit).toBeUndefined();
    expect(view.blocks.map(textOf)).toEqual(["*SSL-2001* renews SSL-1042.", "Follow it in its own thread."]);
    expect(renewMessageView("Only text.").blocks).toHaveLength(1);
    expectValidBlockKit("modal", renewMessageView("x".repeat(10_000), "y".repeat(10_000)));
  });
});
