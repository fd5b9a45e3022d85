import type { App, RespondFn, ViewSubmitAction } from "@slack/bolt";
import { z } from "zod";
import type { ClientInput, ContactInput } from "../domain/client.js";
import {
  addContact,
  ClientNotFoundError,
  createClient,
  findClientByName,
  getClient,
  getContact,
  listClients,
  listContacts,
  removeContact,
  setDefaultContact,
  updateClient,
  updateContact,
} from "../orders/clients.js";
import { escapeMrkdwn } from "../views/blocks.js";
import {
  CLIENT_BLOCKS,
  CLIENT_CALLBACKS,
  type ClientModalMetadata,
  CONTACT_ACTIONS,
  CONTACT_BLOCKS,
  type ContactMenuChoice,
  type ContactModalMetadata,
  clientModal,
  contactErrorsByBlock,
  contactModal,
  errorsByBlock,
} from "../views/client-modal.js";
import { CLIENT_LIST_ACTIONS, CLIENTS_PAGE_SIZE, clientsListMessage } from "../views/clients-list.js";
import type { HandlerContext } from "./context.js";
import type { SubcommandArgs, SubcommandHandlers } from "./ssl-command.js";

/** `/ssl client add`, `/ssl client edit <name>`, `/ssl clients`, and the modals and buttons they lead to. */

const REFUSAL =
  "Only the people listed in SSL_ORDERERS may add or edit clients. Ask a certdesk admin if you need to.";
const EDIT_USAGE =
  "Usage: `/ssl client edit <name>`, e.g. `/ssl client edit Acme Ltd`. `/ssl clients` lists the clients.";

const stateSchema = z.record(
  z.string(),
  z.record(
    z.string(),
    z.object({
      value: z.string().nullish(),
      selected_option: z.object({ value: z.string() }).nullish(),
    }),
  ),
);
type StateValues = z.infer<typeof stateSchema>;

const clientMetadataSchema = z.object({ channelId: z.string(), clientId: z.number().int().optional() });
const contactMetadataSchema = z.object({
  channelId: z.string(),
  clientId: z.number().int(),
  contactId: z.number().int().optional(),
  parentViewId: z.string(),
});

const submissionSchema = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({ private_metadata: z.string(), state: z.object({ values: stateSchema }) }),
});

const actionSchema = z.object({
  trigger_id: z.string(),
  user: z.object({ id: z.string() }),
  actions: z
    .array(
      z.object({ value: z.string().optional(), selected_option: z.object({ value: z.string() }).optional() }),
    )
    .min(1),
});
const modalActionSchema = actionSchema.extend({
  view: z.object({ id: z.string(), private_metadata: z.string() }),
});
const messageActionSchema = actionSchema.extend({
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ channel_id: z.string().optional() }).optional(),
});

const contactChoiceSchema = z
  .string()
  .regex(/^(edit|default|remove):\d+$/)
  .transform((value) => {
    const [choice, id] = value.split(":");
    return { choice: choice as ContactMenuChoice, contactId: Number(id) };
  });

type ViewAck = (response?: { response_action: "errors"; errors: Record<string, string> }) => Promise<void>;

export function registerClientHandlers(app: App, context: HandlerContext): SubcommandHandlers {
  const { db, client: slack, logger } = context;
  const defaultExpiryDays = context.config.schedule.expiryDays;

  async function refuse(
    userId: string,
    action: "client_add" | "client_edit" | "client_contacts",
    subject: string | null,
  ): Promise<void> {
    const at = context.clock.now();
    await context.refusals.record({ actor: userId, action, subject, reason: "not in SSL_ORDERERS", at });
  }

  async function openClientModal(triggerId: string, channelId: string, clientId?: number): Promise<void> {
    const metadata: ClientModalMetadata = { channelId, clientId };
    const view =
      clientId === undefined
        ? clientModal({ metadata, defaultExpiryDays })
        : await editModal(metadata, clientId);
    await slack.views.open({ trigger_id: triggerId, view });
  }

  async function editModal(metadata: ClientModalMetadata, clientId: number, notice?: string) {
    const client = await getClient(db, clientId);
    if (!client) throw new ClientNotFoundError(`No client with id ${clientId}`);
    const contacts = await listContacts(db, clientId);
    return clientModal({
      metadata: { ...metadata, clientId },
      defaultExpiryDays,
      edit: { client, contacts, notice },
    });
  }

  async function refreshEditModal(
    viewId: string,
    metadata: ClientModalMetadata,
    notice?: string,
  ): Promise<void> {
    if (metadata.clientId === undefined) return;
    await slack.views.update({ view_id: viewId, view: await editModal(metadata, metadata.clientId, notice) });
  }

  /** Ephemeral where the command was typed; a DM when that channel does not allow it. */
  async function notifyUser(userId: string, channelId: string, text: string): Promise<void> {
    try {
      await slack.chat.postEphemeral({ channel: channelId, user: userId, text });
    } catch (error) {
      logger.debug(`Ephemeral message to ${userId} in ${channelId} failed, sending a DM instead:`, error);
      await slack.chat.postMessage({ channel: userId, text }).catch((dmError: unknown) => {
        logger.error(`Could not tell ${userId}: ${text}`, dmError);
      });
    }
  }

  /** A failed save keeps the modal open with everything typed, and says so under `blockId`. */
  async function submitSafely(ack: ViewAck, blockId: string, work: (ack: ViewAck) => Promise<void>) {
    let acked = false;
    const ackOnce: ViewAck = async (response) => {
      acked = true;
      await ack(response);
    };
    try {
      await work(ackOnce);
    } catch (error) {
      logger.error("Saving a client modal failed:", error);
      if (!acked)
        await ack({ response_action: "errors", errors: { [blockId]: context.describeFailure(error) } });
    }
  }

  /** Buttons are acked at once, so a later failure can only be told to the user in a message. */
  async function actSafely(userId: string, channelId: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      logger.error("A client button failed:", error);
      await notifyUser(userId, channelId, context.describeFailure(error));
    }
  }

  app.view<ViewSubmitAction>(CLIENT_CALLBACKS.add, async ({ ack, body }) => {
    await submitSafely(ack, CLIENT_BLOCKS.name, async (ack) => {
      const { user, view } = submissionSchema.parse(body);
      const metadata = parseMetadata(clientMetadataSchema, view.private_metadata);
      if (!(await context.access.mayOrder(user.id))) {
        await refuse(user.id, "client_add", null);
        await ack({ response_action: "errors", errors: { [CLIENT_BLOCKS.name]: REFUSAL } });
        return;
      }
      const input = { ...readClientInput(view.state.values), contact: readContactInput(view.state.values) };
      const saved = await createClient(db, input);
      if (!saved.ok) {
        await ack({ response_action: "errors", errors: errorsByBlock(saved.errors) });
        return;
      }
      await ack();
      const { name } = saved.value;
      const contactName = `${input.contact.firstName.trim()} ${input.contact.lastName.trim()}`;
      await notifyUser(
        user.id,
        metadata.channelId,
        `Added client *${escapeMrkdwn(name)}* with contact ${escapeMrkdwn(contactName)}. ` +
          `Order for it with \`/ssl order ${escapeMrkdwn(name)} &lt;domain&gt;\`.`,
      );
    });
  });

  app.view<ViewSubmitAction>(CLIENT_CALLBACKS.edit, async ({ ack, body }) => {
    await submitSafely(ack, CLIENT_BLOCKS.name, async (ack) => {
      const { user, view } = submissionSchema.parse(body);
      const metadata = parseMetadata(clientMetadataSchema, view.private_metadata);
      if (!(await context.access.mayOrder(user.id))) {
        await refuse(user.id, "client_edit", clientSubject(metadata.clientId));
        await ack({ response_action: "errors", errors: { [CLIENT_BLOCKS.name]: REFUSAL } });
        return;
      }
      if (metadata.clientId === undefined) throw new Error("client_edit modal without a client id");
      const saved = await updateClient(db, metadata.clientId, readClientInput(view.state.values));
      if (!saved.ok) {
        await ack({ response_action: "errors", errors: errorsByBlock(saved.errors) });
        return;
      }
      await ack();
      await notifyUser(user.id, metadata.channelId, `Saved client *${escapeMrkdwn(saved.value.name)}*.`);
    });
  });

  app.view<ViewSubmitAction>(CLIENT_CALLBACKS.contact, async ({ ack, body }) => {
    await submitSafely(ack, CONTACT_BLOCKS.firstName, async (ack) => {
      const { user, view } = submissionSchema.parse(body);
      const metadata = parseMetadata(contactMetadataSchema, view.private_metadata);
      if (!(await context.access.mayOrder(user.id))) {
        await refuse(user.id, "client_contacts", clientSubject(metadata.clientId));
        await ack({ response_action: "errors", errors: { [CONTACT_BLOCKS.firstName]: REFUSAL } });
        return;
      }
      const input = readContactInput(view.state.values);
      const saved =
        metadata.contactId === undefined
          ? await addContact(db, metadata.clientId, input)
          : await updateContact(db, metadata.contactId, input);
      if (!saved.ok) {
        await ack({ response_action: "errors", errors: contactErrorsByBlock(saved.errors) });
        return;
      }
      // A plain ack closes only this pushed modal: the user is back on the client, which then shows the change.
      await ack();
      await refreshEditModal(metadata.parentViewId, metadata);
    });
  });

  app.action(CONTACT_ACTIONS.add, async ({ ack, body }) => {
    await ack();
    const { trigger_id, user, view } = modalActionSchema.parse(body);
    const metadata = parseMetadata(clientMetadataSchema, view.private_metadata);
    const clientId = metadata.clientId;
    if (clientId === undefined) return;
    await actSafely(user.id, metadata.channelId, async () => {
      if (!(await context.access.mayOrder(user.id))) {
        await refuse(user.id, "client_contacts", clientSubject(clientId));
        await refreshEditModal(view.id, metadata, REFUSAL);
        return;
      }
      const contactMetadata: ContactModalMetadata = {
        channelId: metadata.channelId,
        clientId,
        parentViewId: view.id,
      };
      await slack.views.push({ trigger_id, view: contactModal({ metadata: contactMetadata }) });
    });
  });

  app.action(CONTACT_ACTIONS.menu, async ({ ack, body }) => {
    await ack();
    const { trigger_id, user, view, actions } = modalActionSchema.parse(body);
    const metadata = parseMetadata(clientMetadataSchema, view.private_metadata);
    const { choice, contactId } = contactChoiceSchema.parse(actions[0]?.selected_option?.value);
    await actSafely(user.id, metadata.channelId, async () => {
      if (!(await context.access.mayOrder(user.id))) {
        await refuse(user.id, "client_contacts", clientSubject(metadata.clientId));
        await refreshEditModal(view.id, metadata, REFUSAL);
        return;
      }
      const contact = await getContact(db, contactId);
      if (!contact || contact.clientId !== metadata.clientId) {
        await refreshEditModal(view.id, metadata, "That contact was removed in the meantime.");
        return;
      }
      if (choice === "edit") {
        const contactMetadata: ContactModalMetadata = {
          channelId: metadata.channelId,
          clientId: contact.clientId,
          contactId,
          parentViewId: view.id,
        };
        await slack.views.push({ trigger_id, view: contactModal({ metadata: contactMetadata, contact }) });
        return;
      }
      if (choice === "default") {
        await setDefaultContact(db, contactId);
        await refreshEditModal(view.id, metadata);
        return;
      }
      const removed = await removeContact(db, contactId);
      await refreshEditModal(view.id, metadata, removed.ok ? undefined : removed.message);
    });
  });

  async function showListPage(respond: RespondFn, offset: number): Promise<void> {
    const message = await clientsListPage(offset);
    await respond({ replace_original: true, ...message });
  }

  async function clientsListPage(offset: number) {
    const page = await listClients(db, { limit: CLIENTS_PAGE_SIZE, offset });
    return clientsListMessage({ ...page, offset, pageSize: CLIENTS_PAGE_SIZE });
  }

  for (const actionId of [CLIENT_LIST_ACTIONS.previous, CLIENT_LIST_ACTIONS.next]) {
    app.action(actionId, async ({ ack, body, respond }) => {
      await ack();
      const { user, actions, channel } = messageActionSchema.parse(body);
      const offset = z.coerce.number().int().min(0).parse(actions[0]?.value);
      await actSafely(user.id, channel?.id ?? user.id, () => showListPage(respond, offset));
    });
  }

  app.action(CLIENT_LIST_ACTIONS.edit, async ({ ack, body, respond }) => {
    await ack();
    const { trigger_id, user, actions, channel, container } = messageActionSchema.parse(body);
    const channelId = channel?.id ?? container?.channel_id ?? user.id;
    const clientId = z.coerce.number().int().parse(actions[0]?.value);
    await actSafely(user.id, channelId, async () => {
      if (!(await context.access.mayOrder(user.id))) {
        await refuse(user.id, "client_edit", clientSubject(clientId));
        await respond({ response_type: "ephemeral", replace_original: false, text: REFUSAL });
        return;
      }
      if (!(await getClient(db, clientId))) {
        await respond({
          response_type: "ephemeral",
          replace_original: false,
          text: "That client no longer exists.",
        });
        return;
      }
      await openClientModal(trigger_id, channelId, clientId);
    });
  });

  async function mayEdit(
    { userId, reply }: SubcommandArgs,
    action: "client_add" | "client_edit",
    subject: string | null,
  ): Promise<boolean> {
    if (await context.access.mayOrder(userId)) return true;
    await refuse(userId, action, subject);
    await reply({ text: REFUSAL });
    return false;
  }

  return {
    "client-add": async (args) => {
      if (!(await mayEdit(args, "client_add", null))) return;
      await openClientModal(args.triggerId, args.channelId);
    },
    "client-edit": async (args) => {
      const name = args.request.kind === "client-edit" ? args.request.name : undefined;
      if (!name) {
        await args.reply({ text: EDIT_USAGE });
        return;
      }
      const client = await findClientByName(db, name);
      if (!(await mayEdit(args, "client_edit", client ? clientSubject(client.id) : name))) return;
      if (!client) {
        await args.reply({ text: `No client named “${escapeMrkdwn(name)}”; \`/ssl clients\` lists them.` });
        return;
      }
      await openClientModal(args.triggerId, args.channelId, client.id);
    },
    clients: async ({ reply }) => {
      await reply(await clientsListPage(0));
    },
  };
}

/** How the access audit names a client. */
function clientSubject(clientId: number | undefined): string | null {
  return clientId === undefined ? null : `client ${clientId}`;
}

function parseMetadata<T>(schema: z.ZodType<T>, text: string): T {
  return schema.parse(JSON.parse(text));
}

function readText(values: StateValues, blockId: string): string {
  return values[blockId]?.[blockId]?.value ?? "";
}

function readClientInput(values: StateValues): ClientInput {
  return {
    name: readText(values, CLIENT_BLOCKS.name),
    organisation: readText(values, CLIENT_BLOCKS.organisation),
    street: readText(values, CLIENT_BLOCKS.street),
    city: readText(values, CLIENT_BLOCKS.city),
    state: readText(values, CLIENT_BLOCKS.state),
    postalCode: readText(values, CLIENT_BLOCKS.postalCode),
    country: values[CLIENT_BLOCKS.country]?.[CLIENT_BLOCKS.country]?.selected_option?.value ?? "",
    phone: readText(values, CLIENT_BLOCKS.phone),
    email: readText(values, CLIENT_BLOCKS.email),
    expiryDays: readText(values, CLIENT_BLOCKS.expiryDays),
  };
}

function readContactInput(values: StateValues): ContactInput {
  return {
    firstName: readText(values, CONTACT_BLOCKS.firstName),
    lastName: readText(values, CONTACT_BLOCKS.lastName),
    email: readText(values, CONTACT_BLOCKS.email),
    phone: readText(values, CONTACT_BLOCKS.phone),
    title: readText(values, CONTACT_BLOCKS.title),
  };
}
