import type { ActionsBlock, Button, HomeView, KnownBlock } from "@slack/types";
import { format } from "date-fns/format";
import { replacementFor } from "../domain/lifetime.js";
import type { OrderStatus } from "../domain/order.js";
import type { ServedSummary } from "../domain/served.js";
import { context, escapeMrkdwn, markdownSection, plain } from "./blocks.js";
import { ORDER_MESSAGE_ACTIONS, STATUS_EMOJI, STATUS_LABEL } from "./order-message.js";
import { servedHomeText } from "./served.js";

export interface HomeOrderLine {
  id: number;
  reference: string;
  primaryDomain: string;
  clientName: string;
  status: OrderStatus;
  requestedBy: string;
  notAfter: Date | null;
  /** The subscription's end: shown when it outlives the certificate. */
  coverageEndsAt?: Date | null;
  /** What the served-certificate probe last saw (issued orders it looked at). */
  served?: ServedSummary;
}

export interface HomeContent {
  /** The user the tab is published for. */
  viewer: string;
  /** Orders waiting for this person's approval; undefined when they may not approve. */
  awaitingApproval?: HomeOrderLine[];
  pending: HomeOrderLine[];
  expiring: HomeOrderLine[];
  /**
   * Issued certificates not served as issued (not served, a different certificate, or without
   * their chain), by the last probe; the list is left out while it is empty.
   */
  notServed?: HomeOrderLine[];
  /** Lines shown per list (at most 11: 4 lists); a longer list ends with a pointer to `/ssl list`. */
  limit: number;
  expiringDays: number;
}

function button(text: string, actionId: string, orderId: number, style?: "primary" | "danger"): Button {
  return {
    type: "button",
    text: plain(text, 75),
    action_id: actionId,
    value: String(orderId),
    ...(style ? { style } : {}),
  };
}

/** The buttons the order's message carries; one's own request waiting for approval only has Details. */
function actionsFor(order: HomeOrderLine, viewer: string): ActionsBlock {
  const details = button("Details", ORDER_MESSAGE_ACTIONS.details, order.id);
  const elements =
    order.status === "awaiting_approval"
      ? order.requestedBy === viewer
        ? [details]
        : [
            button("Approve", ORDER_MESSAGE_ACTIONS.approve, order.id, "primary"),
            button("Reject", ORDER_MESSAGE_ACTIONS.reject, order.id, "danger"),
            details,
          ]
      : [
          button("Check status", ORDER_MESSAGE_ACTIONS.checkStatus, order.id),
          details,
          button("Renew", ORDER_MESSAGE_ACTIONS.renew, order.id),
        ];
  return { type: "actions", block_id: `home_actions:${order.id}`, elements };
}

function line(order: HomeOrderLine, detail: string, viewer: string): KnownBlock[] {
  return [
    markdownSection(
      `${STATUS_EMOJI[order.status]} *${escapeMrkdwn(order.reference)}* · ${escapeMrkdwn(order.primaryDomain)} · ${escapeMrkdwn(order.clientName)}\n${detail}`,
    ),
    actionsFor(order, viewer),
  ];
}

function list(
  content: HomeContent,
  title: string,
  orders: HomeOrderLine[],
  empty: string,
  detail: (order: HomeOrderLine) => string,
): KnownBlock[] {
  const { limit, viewer } = content;
  const blocks: KnownBlock[] = [{ type: "header", text: plain(title) }];
  if (orders.length === 0) blocks.push(context(empty));
  blocks.push(...orders.slice(0, limit).flatMap((order) => line(order, detail(order), viewer)));
  if (orders.length > limit) blocks.push(context("…and more: `/ssl list` shows them all."));
  return [...blocks, { type: "divider" }];
}

/** The App Home tab: what needs this person now; 4 lists of 2 × limit + 3 blocks stay under 100 for limit ≤ 11. */
export function homeView(content: HomeContent): HomeView {
  const blocks: KnownBlock[] = [];
  if (content.awaitingApproval) {
    blocks.push(
      ...list(
        content,
        "Waiting for your approval",
        content.awaitingApproval,
        "Nothing waits for your approval.",
        (order) => `Requested by <@${order.requestedBy}>`,
      ),
    );
  }
  blocks.push(
    ...list(
      content,
      "Your orders in progress",
      content.pending,
      "You have no orders in progress.",
      (order) => STATUS_LABEL[order.status],
    ),
    ...list(
      content,
      `Expiring in the next ${content.expiringDays} days`,
      content.expiring,
      `No certificate expires in the next ${content.expiringDays} days.`,
      (order) =>
        [
          order.notAfter
            ? `Expires on ${format(order.notAfter, "yyyy-MM-dd")}${coveredText(order.notAfter, order.coverageEndsAt)}`
            : "",
          order.served ? servedHomeText(order.served) : "",
        ]
          .filter(Boolean)
          .join("\n"),
    ),
  );
  if (content.notServed && content.notServed.length > 0) {
    blocks.push(
      ...list(content, "Not served as issued", content.notServed, "", (order) =>
        order.served ? servedHomeText(order.served) : "",
      ),
    );
  }
  return { type: "home", blocks };
}

/** " · covered until …" when the subscription outlives the certificate (the same rule as the alerts). */
function coveredText(notAfter: Date, coverageEndsAt: Date | null | undefined): string {
  if (!coverageEndsAt || replacementFor({ notAfter, coverageEndsAt }) !== "reissue") return "";
  return ` · covered until ${format(coverageEndsAt, "yyyy-MM-dd")} (reissue, free)`;
}
