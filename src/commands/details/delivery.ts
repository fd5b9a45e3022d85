import type { PfxEncryption } from "../../certs/bundle.js";
import { displayDomain } from "../../domain/names.js";
import { buildDelivery, type Delivery } from "../../orders/delivery.js";
import { recordEvent } from "../../orders/events.js";
import type { Order } from "../../orders/repository.js";
import {
  filesCommentText,
  keySentThreadText,
  keyWithheldThreadText,
  pfxPasswordText,
} from "../../views/file-delivery.js";
import type { FeatureContext } from "../context.js";

/**
 * Sends the caller the certificate files by direct message, with the private key and a PFX only
 * for people named in SSL_APPROVERS. The audit event is written before anything is uploaded, so a
 * key never leaves without a record; every refusal is audited and told in the order's thread.
 */
export async function deliverFiles(
  context: FeatureContext,
  order: Order,
  userId: string,
  pfx: PfxEncryption,
): Promise<{ delivery: Delivery; passwordSent: boolean }> {
  const { db, access, clock, slack } = context;
  const mayReceiveKey = await access.mayReceiveKeys(userId);
  const delivery = await buildDelivery(order, context.vault, { includeKey: mayReceiveKey, pfx });
  const filenames = delivery.files.map((file) => file.filename);
  const at = clock.now();
  await recordEvent(db, {
    orderId: order.id,
    actor: userId,
    at,
    ...(delivery.includesKey
      ? {
          kind: "key_delivered",
          detail: {
            files: filenames,
            pfx: delivery.pfxPassword !== undefined,
            ...(delivery.pfxPassword !== undefined && pfx === "legacy-3des"
              ? { pfxFormat: "legacy-3des" }
              : {}),
            channel: "direct message",
          },
        }
      : { kind: "files_delivered", detail: { files: filenames } }),
  });
  let channelId: string;
  try {
    // The key's bytes go through the client that writes no debug lines (see slack/clients.ts).
    ({ channelId } = await slack.sendFiles(userId, {
      comment: filesCommentText({
        reference: order.reference,
        domain: displayDomain(order.primaryDomain),
        includesKey: delivery.includesKey,
        hasPfx: delivery.pfxPassword !== undefined,
        pfxUnavailable: delivery.pfxUnavailable,
        mayReceiveKey,
        keysEnabled: access.keysEnabled,
      }),
      files: delivery.files,
    }));
  } catch (error) {
    if (delivery.includesKey) {
      await recordEvent(db, {
        orderId: order.id,
        actor: userId,
        kind: "key_delivery_failed",
        detail: { files: filenames },
        at: clock.now(),
      }).catch(() => undefined);
    }
    throw error;
  }
  // The files are delivered; a password that does not arrive only makes the PFX unusable.
  let passwordSent = false;
  if (delivery.pfxPassword) {
    try {
      // Only to this person, only in this DM, never in a view (Slack echoes views back in every later
      // payload, which Socket Mode logs at debug level) and never stored.
      await slack.whisperInDm(userId, channelId, pfxPasswordText(order.reference, delivery.pfxPassword));
      passwordSent = true;
    } catch (error) {
      context.logger.warn(`Could not send the PFX password of ${order.reference} to ${userId}:`, error);
    }
  }
  const thread = { channel: order.slackChannel, ts: order.slackThreadTs };
  if (delivery.includesKey) {
    await slack.replyInThread(thread, keySentThreadText(userId, order.reference), order.reference);
    return { delivery, passwordSent };
  }
  if (!mayReceiveKey && order.encryptedPrivateKey) {
    const reason = access.keysEnabled ? "not in SSL_APPROVERS" : "SSL_APPROVERS is empty";
    const stored = await context.refusals.record({
      actor: userId,
      action: "key_delivery",
      subject: order.reference,
      reason,
      at,
    });
    // History and thread within the same per-person limit as the audit: no flood from a script.
    if (stored) {
      await recordEvent(db, {
        orderId: order.id,
        actor: userId,
        kind: "approval_refused",
        detail: { action: "key_delivery", reason },
        at,
      });
      await slack.replyInThread(
        thread,
        keyWithheldThreadText(userId, order.reference, reason),
        order.reference,
      );
    }
  }
  return { delivery, passwordSent };
}
