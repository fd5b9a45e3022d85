import type { SectionBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import type { OrderStatus } from "../../src/domain/order.js";
import {
  nextStepText,
  ORDER_MESSAGE_ACTIONS,
  type OrderSummary,
  orderMessage,
  orderPriceText,
  progressLine,
  STATUS_EMOJI,
  STATUS_LABEL,
} from "../../src/views/order-message.js";
import { READINESS_ACTIONS } from "../../src/views/readiness.js";
import { blockById, buttonsOf, expectValidBlockKit } from "../support/block-kit.js";
import {
  days,
  HOSTILE,
  HOSTILE_ESCAPED,
  LONGEST_DOMAIN,
  manySans,
  textOf,
  WORST_CLIENT_NAME,
} from "./fixtures.js";

const order: OrderSummary = {
  id: 42,
  reference: "SSL-1042",
  clientName: "Acme Ltd",
  primaryDomain: "www.example.com",
  sans: ["shop.example.com"],
  productName: "PositiveSSL Multi-Domain (DV)",
  providerName: "GoGetSSL",
  periodMonths: 12,
  dcvMethod: "email",
  approverEmail: "admin@example.com",
  requestedBy: "U0ALICE",
  approvedBy: null,
  status: "awaiting_approval",
  notAfter: null,
  quotedPrice: "29.00 USD",
  cost: null,
};

const fieldsOf = (message: ReturnType<typeof orderMessage>) =>
  ((blockById(message.blocks, "order_fields") as SectionBlock).fields ?? []).map((field) => field.text);

describe("order message", () => {
  it("waiting for approval: heads with the status, lists the order and offers Approve, Reject, Details", () => {
    const message = orderMessage(order, true);
    expectValidBlockKit("message", message);
    expect(message.text).toBe("SSL-1042 www.example.com for Acme Ltd: Waiting for approval");
    expect(textOf(blockById(message.blocks, "order_head"))).toBe(
      ":raised_hand: *SSL-1042* · www.example.com — *Waiting for approval*",
    );
    expect(fieldsOf(message)).toEqual([
      "*Client*\nAcme Ltd",
      "*Domains*\nwww.example.com, shop.example.com",
      "*Product*\nPositiveSSL Multi-Domain (DV) (GoGetSSL)",
      "*Period*\n1 year",
      "*Approver*\nadmin@example.com",
      "*Requested by*\n<@U0ALICE>",
      "*Price*\n29.00 USD",
    ]);
    expect(message.blocks[3]?.block_id).toBe("order_actions:42");
    expect(buttonsOf(message).map((button) => [button.actionId, button.value, button.style])).toEqual([
      [ORDER_MESSAGE_ACTIONS.approve, "42", "primary"],
      [ORDER_MESSAGE_ACTIONS.reject, "42", "danger"],
      [ORDER_MESSAGE_ACTIONS.details, "42", undefined],
    ]);
  });

  it("asks for confirmation before Approve spends money, naming product, client and price", () => {
    const [approve] = buttonsOf(orderMessage(order, true));
    expect(approve?.confirm).toMatchObject({
      title: { text: "Approve and buy?" },
      text: {
        text: "PositiveSSL Multi-Domain (DV), 1 year, for Acme Ltd: 29.00 USD. certdesk places it with GoGetSSL at once.",
      },
      confirm: { text: "Approve and buy" },
      deny: { text: "Cancel" },
    });
    const unpriced = buttonsOf(orderMessage({ ...order, quotedPrice: null }, true))[0];
    expect(JSON.stringify(unpriced?.confirm)).toContain("for Acme Ltd: price not available.");
  });

  it.each([
    "submitting",
    "pending",
    "issued",
    "failed",
    "rejected",
    "cancelled",
    "expired",
    "revoked",
  ] as OrderStatus[])(
    "%s: offers Check status, Details, Reissue once issued, Resend, Change validation and Will it issue? while validation waits, and Renew, never Approve",
    (status) => {
      const message = orderMessage({ ...order, status, approvedBy: "U0BOB" }, true);
      expectValidBlockKit("message", message);
      expect(order.dcvMethod).toBe("email");
      expect(buttonsOf(message).map((button) => button.actionId)).toEqual([
        ORDER_MESSAGE_ACTIONS.checkStatus,
        ORDER_MESSAGE_ACTIONS.details,
        ...(status === "issued" ? [ORDER_MESSAGE_ACTIONS.reissue] : []),
        ...(status === "pending"
          ? [
              ORDER_MESSAGE_ACTIONS.resendApproval,
              ORDER_MESSAGE_ACTIONS.changeValidation,
              READINESS_ACTIONS.check,
            ]
          : []),
        ORDER_MESSAGE_ACTIONS.renew,
      ]);
      expect(textOf(message.blocks[0])).toContain(`${STATUS_EMOJI[status]} *SSL-1042*`);
      expect(textOf(message.blocks[0])).toContain(`*${STATUS_LABEL[status]}*`);
      expect(fieldsOf(message)).toContain("*Requested by*\n<@U0ALICE> · approved by <@U0BOB>");
    },
  );

  it("shows the expiry, the renewed order, what was charged and the validation method", () => {
    const message = orderMessage(
      {
        ...order,
        status: "issued",
        sans: [],
        notAfter: days(365),
        renewalOfReference: "SSL-0999",
        cost: "28.50 USD",
        dcvMethod: "dns",
        periodMonths: 24,
      },
      false,
    );
    expect(textOf(message.blocks[0])).toBe(
      ":white_check_mark: *SSL-1042* · www.example.com — *Issued* · valid until 2027-11-27\nRenews SSL-0999",
    );
    // A subscription that outlives its certificate says until when reissues are free.
    const covered = orderMessage(
      { ...order, status: "issued", notAfter: days(199), coverageEndsAt: days(365) },
      false,
    );
    expect(textOf(covered.blocks[0])).toContain("valid until 2027-06-14 · covered until 2027-11-27");
    expect(fieldsOf(message)).toEqual(
      expect.arrayContaining([
        "*Domain*\nwww.example.com",
        "*Period*\n2 years",
        "*Approver*\nDNS record",
        "*Price*\n28.50 USD charged",
      ]),
    );
    expect(fieldsOf(orderMessage({ ...order, dcvMethod: "http", periodMonths: 3 }, false))).toEqual(
      expect.arrayContaining(["*Approver*\nHTTP file", "*Period*\n3 months"]),
    );
  });

  it("stays valid with 100 SANs, the longest domain and worst-case names", () => {
    const message = orderMessage(
      {
        ...order,
        primaryDomain: LONGEST_DOMAIN,
        sans: manySans(100),
        clientName: WORST_CLIENT_NAME,
        productName: "p".repeat(200),
        providerName: "GoGetSSL",
        approverEmail: `admin@${LONGEST_DOMAIN}`,
      },
      true,
    );
    expectValidBlockKit("message", message);
    expect(fieldsOf(message)[1]?.endsWith("…")).toBe(true);
  });

  it("escapes hostile names everywhere, including the fallback text", () => {
    const message = orderMessage({ ...order, clientName: HOSTILE, productName: "R&D <cert>" }, true);
    expectValidBlockKit("message", message);
    expect(message.text).toContain(HOSTILE_ESCAPED);
    expect(fieldsOf(message)).toContain(`*Client*\n${HOSTILE_ESCAPED}`);
    expect(fieldsOf(message)).toContain("*Product*\nR&amp;D &lt;cert&gt; (GoGetSSL)");
    // The confirmation dialog is plain text: shown as typed, no mrkdwn to escape.
    expect(JSON.stringify(buttonsOf(message)[0]?.confirm)).toContain("for *Acme*");
    const blocksJson = JSON.stringify(message.blocks.slice(0, 3));
    expect(blocksJson).not.toContain("<!channel>");
  });
});

describe("progress line", () => {
  it("bolds the steps reached, with Approved only when approval is required", () => {
    expect(progressLine("awaiting_approval", true)).toBe(
      "*Requested* → Approved → Submitted → Validating → Issued",
    );
    expect(progressLine("submitting", true)).toBe(
      "*Requested* → *Approved* → Submitted → Validating → Issued",
    );
    expect(progressLine("pending", true)).toBe(
      "*Requested* → *Approved* → *Submitted* → *Validating* → Issued",
    );
    expect(progressLine("issued", false)).toBe("*Requested* → *Submitted* → *Validating* → *Issued*");
    expect(progressLine("submitting", false)).toBe("*Requested* → Submitted → Validating → Issued");
    // A revoked certificate was issued first.
    expect(progressLine("revoked", true)).toBe(
      "*Requested* → *Approved* → *Submitted* → *Validating* → *Issued*",
    );
  });

  it("heads a revoked order with its own status, and offers Renew but no Reissue", () => {
    const message = orderMessage({ ...order, status: "revoked", notAfter: days(100) }, false);
    expect(textOf(message.blocks[0])).toContain(":no_entry: *SSL-1042* · www.example.com — *Revoked*");
    expect(message.text).toBe("SSL-1042 www.example.com for Acme Ltd: Revoked");
    expect(buttonsOf(message).map((button) => button.text)).toEqual(["Check status", "Details", "Renew"]);
  });
});

describe("order price", () => {
  it("prefers what was charged, then the list price, then says there is none", () => {
    expect(orderPriceText({ cost: "9.00 USD", quotedPrice: "8.95 USD", providerName: "GoGetSSL" })).toBe(
      "9.00 USD charged",
    );
    expect(orderPriceText({ cost: null, quotedPrice: "8.95 USD", providerName: "GoGetSSL" })).toBe(
      "8.95 USD",
    );
    expect(orderPriceText({ cost: null, quotedPrice: null, providerName: "Sectigo" })).toBe(
      "price not available (Sectigo publishes no prices)",
    );
    expect(orderPriceText({ cost: "<1>", quotedPrice: null, providerName: "x" })).toBe("&lt;1&gt; charged");
  });
});

describe("next step", () => {
  it("by e-mail: says whom the provider e-mailed", () => {
    expect(
      nextStepText({ dcvMethod: "email", approverEmail: "admin@example.com", providerName: "GoGetSSL" }, []),
    ).toBe(
      ":email: GoGetSSL e-mailed *admin@example.com*; the client must approve before the certificate is issued.",
    );
  });

  it("by HTTP or DNS: says what to publish for each domain", () => {
    const text = nextStepText({ dcvMethod: "dns", approverEmail: null, providerName: "Sectigo" }, [
      {
        domain: "www.example.com",
        method: "dns",
        dnsRecord: { name: "_a1.www.example.com", type: "CNAME", value: "b2.sectigo.com" },
      },
      {
        domain: "shop.example.com",
        method: "http",
        httpUrl: "http://shop.example.com/.well-known/pki-validation/c3.txt",
        httpContent: "hash\nsectigo.com",
      },
      { domain: "<odd>.example.com", method: "dns" },
    ]);
    expect(text.split("\n")).toEqual([
      ":globe_with_meridians: To prove control of the domains, publish:",
      "• *www.example.com*: add the DNS record `_a1.www.example.com CNAME b2.sectigo.com`",
      "• *shop.example.com*: publish `http://shop.example.com/.well-known/pki-validation/c3.txt` with the content",
      "```hash",
      "sectigo.com```",
      "• *&lt;odd&gt;.example.com*: see the provider's instructions",
    ]);
  });
});
