import type { PfxEncryption } from "../../certs/bundle.js";
import { displayDomain } from "../../domain/names.js";
import { buildDelivery, type Delivery } from "../../orders/delivery.js";
import type { Order } from "../../orders/repository.js";
import { filesCommentText, pfxPasswordText } from "../../views/file-delivery.js";
import type { FeatureContext } from "../context.js";

/**
 * Sends the caller the certificate files by direct message, with the private key and a PFX only
 * for people named in SSL_APPROVERS. The order service records the delivery before the upload and
 * tells the thread (orders.deliverFiles); a key withheld is audited and told like any refusal.
 */
export async function deliverFiles(
  context: FeatureContext,
  order: Order,
  userId: string,
  pfx: PfxEncryption,
): Promise<{ delivery: Delivery; passwordSent: boolean }> {
  const { access, slack } = context;
  const mayReceiveKey = await access.mayReceiveKeys(userId);
  const delivery = await buildDelivery(order, context.vault, { includeKey: mayReceiveKey, pfx });
  const hasPfx = delivery.pfxPassword !== undefined;
  let channelId = "";
  await context.orders.deliverFiles(
    order,
    userId,
    {
      files: delivery.files.map((file) => file.filename),
      includesKey: delivery.includesKey,
      pfx: hasPfx,
      pfxFormat: hasPfx && pfx === "legacy-3des" ? "legacy-3des" : undefined,
    },
    async () => {
      // The key's bytes go through the client that writes no debug lines (see slack/clients.ts).
      ({ channelId } = await slack.sendFiles(userId, {
        comment: filesCommentText({
          reference: order.reference,
          domain: displayDomain(order.primaryDomain),
          includesKey: delivery.includesKey,
          hasPfx,
          pfxUnavailable: delivery.pfxUnavailable,
          mayReceiveKey,
          keysEnabled: access.keysEnabled,
        }),
        files: delivery.files,
      }));
    },
  );
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
  if (!mayReceiveKey && order.encryptedPrivateKey) {
    const reason = access.keysEnabled ? "not in SSL_APPROVERS" : "SSL_APPROVERS is empty";
    const stored = await context.refusals.record({
      actor: userId,
      action: "key_delivery",
      subject: order.reference,
      reason,
      at: context.clock.now(),
    });
    // History and thread within the same per-person limit as the audit: no flood from a script.
    if (stored) await context.orders.refused(order.id, userId, { action: "key_delivery", reason });
  }
  return { delivery, passwordSent };
}
