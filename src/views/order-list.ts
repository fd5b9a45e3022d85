import type { ActionsBlock, Button, KnownBlock, SectionBlock } from "@slack/types";
import { formatDistance } from "date-fns/formatDistance";
import { formatDistanceStrict } from "date-fns/formatDistanceStrict";
import { replacementFor } from "../domain/lifetime.js";
import type { OrderListEntry, OrderStatus } from "../domain/order.js";
import { context, escapeMrkdwn, markdownSection, option, plain } from "./blocks.js";
import { dateFormat } from "./date-formats.js";
import { STATUS_EMOJI, STATUS_LABEL } from "./order-message.js";

/**
 * "List SSL Certs" (`/ssl list [client]`): one section per order (block_id order_list_row_<id>) with an
 * overflow menu order_list_menu whose option values are `check:<id>`, `details:<id>`, `renew:<id>`;
 * then order_list_pages (order_list_previous / order_list_next, value = the page they show, as JSON).
 */

export const ORDER_LIST_ACTIONS = {
  menu: "order_list_menu",
  previous: "order_list_previous",
  next: "order_list_next",
} as const;

/** 10 rows + heading, pager and footer: 13 blocks, far below the 50 a message may hold. */
export const ORDERS_PAGE_SIZE = 10;

export const ORDER_LIST_CHOICES = ["check", "details", "renew"] as const;

/** What a pager button carries: the client the list is about (none = every client) and the offset. */
export interface OrderListPosition {
  clientId?: number;
  offset: number;
}

export interface OrderListView {
  orders: OrderListEntry[];
  total: number;
  offset: number;
  pageSize: number;
  /** The client the list is about; undefined lists every client's orders, with their names. */
  client?: { id: number; name: string };
  now: Date;
  timeZone: string;
}

export interface OrderListMessage {
  text: string;
  blocks: KnownBlock[];
}

const NOT_ISSUED_YET: OrderStatus[] = ["awaiting_approval", "submitting", "pending"];

export function orderListMessage(view: OrderListView): OrderListMessage {
  const first = view.offset + 1;
  const last = view.offset + view.orders.length;
  const title = view.client ? `Certificates for ${view.client.name}` : "Recent certificates";
  const summary = `${title}, ${first}–${last} of ${view.total}`;
  const blocks: KnownBlock[] = [
    markdownSection(
      `*${escapeMrkdwn(title)}* · ${first}–${last} of ${view.total}, newest first`,
      "order_list_heading",
    ),
    ...view.orders.map((order) => orderRow(order, view)),
  ];
  const pager = pagerBlock(view);
  if (pager) blocks.push(pager);
  blocks.push(
    context(
      "`/ssl status <SSL-1042 | domain>` checks one now · `/ssl order` orders a new one",
      "order_list_footer",
    ),
  );
  return {
    text: `${escapeMrkdwn(summary)}: ${view.orders.map((order) => `${order.reference} ${order.primaryDomain}`).join(", ")}`,
    blocks,
  };
}

/** No orders at all (for the client, or anywhere): say how to order the first one. */
export function emptyOrderListMessage(clientName?: string): OrderListMessage {
  const quoted = clientName && /\s/.test(clientName) ? `"${clientName}"` : clientName;
  const text = clientName
    ? `*${escapeMrkdwn(clientName)}* has no certificates yet. Order one with \`/ssl order ${escapeMrkdwn(quoted ?? "")} <domain>\`.`
    : "No certificates have been ordered yet. Order the first one with `/ssl order [client] [domain]`.";
  return { text, blocks: [markdownSection(text, "order_list_empty")] };
}

/** "expires 2027-06-14 (in 23 days)" / "expired 2026-11-24 (3 days ago)", the day in `timeZone`. */
export function expiryPhrase(notAfter: Date, now: Date, timeZone: string): string {
  const past = notAfter.getTime() <= now.getTime();
  const day = dayIn(notAfter, timeZone);
  const withinADay = Math.abs(notAfter.getTime() - now.getTime()) < 24 * 3600 * 1000;
  const distance = withinADay
    ? formatDistance(notAfter, now, { addSuffix: true })
    : formatDistanceStrict(notAfter, now, { addSuffix: true, unit: "day", roundingMethod: "floor" });
  return `${past ? "expired" : "expires"} ${day} (${distance})`;
}

/** " · covered until 2027-12-03" when the subscription outlives the certificate (reissues are free until then). */
export function coveredPhrase(
  order: { notAfter: Date | null; coverageEndsAt?: Date | null },
  timeZone: string,
): string {
  if (!order.notAfter || !order.coverageEndsAt) return "";
  if (replacementFor({ notAfter: order.notAfter, coverageEndsAt: order.coverageEndsAt }) !== "reissue")
    return "";
  return ` · covered until ${dayIn(order.coverageEndsAt, timeZone)}`;
}

/** yyyy-MM-dd of `date` as seen in `timeZone`. */
export function dayIn(date: Date, timeZone: string): string {
  const parts = dateFormat("en", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((entry) => entry.type === type)?.value;
  return `${part("year")}-${part("month")}-${part("day")}`;
}

function orderRow(order: OrderListEntry, view: OrderListView): SectionBlock {
  const more = order.sans.length > 0 ? ` (+${order.sans.length})` : "";
  const expiry = order.notAfter
    ? `${expiryPhrase(order.notAfter, view.now, view.timeZone)}${coveredPhrase(order, view.timeZone)}`
    : NOT_ISSUED_YET.includes(order.status)
      ? "not issued yet"
      : undefined;
  const facts = [
    view.client ? undefined : escapeMrkdwn(order.clientName),
    escapeMrkdwn(order.productName),
    STATUS_LABEL[order.status],
    expiry,
  ].filter(Boolean);
  return {
    type: "section",
    block_id: `order_list_row_${order.id}`,
    text: {
      type: "mrkdwn",
      text: `${STATUS_EMOJI[order.status]} *${order.reference}* · ${escapeMrkdwn(order.primaryDomain)}${more}\n${facts.join(" · ")}`,
    },
    accessory: {
      type: "overflow",
      action_id: ORDER_LIST_ACTIONS.menu,
      options: [
        option("Check status", `check:${order.id}`),
        option("Details", `details:${order.id}`),
        option("Renew", `renew:${order.id}`),
      ],
    },
  };
}

function pagerBlock(view: OrderListView): ActionsBlock | undefined {
  const clientId = view.client?.id;
  const buttons: Button[] = [];
  if (view.offset > 0) {
    const offset = Math.max(0, view.offset - view.pageSize);
    buttons.push(pageButton(ORDER_LIST_ACTIONS.previous, "Previous", { clientId, offset }));
  }
  if (view.offset + view.orders.length < view.total) {
    const offset = view.offset + view.pageSize;
    buttons.push(pageButton(ORDER_LIST_ACTIONS.next, "Next", { clientId, offset }));
  }
  return buttons.length > 0
    ? { type: "actions", block_id: "order_list_pages", elements: buttons }
    : undefined;
}

function pageButton(actionId: string, label: string, position: OrderListPosition): Button {
  return { type: "button", action_id: actionId, text: plain(label, 75), value: JSON.stringify(position) };
}
