import { certificateLabel } from "../../domain/certificate.js";
import { getOrder, type Order } from "../../orders/repository.js";
import type { StatusCheck } from "../../orders/status-service.js";
import type { Message } from "../../slack/slack.js";
import { type StatusReplyInput, statusReply } from "../../views/status-reply.js";
import type { FeatureContext } from "../context.js";

/** Asks the provider now; a change reaches the order message and its thread through the observer. */
export async function checkAndTell(
  context: FeatureContext,
  orderId: number,
  userId: string,
  tell: (message: Message) => Promise<void>,
): Promise<void> {
  const before = await getOrder(context.db, orderId);
  if (!before) {
    await tell({ text: "That order no longer exists. `/ssl list` shows recent orders." });
    return;
  }
  const result = await context.status.checkStatus(orderId, userId);
  await tell(
    statusReply(replyInput(context, result, before), {
      now: context.clock.now(),
      timeZone: context.config.schedule.timeZone,
    }),
  );
}

function replyInput(context: FeatureContext, result: StatusCheck, before: Order): StatusReplyInput {
  switch (result.kind) {
    case "changed":
      return { kind: "changed", order: result.order, from: result.from };
    case "reissue_changed":
      return {
        kind: "reissue_changed",
        order: result.order,
        label: certificateLabel(result.order.reference, result.certificate.number),
        notAfter:
          result.certificate.status === "issued" ? (result.certificate.notAfter ?? undefined) : undefined,
        reason: result.certificate.failureReason ?? undefined,
      };
    case "unchanged":
      return { kind: "unchanged", order: result.order, previousCheckAt: before.lastCheckedAt };
    case "too_soon":
      return { kind: "too_soon", order: result.order, nextCheckAt: result.nextCheckAt };
    case "not_checkable":
      return { kind: "not_checkable", reason: result.reason };
    case "provider_error":
      return {
        kind: "provider_error",
        order: result.order,
        providerName: context.providers.nameOf(result.order.provider),
        message: result.message,
      };
  }
}
