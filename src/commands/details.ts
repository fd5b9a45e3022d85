import type { App } from "@slack/bolt";
import type { Logger } from "@slack/logger";
import type { ModalView } from "@slack/types";
import { WebClient } from "@slack/web-api";
import { z } from "zod";
import type { PfxEncryption } from "../certs/bundle.js";
import { inspectCertificate } from "../certs/inspect.js";
import type { CertificateDetails } from "../domain/certificate.js";
import { displayDomain } from "../domain/names.js";
import { getClient } from "../orders/clients.js";
import { buildDelivery, type Delivery } from "../orders/delivery.js";
import { listEvents, recordEvent } from "../orders/events.js";
import { getOrder, type Order } from "../orders/repository.js";
import { escapeMrkdwn } from "../views/blocks.js";
import {
  DETAILS_ACTIONS,
  DETAILS_TABS,
  type DeliveryState,
  type DetailsTab,
  detailsMessageView,
  orderDetailsView,
} from "../views/order-details.js";
import { ORDER_MESSAGE_ACTIONS } from "../views/order-message.js";
import type { AppServices, HandlerContext } from "./context.js";
import { readOrderButton } from "./order-button.js";
import { parseMetadata } from "./order-form.js";
import { registerRenewHandlers } from "./renew.js";
import { ORDER_SHORTCUTS, orderForShortcut } from "./shortcuts.js";
import type { SubcommandHandlers } from "./ssl-command.js";

const metadataSchema = z.object({ orderId: z.number().int(), tab: z.enum(DETAILS_TABS) });

const modalActionBody = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({ id: z.string(), private_metadata: z.string().optional() }),
  actions: z.array(z.object({ action_id: z.string() })).min(1),
});
const shortcutBody = z.object({ user: z.object({ id: z.string() }), trigger_id: z.string() });

/** Opens an order's Details modal on its Overview tab (order message button, shortcut, other features). */
export async function openOrderDetails(
  context: HandlerContext,
  services: AppServices,
  args: { triggerId: string; userId: string; orderId: number },
): Promise<void> {
  const order = await getOrder(context.db, args.orderId);
  const view = order
    ? await renderDetails(context, services, order, args.userId, "overview")
    : detailsMessageView(":information_source: That order no longer exists.");
  await context.client.views.open({ trigger_id: args.triggerId, view });
}

async function renderDetails(
  context: HandlerContext,
  services: AppServices,
  order: Order,
  userId: string,
  tab: DetailsTab,
  delivery?: DeliveryState,
): Promise<ModalView> {
  const { db, providers, access } = context;
  const events = await listEvents(db, order.id);
  const owner = await getClient(db, order.clientId);
  const original = order.renewalOfId ? await getOrder(db, order.renewalOfId) : undefined;
  const serverType = services.catalogue
    .snapshot()
    .find((entry) => entry.provider.id === order.provider)
    ?.serverTypes.find((type) => type.id === order.serverType);
  return orderDetailsView({
    order: {
      ...order,
      primaryDomain: displayDomain(order.primaryDomain),
      sans: order.sans.map(displayDomain),
    },
    clientName: owner?.name ?? "unknown client",
    providerName: providers.has(order.provider) ? providers.get(order.provider).displayName : order.provider,
    serverTypeLabel: serverType?.label ?? order.serverType,
    renews: original?.reference,
    renewedBy: await renewalsOf(context, events),
    events,
    certificate: tab === "certificate" ? inspect(context, order) : undefined,
    // Group membership may need Slack: asked only where the answer is shown.
    keyPolicy: {
      mayReceiveKey: tab === "certificate" ? await access.mayReceiveKeys(userId) : false,
      keysEnabled: access.keysEnabled,
    },
    delivery,
    tab,
    privateMetadata: JSON.stringify({ orderId: order.id, tab }),
  });
}

/** The renewals made from this order, from the audit events the renewal flow records on it. */
async function renewalsOf(
  context: HandlerContext,
  events: { kind: string; detail: Record<string, unknown> }[],
): Promise<string[]> {
  const ids = events
    .filter((event) => event.kind === "renewal_requested" && typeof event.detail.renewalId === "number")
    .map((event) => event.detail.renewalId as number);
  const renewals = await Promise.all(ids.map((id) => getOrder(context.db, id)));
  return renewals
    .filter((renewal): renewal is Order => renewal !== undefined)
    .map((renewal) =>
      ["failed", "rejected"].includes(renewal.status)
        ? `${renewal.reference} (${renewal.status})`
        : renewal.reference,
    );
}

function inspect(context: HandlerContext, order: Order): CertificateDetails | undefined {
  if (!order.certificate) return undefined;
  try {
    return inspectCertificate(order.certificate);
  } catch (error) {
    context.logger.warn(`${order.reference}'s stored certificate could not be parsed:`, error);
    return undefined;
  }
}

/**
 * Sends the caller the certificate files by direct message, with the private key and a PFX only
 * for people named in SSL_APPROVERS. The audit event is written before anything is uploaded, so a
 * key never leaves without a record; every refusal is audited and told in the order's thread.
 */
async function deliverFiles(
  context: HandlerContext,
  quiet: WebClient,
  order: Order,
  userId: string,
  pfx: PfxEncryption,
): Promise<{ delivery: Delivery; passwordSent: boolean }> {
  const { db, client, access, clock } = context;
  const mayReceiveKey = await access.mayReceiveKeys(userId);
  const delivery = await buildDelivery(order, context.vault, { includeKey: mayReceiveKey, pfx });
  const opened = await client.conversations.open({ users: userId });
  const channelId = opened.channel?.id;
  if (!channelId) throw new Error("Slack did not open a direct message channel");
  const filenames = delivery.files.map((file) => file.filename);
  const at = clock.now();
  if (delivery.includesKey) {
    await recordEvent(db, {
      orderId: order.id,
      actor: userId,
      kind: "key_delivered",
      detail: {
        files: filenames,
        pfx: delivery.pfxPassword !== undefined,
        ...(delivery.pfxPassword !== undefined && pfx === "legacy-3des" ? { pfxFormat: "legacy-3des" } : {}),
        channel: "direct message",
      },
      at,
    });
  } else {
    await recordEvent(db, {
      orderId: order.id,
      actor: userId,
      kind: "files_delivered",
      detail: { files: filenames },
      at,
    });
  }
  try {
    // The key's bytes go through the client that writes no debug lines: its request bodies stay out of logs.
    await quiet.filesUploadV2({
      channel_id: channelId,
      initial_comment: directMessageText(order, delivery, mayReceiveKey, access.keysEnabled),
      file_uploads: delivery.files.map((file) => ({ file: file.content, filename: file.filename })),
    });
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
      await quiet.chat.postEphemeral({
        channel: channelId,
        user: userId,
        text: pfxPasswordText(order, delivery.pfxPassword),
      });
      passwordSent = true;
    } catch (error) {
      context.logger.warn(`Could not send the PFX password of ${order.reference} to ${userId}:`, error);
    }
  }
  if (delivery.includesKey) {
    await tellThread(
      context,
      order,
      `:key: <@${userId}> received the private key and certificate files of ${order.reference} by direct message.`,
    );
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
      await tellThread(
        context,
        order,
        `:lock: <@${userId}> asked for the files of ${order.reference} and received the certificate and chain; the private key was not sent (${reason}).`,
      );
    }
  }
  return { delivery, passwordSent };
}

async function tellThread(context: HandlerContext, order: Order, text: string): Promise<void> {
  if (!order.slackChannel || !order.slackThreadTs) return;
  await context.client.chat
    .postMessage({ channel: order.slackChannel, thread_ts: order.slackThreadTs, text })
    .catch((error: unknown) => context.logger.warn(`Could not reply in ${order.reference}'s thread:`, error));
}

function pfxPasswordText(order: Order, password: string): string {
  return (
    `:key: Password of the PFX bundle of *${order.reference}*: \`${password}\`\n` +
    "Shown once and only to you; certdesk keeps no copy. If it is lost, press *Send me the files* again for a new bundle."
  );
}

function directMessageText(
  order: Order,
  delivery: Delivery,
  mayReceiveKey: boolean,
  keysEnabled: boolean,
): string {
  const domain = escapeMrkdwn(displayDomain(order.primaryDomain));
  const lines = [`Files of *${order.reference}* (${domain}):`];
  if (delivery.includesKey) {
    lines.push(
      ":key: certificate, chain, full chain, *private key*" +
        (delivery.pfxPassword ? " and a PFX bundle (its password follows, visible only to you)." : "."),
      "Keep the private key out of channels and tickets.",
    );
    if (delivery.pfxUnavailable) lines.push(`:warning: No PFX: ${delivery.pfxUnavailable}`);
  } else if (mayReceiveKey) {
    lines.push("certificate, chain and full chain. certdesk holds no private key for this order.");
  } else if (!keysEnabled) {
    lines.push(
      ":lock: certificate, chain and full chain. Private keys go to nobody until an admin names who may receive them in SSL_APPROVERS.",
    );
  } else {
    lines.push(":lock: certificate, chain and full chain. The private key goes to SSL_APPROVERS only.");
  }
  return lines.join("\n");
}

/**
 * Details (button, `ssl_details` shortcut, tabs, "Send me the files") and, as the other half of
 * the order message's buttons, Renew: one registration for app.ts.
 */
export function registerDetailsHandlers(
  app: App,
  context: HandlerContext,
  services: AppServices,
): SubcommandHandlers {
  const { db, logger, client } = context;

  app.action(ORDER_MESSAGE_ACTIONS.details, async ({ ack, body }) => {
    await ack();
    const click = readOrderButton(body);
    if (!click) return;
    // Failures reach the app-wide error handler, which tells the user where they are.
    await openOrderDetails(context, services, click);
  });

  app.shortcut({ callback_id: ORDER_SHORTCUTS.details, type: "message_action" }, async ({ ack, body }) => {
    await ack();
    const parsed = shortcutBody.safeParse(body);
    if (!parsed.success) return;
    // Failures reach the app-wide error handler, which answers through the shortcut's response_url.
    const order = await orderForShortcut(context, body);
    if (!order) return;
    await openOrderDetails(context, services, {
      triggerId: parsed.data.trigger_id,
      userId: parsed.data.user.id,
      orderId: order.id,
    });
  });

  /** The modal's order and the view to update, from a button inside it. */
  async function modalAction(body: unknown) {
    const parsed = modalActionBody.safeParse(body);
    if (!parsed.success) return undefined;
    const metadata = parseMetadata(metadataSchema, parsed.data.view.private_metadata);
    const order = metadata ? await getOrder(db, metadata.orderId) : undefined;
    if (!metadata || !order) return undefined;
    return {
      order,
      metadata,
      viewId: parsed.data.view.id,
      userId: parsed.data.user.id,
      action: parsed.data.actions[0],
    };
  }

  app.action(new RegExp(`^${DETAILS_ACTIONS.tabPrefix}`), async ({ ack, body }) => {
    await ack();
    try {
      const found = await modalAction(body);
      const tab = DETAILS_TABS.find(
        (candidate) => found?.action?.action_id === `${DETAILS_ACTIONS.tabPrefix}${candidate}`,
      );
      if (!found || !tab) return;
      await client.views.update({
        view_id: found.viewId,
        view: await renderDetails(context, services, found.order, found.userId, tab),
      });
    } catch (error) {
      logger.error("Switching the details tab failed:", error);
    }
  });

  // WebClient writes every request body at debug level, and the key upload and the PFX password are
  // request bodies: they go through a client that drops debug lines, so LOG_LEVEL=debug never records them.
  const quietClient = new WebClient(context.config.slack.botToken, {
    slackApiUrl: context.config.slack.apiUrl,
    logger: withoutDebug(logger),
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 3_000 },
    timeout: 10_000,
  });

  const sendFiles =
    (pfx: PfxEncryption) =>
    async ({ ack, body }: { ack: () => Promise<void>; body: unknown }) => {
      await ack();
      const found = await modalAction(body).catch((error: unknown) => {
        logger.error("Reading the details modal failed:", error);
        return undefined;
      });
      if (!found) return;
      const { order, viewId, userId } = found;
      const show = async (delivery: DeliveryState) =>
        client.views.update({
          view_id: viewId,
          view: await renderDetails(context, services, order, userId, "certificate", delivery),
        });
      try {
        await show({ state: "sending" });
        const { delivery, passwordSent } = await deliverFiles(context, quietClient, order, userId, pfx);
        await show({
          state: "sent",
          filenames: delivery.files.map((file) => file.filename),
          includesKey: delivery.includesKey,
          pfxPassword: delivery.pfxPassword === undefined ? "none" : passwordSent ? "sent" : "failed",
          pfxUnavailable: delivery.pfxUnavailable,
        });
      } catch (error) {
        logger.error(`Sending ${order.reference}'s files failed:`, error);
        await show({ state: "failed", message: context.describeFailure(error) }).catch(() => undefined);
      }
    };
  app.action(DETAILS_ACTIONS.sendFiles, sendFiles("aes-256"));
  // 3DES with a SHA-1 MAC only when asked for, for servers that cannot import anything newer.
  app.action(DETAILS_ACTIONS.sendFilesLegacyPfx, sendFiles("legacy-3des"));

  return registerRenewHandlers(app, context, services);
}

function withoutDebug(logger: Logger): Logger {
  return {
    debug: () => undefined,
    info: (...message) => logger.info(...message),
    warn: (...message) => logger.warn(...message),
    error: (...message) => logger.error(...message),
    setLevel: () => undefined,
    getLevel: () => logger.getLevel(),
    setName: () => undefined,
  };
}
