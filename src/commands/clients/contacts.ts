import type { App } from "@slack/bolt";
import { getContact, removeContact, setDefaultContact } from "../../orders/clients.js";
import {
  type ClientModalMetadata,
  CONTACT_ACTIONS,
  type ContactModalMetadata,
  contactModal,
} from "../../views/client-modal.js";
import type { FeatureContext } from "../context.js";
import { refusalFor } from "../guard.js";
import { modalPayload } from "../payloads.js";
import { clientMetadataSchema, clientSubject, contactChoiceSchema, metadataOf } from "./form.js";
import { refreshEditModal } from "./modal.js";

/** The contact buttons inside the client modal: add, edit, make default, remove. */
export function registerContactButtons(app: App, context: FeatureContext): void {
  const { db, logger, slack } = context;

  /** Buttons are acked at once, so a later failure can only be told to the user in a message. */
  async function actSafely(userId: string, channelId: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      logger.error("A client button failed:", error);
      await slack.tellInChannel(channelId, userId, { text: context.describeFailure(error) });
    }
  }

  /** Contact buttons inside the client modal: a refusal is said in the modal itself. */
  async function mayEditContacts(
    userId: string,
    viewId: string,
    metadata: ClientModalMetadata,
  ): Promise<boolean> {
    const refusal = await refusalFor(context, {
      userId,
      action: "client_contacts",
      subject: clientSubject(metadata.clientId),
    });
    if (refusal) await refreshEditModal(context, viewId, metadata, refusal.sentence);
    return refusal === undefined;
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
        await refreshEditModal(context, view.id, metadata, "That contact was removed in the meantime.");
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
        await refreshEditModal(context, view.id, metadata);
        return;
      }
      const removed = await removeContact(db, contactId);
      await refreshEditModal(context, view.id, metadata, removed.ok ? undefined : removed.message);
    });
  });
}
