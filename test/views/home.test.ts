import type { AnyBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import type { OrderStatus } from "../../src/domain/order.js";
import { type HomeContent, type HomeOrderLine, homeView } from "../../src/views/home.js";
import { ORDER_MESSAGE_ACTIONS } from "../../src/views/order-message.js";
import { blockById, buttonsOf, expectValidBlockKit } from "../support/block-kit.js";
import { days, HOSTILE, HOSTILE_ESCAPED, LONGEST_DOMAIN, textOf, WORST_CLIENT_NAME } from "./fixtures.js";

const VIEWER = "U0VIEWER";

function line(id: number, status: OrderStatus, overrides: Partial<HomeOrderLine> = {}): HomeOrderLine {
  return {
    id,
    reference: `SSL-${1000 + id}`,
    primaryDomain: `host${id}.example.com`,
    clientName: "Acme Ltd",
    status,
    requestedBy: "U0OTHER",
    notAfter: null,
    ...overrides,
  };
}

function content(overrides: Partial<HomeContent> = {}): HomeContent {
  return {
    viewer: VIEWER,
    awaitingApproval: [],
    pending: [],
    expiring: [],
    limit: 10,
    expiringDays: 30,
    ...overrides,
  };
}

const headers = (blocks: AnyBlock[]) => blocks.filter((block) => block.type === "header").map(textOf);
const actionsOf = (view: ReturnType<typeof homeView>, orderId: number) =>
  buttonsOf(blockById(view.blocks, `home_actions:${orderId}`)).map((button) => button.actionId);

describe("home tab", () => {
  it("shows three empty lists, each saying so, to someone who may approve", () => {
    const view = homeView(content());
    expectValidBlockKit("home", view);
    expect(headers(view.blocks)).toEqual([
      "Waiting for your approval",
      "Your orders in progress",
      "Expiring in the next 30 days",
    ]);
    const texts = view.blocks.map(textOf).join("\n");
    expect(texts).toContain("Nothing waits for your approval.");
    expect(texts).toContain("You have no orders in progress.");
    expect(texts).toContain("No certificate expires in the next 30 days.");
    expect(buttonsOf(view)).toEqual([]);
  });

  it("has no approval list for someone who may not approve", () => {
    const view = homeView(content({ awaitingApproval: undefined }));
    expectValidBlockKit("home", view);
    expect(headers(view.blocks)).toEqual(["Your orders in progress", "Expiring in the next 30 days"]);
    expect(JSON.stringify(view)).not.toContain("approval");
  });

  it("offers Approve and Reject on others' requests, only Details on one's own", () => {
    const view = homeView(
      content({
        awaitingApproval: [
          line(1, "awaiting_approval"),
          line(2, "awaiting_approval", { requestedBy: VIEWER }),
        ],
      }),
    );
    expectValidBlockKit("home", view);
    expect(actionsOf(view, 1)).toEqual([
      ORDER_MESSAGE_ACTIONS.approve,
      ORDER_MESSAGE_ACTIONS.reject,
      ORDER_MESSAGE_ACTIONS.details,
    ]);
    expect(actionsOf(view, 2)).toEqual([ORDER_MESSAGE_ACTIONS.details]);
    const approve = buttonsOf(view).find((button) => button.actionId === ORDER_MESSAGE_ACTIONS.approve);
    expect(approve).toMatchObject({ value: "1", style: "primary", text: "Approve" });
    expect(view.blocks.map(textOf).join("\n")).toContain(
      ":raised_hand: *SSL-1001* · host1.example.com · Acme Ltd\nRequested by <@U0OTHER>",
    );
  });

  it("shows one's orders in progress with their status and Check status · Details · Renew", () => {
    const view = homeView(content({ pending: [line(3, "pending"), line(4, "submitting")] }));
    expect(actionsOf(view, 3)).toEqual([
      ORDER_MESSAGE_ACTIONS.checkStatus,
      ORDER_MESSAGE_ACTIONS.details,
      ORDER_MESSAGE_ACTIONS.renew,
    ]);
    const texts = view.blocks.map(textOf).join("\n");
    expect(texts).toContain(":hourglass_flowing_sand: *SSL-1003* · host3.example.com · Acme Ltd\nValidating");
    expect(texts).toContain(
      ":outbox_tray: *SSL-1004* · host4.example.com · Acme Ltd\nSubmitting to the provider",
    );
  });

  it("says when each expiring certificate expires", () => {
    const view = homeView(
      content({ expiringDays: 14, expiring: [line(5, "issued", { notAfter: days(10) })] }),
    );
    expectValidBlockKit("home", view);
    expect(headers(view.blocks)).toContain("Expiring in the next 14 days");
    expect(view.blocks.map(textOf).join("\n")).toContain(
      "*SSL-1005* · host5.example.com · Acme Ltd\nExpires on 2026-12-07",
    );
    const covered = homeView(
      content({ expiring: [line(5, "issued", { notAfter: days(10), coverageEndsAt: days(200) })] }),
    );
    expect(covered.blocks.map(textOf).join("\n")).toContain(
      "Expires on 2026-12-07 · covered until 2027-06-15 (reissue, free)",
    );
  });

  it("shows `limit` lines per list and points to /ssl list for the rest", () => {
    const view = homeView(content({ limit: 3, pending: [1, 2, 3, 4, 5].map((id) => line(id, "pending")) }));
    expect(
      buttonsOf(view).filter((button) => button.actionId === ORDER_MESSAGE_ACTIONS.details),
    ).toHaveLength(3);
    expect(view.blocks.map(textOf).join("\n")).toContain("…and more: `/ssl list` shows them all.");
  });

  it("stays within 100 blocks with three full lists at the largest limit (15)", () => {
    const many = (status: OrderStatus, from: number) =>
      Array.from({ length: 40 }, (_, index) =>
        line(from + index, status, {
          primaryDomain: LONGEST_DOMAIN,
          clientName: WORST_CLIENT_NAME,
          notAfter: status === "issued" ? days(5) : null,
        }),
      );
    const view = homeView(
      content({
        limit: 15,
        awaitingApproval: many("awaiting_approval", 100),
        pending: many("pending", 200),
        expiring: many("issued", 300),
      }),
    );
    expectValidBlockKit("home", view);
    expect(view.blocks).toHaveLength(99);
  });

  it("escapes hostile client names and domains", () => {
    const view = homeView(
      content({ pending: [line(1, "pending", { clientName: HOSTILE, primaryDomain: "<x>" })] }),
    );
    expectValidBlockKit("home", view);
    const texts = view.blocks.map(textOf).join("\n");
    expect(texts).toContain(`&lt;x&gt; · ${HOSTILE_ESCAPED}`);
    expect(JSON.stringify(view)).not.toContain("<!channel>");
  });
});
