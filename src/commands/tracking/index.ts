import type { App } from "@slack/bolt";
import { findClientByName } from "../../orders/clients.js";
import type { Listener, Message } from "../../slack/slack.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import { ORDER_LIST_ACTIONS } from "../../views/order-list.js";
import { ORDER_MESSAGE_ACTIONS } from "../../views/order-message.js";
import type { Feature, FeatureContext } from "../context.js";
import { openOrderDetails } from "../details/render.js";
import { messageActionPayload, messageShortcutPayload, readOrderClick } from "../payloads.js";
import { openRenewal } from "../renew/open.js";
import { ORDER_SHORTCUTS, orderForCommand, orderForShortcut } from "../shortcuts.js";
import { listMessage, menuChoiceSchema, positionSchema } from "./list.js";
import { checkAndTell } from "./status.js";

/**
 * "List SSL Certs" and "Check status": `/ssl list`, `/ssl status`, the order message's Check status
 * button, the list's row menu and paging, and the Check SSL status message shortcut.
 */

const STATUS_USAGE =
  "Usage: `/ssl status <SSL-1042 | domain>`, e.g. `/ssl status SSL-1042` or `/ssl status www.example.com`.";

export const trackingFeature: Feature = {
  register(app: App, context: FeatureContext) {
    const { db, logger, slack } = context;

    /** Only to the caller; a failure after the ack can only be told in a message. */
    async function answering(
      to: Listener,
      what: string,
      work: (tell: (message: Message) => Promise<void>) => Promise<void>,
    ) {
      const tell = (message: Message) => slack.tell(to, message);
      try {
        await work(tell);
      } catch (error) {
        logger.error(`${what} failed:`, error);
        await tell({ text: context.describeFailure(error) }).catch(() => undefined);
      }
    }

    app.action(ORDER_MESSAGE_ACTIONS.checkStatus, async ({ ack, body }) => {
      await ack();
      const click = readOrderClick(body);
      if (!click) return;
      await answering(click.listener, "Check status", (tell) =>
        checkAndTell(context, click.orderId, click.userId, tell),
      );
    });

    app.shortcut(
      { callback_id: ORDER_SHORTCUTS.checkStatus, type: "message_action" },
      async ({ ack, body }) => {
        await ack();
        const parsed = messageShortcutPayload.safeParse(body);
        const to = { userId: body.user.id, responseUrl: parsed.data?.response_url };
        await answering(to, "The Check SSL status shortcut", async (tell) => {
          const order = await orderForShortcut(context, body);
          if (order) await checkAndTell(context, order.id, body.user.id, tell);
        });
      },
    );

    app.action(ORDER_LIST_ACTIONS.menu, async ({ ack, body }) => {
      await ack();
      const parsed = messageActionPayload.safeParse(body);
      const picked = menuChoiceSchema.safeParse(parsed.data?.actions[0]?.selected_option?.value);
      if (!parsed.success || !picked.success) return;
      const { user, trigger_id: triggerId, channel, container, response_url: responseUrl } = parsed.data;
      const { choice, orderId } = picked.data;
      await answering({ userId: user.id, responseUrl }, `The order list's ${choice}`, async (tell) => {
        switch (choice) {
          case "check":
            await checkAndTell(context, orderId, user.id, tell);
            return;
          case "details":
            await openOrderDetails(context, { triggerId, userId: user.id, orderId });
            return;
          case "renew":
            await openRenewal(context, {
              triggerId,
              userId: user.id,
              orderId,
              channelId: channel?.id ?? container?.channel_id ?? user.id,
            });
            return;
        }
      });
    });

    for (const actionId of [ORDER_LIST_ACTIONS.previous, ORDER_LIST_ACTIONS.next]) {
      app.action(actionId, async ({ ack, body }) => {
        await ack();
        const parsed = messageActionPayload.safeParse(body);
        const position = positionSchema.safeParse(parsed.data?.actions[0]?.value);
        const responseUrl = parsed.data?.response_url;
        // The list is an ephemeral message: only its response_url can replace it.
        if (!parsed.success || !position.success || !responseUrl) return;
        await answering({ userId: parsed.data.user.id, responseUrl }, "Paging the order list", async () => {
          const message = await listMessage(context, position.data.clientId, position.data.offset);
          await slack.replaceViaResponseUrl(responseUrl, message);
        });
      });
    }

    context.ssl.on("list", async ({ request, reply }) => {
      if (!request.client) {
        await reply(await listMessage(context, undefined, 0));
        return;
      }
      const client = await findClientByName(db, request.client);
      if (!client) {
        await reply({
          text: `No client named “${escapeMrkdwn(request.client)}”; \`/ssl clients\` lists them.`,
        });
        return;
      }
      await reply(await listMessage(context, client.id, 0, client));
    });

    context.ssl.on("status", async ({ request, userId, reply }) => {
      const order = await orderForCommand(context, request.ref, { usage: STATUS_USAGE, reply });
      if (order) await checkAndTell(context, order.id, userId, reply);
    });
  },
};
