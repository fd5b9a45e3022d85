import type { KnownBlock } from "@slack/types";
import { formatDistanceStrict } from "date-fns/formatDistanceStrict";
import type { OrderStatus, ProviderStatusDetail } from "../domain/order.js";
import { clip, context, escapeMrkdwn, markdownSection } from "./blocks.js";
import { dateFormat } from "./date-formats.js";
import { dayIn, expiryPhrase } from "./order-list.js";
import { STATUS_EMOJI, STATUS_LABEL } from "./order-message.js";

/** The ephemeral answer to "Check status" (button, shortcut, list menu, `/ssl status`). */

export interface StatusReplyOrder {
  reference: string;
  primaryDomain: string;
  status: OrderStatus;
  dcvMethod: string;
  approverEmail: string | null;
  statusDetail: ProviderStatusDetail | null;
  notAfter: Date | null;
  lastCheckedAt: Date | null;
  createdAt: Date;
}

export type StatusReplyInput =
  | { kind: "changed"; order: StatusReplyOrder; from: OrderStatus }
  /** A reissue was issued (`notAfter`) or refused (`reason`); `label` is "SSL-1042 · certificate 2". */
  | { kind: "reissue_changed"; order: StatusReplyOrder; label: string; notAfter?: Date; reason?: string }
  /** `previousCheckAt`: the check before this one, if any. */
  | { kind: "unchanged"; order: StatusReplyOrder; previousCheckAt: Date | null }
  | { kind: "too_soon"; order: StatusReplyOrder; nextCheckAt: Date }
  | { kind: "not_checkable"; reason: string }
  | { kind: "provider_error"; order: StatusReplyOrder; providerName: string; message: string };

export interface StatusReply {
  text: string;
  blocks: KnownBlock[];
}

/** Times are shown in the configured time zone (TZ), with the day when it is not today there. */
export interface StatusReplyClock {
  now: Date;
  timeZone: string;
}

const MAX_DETAIL_LINES = 8;

export function statusReply(input: StatusReplyInput, clock: StatusReplyClock): StatusReply {
  switch (input.kind) {
    case "changed": {
      const { order } = input;
      const validity =
        order.status === "issued" && order.notAfter
          ? ` — valid until ${dayIn(order.notAfter, clock.timeZone)}`
          : "";
      return reply(
        `${STATUS_EMOJI[order.status]} ${headline(order)}: ${STATUS_LABEL[input.from]} → *${STATUS_LABEL[order.status]}*${validity}. The order's message and thread show the change.`,
        order,
      );
    }
    case "reissue_changed": {
      const label = `*${escapeMrkdwn(input.label)}* · ${escapeMrkdwn(input.order.primaryDomain)}`;
      const text = input.notAfter
        ? `:white_check_mark: ${label} is issued — valid until ${dayIn(input.notAfter, clock.timeZone)}. The order's thread has it.`
        : `:x: ${label} was not issued: ${escapeMrkdwn(clip(input.reason ?? "refused by the provider", 500))}. The current certificate stays valid.`;
      return reply(text, input.order);
    }
    case "unchanged": {
      const { order } = input;
      const since = input.previousCheckAt
        ? timeIn(input.previousCheckAt, clock)
        : `it was ordered (${timeIn(order.createdAt, clock)})`;
      return reply(
        `${STATUS_EMOJI[order.status]} ${headline(order)}\nNo change since ${since}: ${standing(order, clock)}.`,
        order,
      );
    }
    case "too_soon": {
      const { order } = input;
      const last = order.lastCheckedAt
        ? `Last checked at ${timeIn(order.lastCheckedAt, clock)}`
        : "Last checked";
      return reply(
        `:stopwatch: ${headline(order)}\n${last}: ${standing(order, clock)}.\nThe provider allows the next check at ${timeIn(input.nextCheckAt, clock)} (${formatDistanceStrict(input.nextCheckAt, clock.now, { addSuffix: true })}).`,
        order,
      );
    }
    case "not_checkable":
      return reply(`:information_source: ${escapeMrkdwn(input.reason)}`);
    case "provider_error": {
      const message = escapeMrkdwn(clip(input.message, 500)).replace(/[.\s]+$/, "");
      return reply(
        `:warning: ${headline(input.order)}\n${escapeMrkdwn(input.providerName)} did not answer: ${message}. Nothing changed; try again later.`,
      );
    }
  }
}

function headline(order: StatusReplyOrder): string {
  return `*${order.reference}* · ${escapeMrkdwn(order.primaryDomain)}`;
}

/** Where the order stands, in words: who or what it is waiting for. */
function standing(order: StatusReplyOrder, clock: StatusReplyClock): string {
  if (order.status === "pending") {
    if (order.dcvMethod === "email") {
      return `waiting for ${escapeMrkdwn(order.approverEmail ?? "the approver")} to approve`;
    }
    return order.dcvMethod === "http"
      ? "waiting for the validation file to be published on the domain"
      : "waiting for the validation DNS record";
  }
  if (order.status === "issued" && order.notAfter) {
    return `issued, ${expiryPhrase(order.notAfter, clock.now, clock.timeZone)}`;
  }
  return STATUS_LABEL[order.status].toLowerCase();
}

/** The provider's own words from the last check, under the answer. */
function reply(text: string, order?: StatusReplyOrder): StatusReply {
  const blocks: KnownBlock[] = [markdownSection(text, "status_reply")];
  const detail = order?.statusDetail;
  const lines = [
    ...(detail?.lines ?? []).map((line) => escapeMrkdwn(line)),
    ...((detail?.domains.length ?? 0) > 1
      ? (detail?.domains ?? []).map((entry) => `${escapeMrkdwn(entry.domain)}: ${escapeMrkdwn(entry.state)}`)
      : []),
  ].slice(0, MAX_DETAIL_LINES);
  if (lines.length > 0) {
    blocks.push(context(`Provider: ${lines.join(" · ")}`, "status_reply_detail"));
  }
  return { text, blocks };
}

function timeIn(at: Date, clock: StatusReplyClock): string {
  const time = dateFormat("en-GB", {
    timeZone: clock.timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(at);
  if (dayIn(at, clock.timeZone) === dayIn(clock.now, clock.timeZone)) return time;
  const day = dateFormat("en-GB", { timeZone: clock.timeZone, day: "numeric", month: "short" });
  return `${day.format(at)} ${time}`;
}
