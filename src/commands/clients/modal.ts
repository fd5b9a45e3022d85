import type { App, ViewSubmitAction } from "@slack/bolt";
import {
  addContact,
  ClientNotFoundError,
  createClient,
  getClient,
  getContact,
  listContacts,
  removeContact,
  setDefaultContact,
  updateClient,
  updateContact,
} from "../../orders/clients.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import {
  CLIENT_BLOCKS,
  CLIENT_CALLBACKS,
  type ClientModalMetadata,
  CONTACT_ACTIONS,
  CONTACT_BLOCKS,
  type ContactModalMetadata,
  clientModal,
  contactErrorsByBlock,
  contactModal,
  errorsByBlock,
} from "../../views/client-modal.js";
import type { FeatureContext } from "../context.js";
import { mayDo, refusalSentence, refuse } from "../guard.js";
import { modalPayload } from "../payloads.js";
import {
  clientMetadataSchema,
  clientSubject,
  contactChoiceSchema,
  contactMetadataSchema,
  metadataOf,
  readClientInput,
  readContactInput,
} from "./form.js";

type ViewAck = (response?: { response_action: "errors"; errors: Record<string, string> }) => Promise<void>;
type ClientAction = "client_add" | "client_edit" | "client_contacts";

/** Opens the client modal: empty to add one, filled with the client and its contacts to edit it. */
export async function openClientModal(
  context: FeatureContext,
  triggerId: string,
  channelId: string,
  clientId?: number,
): Promise<void> {
  const metadata: ClientModalMetadata = { channelId, clientId };
  const view =
    clientId === undefined
      ? clientModal({ metadata, defaultExpiryDays: context.config.schedule.expiryDays })
      : await editModal(context, metadata, clientId);
  await context.slack.openModal(triggerId, view);
}

async function editModal(
  context: FeatureContext,
  metadata: ClientModalMetadata,
  clientId: number,
  notice?: string,
) {
  const client = await getClient(context.db, clientId);
  if (!client) throw new ClientNotFoundError(`No client with id ${clientId}`);
  const contacts = await listContacts(context.db, clientId);
  return clientModal({
    metadata: { ...metadata, clientId },
    defaultExpiryDays: context.config.schedule.expiryDays,
    edit: { client, contacts, notice },
  });
}

/** The client modal and the contact modal pushed over it: their submissions and the contact buttons. */
export function registerClientModals(app: App, context: FeatureContext): void {
  const { db, logger, slack } = context;

  async function refreshEditModal(
    viewId: string,
    metadata: ClientModalMetadata,
    notice?: string,
  ): Promise<void> {
    if (metadata.clientId === undefined) return;
    await slack.updateModal(viewId, await editModal(context, metadata, metadata.clientId, notice));
  }

  /** A refused save keeps the modal open with everything typed, and says why under `blockId`. */
  async function refusedSave(
    ack: ViewAck,
    blockId: string,
    userId: string,
    action: ClientAction,
    subject: string | null,
  ) {
    // Recorded before the answer (one insert): the refusal is in the audit once the person sees it.
    await refuse(context, { userId, action, subject }).catch((error: unknown) =>
      logger.error("Recording a refusal failed:", error),
    );
    await ack({ response_action: "errors", errors: { [blockId]: refusalSentence(action) } });
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
      await slack.tellInChannel(channelId, userId, { text: context.describeFailure(error) });
    }
  }

  app.view<ViewSubmitAction>(CLIENT_CALLBACKS.add, async ({ ack, body }) => {
    await submitSafely(ack, CLIENT_BLOCKS.name, async (ack) => {
      const { user, view } = modalPayload.parse(body);
      const metadata = metadataOf(clientMetadataSchema, view.private_metadata);
      if (!(await mayDo(context, user.id, "client_add"))) {
        await refusedSave(ack, CLIENT_BLOCKS.name, user.id, "client_add", null);
        return;
      }
      const values = view.state?.values ?? {};
      const input = { ...readClientInput(values), contact: readContactInput(values) };
      const saved = await createClient(db, input);
      if (!saved.ok) {
        await ack({ response_action: "errors", errors: errorsByBlock(saved.errors) });
        return;
      }
      await ack();
      const { name } = saved.value;
      const contactName = `${input.contact.firstName.trim()} ${input.contact.lastName.trim()}`;
      await slack.tellInChannel(metadata.channelId, user.id, {
        text:
          `Added client *${escapeMrkdwn(name)}* with contact ${escapeMrkdwn(contactName)}. ` +
          `Order for it with \`/ssl order ${escapeMrkdwn(name)} &lt;domain&gt;\`.`,
      });
    });
  });

  app.view<ViewSubmitAction>(CLIENT_CALLBACKS.edit, async ({ ack, body }) => {
    await submitSafely(ack, CLIENT_BLOCKS.name, async (ack) => {
      const { user, view } = modalPayload.parse(body);
      const metadata = metadataOf(clientMetadataSchema, view.private_metadata);
      if (!(await mayDo(context, user.id, "client_edit"))) {
        await refusedSave(ack, CLIENT_BLOCKS.name, user.id, "client_edit", clientSubject(metadata.clientId));
        return;
      }
      if (metadata.clientId === undefined) throw new Error("client_edit modal without a client id");
      const saved = await updateClient(db, metadata.clientId, readClientInput(view.state?.values ?? {}));
      if (!saved.ok) {
        await ack({ response_action: "errors", errors: errorsByBlock(saved.errors) });
        return;
      }
      await ack();
      await slack.tellInChannel(metadata.channelId, user.id, {
        text: `Saved client *${escapeMrkdwn(saved.value.name)}*.`,
      });
    });
  });

  app.view<ViewSubmitAction>(CLIENT_CALLBACKS.contact, async ({ ack, body }) => {
    await submitSafely(ack, CONTACT_BLOCKS.firstName, async (ack) => {
      const { user, view } = modalPayload.parse(body);
      const metadata = metadataOf(contactMetadataSchema, view.private_metadata);
      if (!(await mayDo(context, user.id, "client_contacts"))) {
        await refusedSave(
          ack,
          CONTACT_BLOCKS.firstName,
          user.id,
          "client_contacts",
          clientSubject(metadata.clientId),
        );
        return;
      }
      const input = readContactInput(view.state?.values ?? {});
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

  /** Contact buttons inside the client modal: a refusal is said in the modal itself. */
  async function mayEditContacts(
    userId: string,
    viewId: string,
    metadata: ClientModalMetadata,
  ): Promise<boolean> {
    if (await mayDo(context, userId, "client_contacts")) return true;
    await refuse(context, {
      userId,
      action: "client_contacts",
      subject: clientSubject(metadata.clientId),
    });
    await refreshEditModal(viewId, metadata, refusalSentence("client_contacts"));
    return false;
  }

  app.action(CONTACT_ACTIONS.add, async ({ ack, body }) => {
    await ack();
    const { trigger_id: triggerId, user, view } = modalPayload.parse(body);
    const metadata = metadataOf(clientMetadataSchema, view.private_metadata);
    const clientId = metadata.clientId;
    if (clientId === undefined || !triggerId) return;
    await actSafely(user.id, metadata.channelId, async () => {
      if (!(await mayEditContacts(user.id, view.id, metadata))) return;
      const contactMetadata: ContactModalMetadata = {
        channelId: metadata.channelId,
        clientId,
        parentViewId: view.id,
      };
      await slack.pushModal(triggerId, contactModal({ metadata: contactMetadata }));
    });
  });

  app.action(CONTACT_ACTIONS.menu, async ({ ack, body }) => {
    await ack();
    const { trigger_id: triggerId, user, view, actions } = modalPayload.parse(body);
    const metadata = metadataOf(clientMetadataSchema, view.private_metadata);
    const picked = actions?.[0]?.selected_option as { value?: string } | undefined;
    const { choice, contactId } = contactChoiceSchema.parse(picked?.value);
    await actSafely(user.id, metadata.channelId, async () => {
      if (!(await mayEditContacts(user.id, view.id, metadata))) return;
      const contact = await getContact(db, contactId);
      if (!contact || contact.clientId !== metadata.clientId) {
        await refreshEditModal(view.id, metadata, "That contact was removed in the meantime.");
        return;
      }
      if (choice === "edit") {
        if (!triggerId) return;
        const contactMetadata: ContactModalMetadata = {
          channelId: metadata.channelId,
          clientId: contact.clientId,
          contactId,
          parentViewId: view.id,
        };
        await slack.pushModal(triggerId, contactModal({ metadata: contactMetadata, contact }));
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
}
