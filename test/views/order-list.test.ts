import type { ActionsBlock, KnownBlock, Overflow, SectionBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import type { OrderListEntry, OrderStatus } from "../../src/domain/order.js";
import {
  dayIn,
  emptyOrderListMessage,
  expiryPhrase,
  ORDER_LIST_ACTIONS,
  ORDERS_PAGE_SIZE,
  type OrderListView,
  orderListMessage,
} from "../../src/views/order-list.js";
import { blockById, expectValidBlockKit } from "../support/block-kit.js";
import {
  days,
  HOSTILE,
  HOSTILE_ESCAPED,
  LONGEST_DOMAIN,
  manySans,
  NOW,
  textOf,
  WORST_CLIENT_NAME,
} from "./fixtures.js";

function entry(id: number, overrides: Partial<OrderListEntry> = {}): OrderListEntry {
  return {
    id,
    reference: `SSL-${1000 + id}`,
    clientId: 7,
    clientName: "Acme Ltd",
    primaryDomain: `host${id}.example.com`,
    sans: [],
    productName: "PositiveSSL (DV)",
    provider: "sandbox",
    status: "issued",
    notAfter: days(100),
    coverageEndsAt: null,
    createdAt: days(-265),
    ...overrides,
  };
}

function view(overrides: Partial<OrderListView> = {}): OrderListView {
  return {
    orders: [entry(1), entry(2)],
    total: 2,
    offset: 0,
    pageSize: ORDERS_PAGE_SIZE,
    now: NOW,
    timeZone: "Europe/London",
    ...overrides,
  };
}

/** The page of 500 orders that starts at `offset`, as the list command passes it. */
function pageOf500(offset: number, overrides: Partial<OrderListEntry> = {}): OrderListView {
  const orders = Array.from({ length: Math.min(ORDERS_PAGE_SIZE, 500 - offset) }, (_, index) =>
    entry(500 - offset - index, overrides),
  );
  return view({ orders, total: 500, offset });
}

const pager = (blocks: KnownBlock[]) =>
  (blocks.find((block) => block.block_id === "order_list_pages") as ActionsBlock | undefined)?.elements.map(
    (button) => [button.action_id, "value" in button ? JSON.parse(String(button.value)) : undefined],
  );

describe("order list", () => {
  it("heads the list, shows each order with client, product, status and expiry, and a footer", () => {
    const message = orderListMessage(view());
    expectValidBlockKit("message", message);
    expect(textOf(blockById(message.blocks, "order_list_heading"))).toBe(
      "*Recent certificates* · 1–2 of 2, newest first",
    );
    expect(textOf(blockById(message.blocks, "order_list_row_1"))).toBe(
      ":white_check_mark: *SSL-1001* · host1.example.com\nAcme Ltd · PositiveSSL (DV) · Issued · expires 2027-03-07 (in 100 days)",
    );
    expect(textOf(blockById(message.blocks, "order_list_footer"))).toContain(
      "/ssl status <SSL-1042 | domain>",
    );
    expect(message.text).toBe(
      "Recent certificates, 1–2 of 2: SSL-1001 host1.example.com, SSL-1002 host2.example.com",
    );
    expect(pager(message.blocks)).toBeUndefined();
  });

  it("gives every row a menu: Check status, Details, Renew for that order", () => {
    const row = blockById(orderListMessage(view()).blocks, "order_list_row_2") as SectionBlock;
    const menu = row.accessory as Overflow;
    expect(menu.action_id).toBe(ORDER_LIST_ACTIONS.menu);
    expect(menu.options.map((option) => [option.text.text, option.value])).toEqual([
      ["Check status", "check:2"],
      ["Details", "details:2"],
      ["Renew", "renew:2"],
    ]);
  });

  it("leaves the client's name out of a client's own list and counts extra domains", () => {
    const message = orderListMessage(
      view({
        client: { id: 7, name: "Acme <Ltd>" },
        orders: [entry(1, { sans: ["a.example.com", "b.example.com"] })],
        total: 1,
      }),
    );
    expect(textOf(message.blocks[0])).toBe("*Certificates for Acme &lt;Ltd&gt;* · 1–1 of 1, newest first");
    expect(textOf(blockById(message.blocks, "order_list_row_1"))).toBe(
      ":white_check_mark: *SSL-1001* · host1.example.com (+2)\nPositiveSSL (DV) · Issued · expires 2027-03-07 (in 100 days)",
    );
    expect(message.text).toContain("Certificates for Acme &lt;Ltd&gt;, 1–1 of 1");
  });

  it("shows the coverage end beside the expiry when the subscription outlives the certificate", () => {
    const message = orderListMessage(view({ orders: [entry(1, { coverageEndsAt: days(300) })], total: 1 }));
    expect(textOf(blockById(message.blocks, "order_list_row_1"))).toContain(
      "Issued · expires 2027-03-07 (in 100 days) · covered until 2027-09-23",
    );
    const last = orderListMessage(view({ orders: [entry(1, { coverageEndsAt: days(100) })], total: 1 }));
    expect(textOf(blockById(last.blocks, "order_list_row_1"))).not.toContain("covered until");
  });

  it("says 'not issued yet' while an order is on its way, and nothing for a failed one", () => {
    const row = (status: OrderStatus) =>
      textOf(orderListMessage(view({ orders: [entry(1, { status, notAfter: null })], total: 1 })).blocks[1]);
    expect(row("awaiting_approval")).toBe(
      ":raised_hand: *SSL-1001* · host1.example.com\nAcme Ltd · PositiveSSL (DV) · Waiting for approval · not issued yet",
    );
    expect(row("pending")).toContain("Validating · not issued yet");
    expect(row("failed")).toMatch(/· Failed$/);
    expect(row("expired")).toMatch(/· Expired$/);
  });

  it("pages through 500 orders: Next first, both in the middle, Previous last; the client travels along", () => {
    expect(pager(orderListMessage(pageOf500(0)).blocks)).toEqual([[ORDER_LIST_ACTIONS.next, { offset: 10 }]]);
    expect(pager(orderListMessage(pageOf500(250)).blocks)).toEqual([
      [ORDER_LIST_ACTIONS.previous, { offset: 240 }],
      [ORDER_LIST_ACTIONS.next, { offset: 260 }],
    ]);
    expect(pager(orderListMessage(pageOf500(490)).blocks)).toEqual([
      [ORDER_LIST_ACTIONS.previous, { offset: 480 }],
    ]);
    expect(textOf(orderListMessage(pageOf500(490)).blocks[0])).toContain("491–500 of 500");
    const forClient = orderListMessage({ ...pageOf500(10), client: { id: 7, name: "Acme Ltd" } });
    expect(pager(forClient.blocks)).toEqual([
      [ORDER_LIST_ACTIONS.previous, { clientId: 7, offset: 0 }],
      [ORDER_LIST_ACTIONS.next, { clientId: 7, offset: 20 }],
    ]);
  });

  it("keeps every page of 500 orders with long names within a message's limits", () => {
    for (let offset = 0; offset < 500; offset += ORDERS_PAGE_SIZE) {
      const message = orderListMessage(
        pageOf500(offset, {
          primaryDomain: LONGEST_DOMAIN,
          sans: manySans(100),
          clientName: WORST_CLIENT_NAME,
          productName: "&".repeat(200),
        }),
      );
      expectValidBlockKit("message", message);
      expect(message.blocks).toHaveLength(ORDERS_PAGE_SIZE + 3);
    }
  });

  it("escapes hostile client and product names", () => {
    const message = orderListMessage(
      view({ orders: [entry(1, { clientName: HOSTILE, productName: "<b>" })], total: 1 }),
    );
    expectValidBlockKit("message", message);
    expect(textOf(message.blocks[1])).toContain(`${HOSTILE_ESCAPED} · &lt;b&gt; · Issued`);
    expect(JSON.stringify(message)).not.toContain("<!channel>");
  });
});

describe("empty order list", () => {
  it("says how to order the first certificate", () => {
    const message = emptyOrderListMessage();
    expectValidBlockKit("message", message);
    expect(message.text).toBe(
      "No certificates have been ordered yet. Order the first one with `/ssl order [client] [domain]`.",
    );
    expect(message.blocks[0]?.block_id).toBe("order_list_empty");
  });

  it("names the client, quoting a name with spaces in the command to type", () => {
    expect(emptyOrderListMessage("Acme").text).toBe(
      "*Acme* has no certificates yet. Order one with `/ssl order Acme <domain>`.",
    );
    expect(emptyOrderListMessage("Acme Ltd").text).toBe(
      '*Acme Ltd* has no certificates yet. Order one with `/ssl order "Acme Ltd" <domain>`.',
    );
    const hostile = emptyOrderListMessage(HOSTILE);
    expectValidBlockKit("message", hostile);
    expect(hostile.text).not.toContain("<!channel>");
    expectValidBlockKit("message", emptyOrderListMessage(WORST_CLIENT_NAME));
  });
});

describe("expiry phrase", () => {
  it("counts whole days ahead or behind, with the day in the given time zone", () => {
    expect(expiryPhrase(days(23), NOW, "UTC")).toBe("expires 2026-12-20 (in 23 days)");
    expect(expiryPhrase(days(-3), NOW, "UTC")).toBe("expired 2026-11-24 (3 days ago)");
    expect(expiryPhrase(new Date(NOW.getTime() + 5 * 3600_000), NOW, "UTC")).toBe(
      "expires 2026-11-27 (in about 5 hours)",
    );
    expect(expiryPhrase(NOW, NOW, "UTC")).toMatch(/^expired 2026-11-27 /);
  });

  it("takes the day where the reader is", () => {
    const lateEvening = new Date("2026-11-27T23:30:00Z");
    expect(dayIn(lateEvening, "UTC")).toBe("2026-11-27");
    expect(dayIn(lateEvening, "Europe/Berlin")).toBe("2026-11-28");
    expect(dayIn(lateEvening, "America/New_York")).toBe("2026-11-27");
  });
});
