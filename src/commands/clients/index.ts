import type { App } from "@slack/bolt";
import { z } from "zod";
import { findClientByName, getClient, listClients } from "../../orders/clients.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import { CLIENT_LIST_ACTIONS, CLIENTS_PAGE_SIZE, clientsListMessage } from "../../views/clients-list.js";
import type { Feature, FeatureContext } from "../context.js";
import { guard } from "../guard.js";
import { messageActionPayload } from "../payloads.js";
import { registerContactButtons } from "./contacts.js";
import { clientSubject } from "./form.js";
import { openClientModal, registerClientModals } from "./modal.js";

/** `/ssl client add`, `/ssl client edit <name>`, `/ssl clients`, and the modals and buttons they lead to. */

const EDIT_USAGE =
  "Usage: `/ssl client edit <name>`, e.g. `/ssl client edit Acme Ltd`. `/ssl clients` lists the clients.";

export const clientsFeature: Feature = {
  register(app: App, context: FeatureContext) {
    const { db, logger, slack } = context;
    registerClientModals(app, context);
    registerContactButtons(app, context);

    async function clientsListPage(offset: number) {
      const page = await listClients(db, { limit: CLIENTS_PAGE_SIZE, offset });
      return clientsListMessage({ ...page, offset, pageSize: CLIENTS_PAGE_SIZE });
    }

    for (const actionId of [CLIENT_LIST_ACTIONS.previous, CLIENT_LIST_ACTIONS.next]) {
      app.action(actionId, async ({ ack, body }) => {
        await ack();
        const { user, actions, response_url: responseUrl } = messageActionPayload.parse(body);
        const offset = z.coerce.number().int().min(0).parse(actions[0]?.value);
        // The list is an ephemeral message: only its response_url can replace it.
        if (!responseUrl) return;
        try {
          await slack.replaceViaResponseUrl(responseUrl, await clientsListPage(offset));
        } catch (error) {
          logger.error("Paging the client list failed:", error);
          await slack
            .tell({ userId: user.id, responseUrl }, { text: context.describeFailure(error) })
            .catch(() => undefined);
        }
      });
    }

    app.action(CLIENT_LIST_ACTIONS.edit, async ({ ack, body }) => {
      await ack();
      const parsed = messageActionPayload.parse(body);
      const { trigger_id: triggerId, user, actions, channel, container } = parsed;
      const to = { userId: user.id, responseUrl: parsed.response_url };
      const tell = (text: string) => slack.tell(to, { text });
      const channelId = channel?.id ?? container?.channel_id ?? user.id;
      const clientId = z.coerce.number().int().parse(actions[0]?.value);
      try {
        const allowed = await guard(context, {
          userId: user.id,
          action: "client_edit",
          subject: clientSubject(clientId),
          tell,
        });
        if (!allowed) return;
        if (!(await getClient(db, clientId))) {
          await tell("That client no longer exists.");
          return;
        }
        await openClientModal(context, triggerId, channelId, clientId);
      } catch (error) {
        logger.error("A client button failed:", error);
        await tell(context.describeFailure(error)).catch(() => undefined);
      }
    });

    context.ssl.on("client-add", async ({ userId, triggerId, channelId, reply }) => {
      const allowed = await guard(context, {
        userId,
        action: "client_add",
        subject: null,
        tell: (text) => reply({ text }),
      });
      if (allowed) await openClientModal(context, triggerId, channelId);
    });

    context.ssl.on("client-edit", async ({ request, userId, triggerId, channelId, reply }) => {
      const name = request.name;
      if (!name) {
        await reply({ text: EDIT_USAGE });
        return;
      }
      const client = await findClientByName(db, name);
      const allowed = await guard(context, {
        userId,
        action: "client_edit",
        subject: client ? clientSubject(client.id) : name,
        tell: (text) => reply({ text }),
      });
      if (!allowed) return;
      if (!client) {
        await reply({ text: `No client named “${escapeMrkdwn(name)}”; \`/ssl clients\` lists them.` });
        return;
      }
      await openClientModal(context, triggerId, channelId, client.id);
    });

    context.ssl.on("clients", async ({ reply }) => {
      await reply(await clientsListPage(0));
    });
  },
};
