import type { App, ViewSubmitAction } from "@slack/bolt";
import {
  addContact,
  ClientNotFoundError,
  createClient,
  getClient,
  listContacts,
  updateClient,
  updateContact,
} from "../../orders/clients.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import {
  CLIENT_BLOCKS,
  CLIENT_CALLBACKS,
  type ClientModalMetadata,
  CONTACT_BLOCKS,
  clientModal,
  contactErrorsByBlock,
  errorsByBlock,
} from "../../views/client-modal.js";
import type { FeatureContext } from "../context.js";
import { refusalFor } from "../guard.js";
import { modalPayload } from "../payloads.js";
import {
  clientMetadataSchema,
  clientSubject,
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

/** Shows the client modal again with what is stored now (after a contact changed), and a notice. */
export async function refreshEditModal(
  context: FeatureContext,
  viewId: string,
  metadata: ClientModalMetadata,
  notice?: string,
): Promise<void> {
  if (metadata.clientId === undefined) return;
  await context.slack.updateModal(viewId, await editModal(context, metadata, metadata.clientId, notice));
}

/** The client modal and the contact modal pushed over it: their submissions (contacts.ts: the buttons). */
export function registerClientModals(app: App, context: FeatureContext): void {
  const { db, logger, slack } = context;

  /** True when refused: the save keeps the modal open with everything typed, and says why under `blockId`. */
  async function refusedSave(
    ack: ViewAck,
    blockId: string,
    check: { userId: string; action: ClientAction; subject: string | null },
  ): Promise<boolean> {
    const refusal = await refusalFor(context, check);
    if (refusal) await ack({ response_action: "errors", errors: { [blockId]: refusal.sentence } });
    return refusal !== undefined;
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

  app.view<ViewSubmitAction>(CLIENT_CALLBACKS.add, async ({ ack, body }) => {
    await submitSafely(ack, CLIENT_BLOCKS.name, async (ack) => {
      const { user, view } = modalPayload.parse(body);
      const metadata = metadataOf(clientMetadataSchema, view.private_metadata);
      if (
        await refusedSave(ack, CLIENT_BLOCKS.name, { userId: user.id, action: "client_add", subject: null })
      )
        return;
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
      const subject = clientSubject(metadata.clientId);
      if (await refusedSave(ack, CLIENT_BLOCKS.name, { userId: user.id, action: "client_edit", subject }))
        return;
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
      const subject = clientSubject(metadata.clientId);
      if (
        await refusedSave(ack, CONTACT_BLOCKS.firstName, {
          userId: user.id,
          action: "client_contacts",
          subject,
        })
      ) {
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
      await refreshEditModal(context, metadata.parentViewId, metadata);
    });
  });
}
