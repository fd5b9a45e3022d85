import { z } from "zod";
import type { ClientInput, ContactInput } from "../../domain/client.js";
import { CLIENT_BLOCKS, CONTACT_BLOCKS, type ContactMenuChoice } from "../../views/client-modal.js";
import type { StateValues } from "../payloads.js";

/** What the client and contact modals carry and send back. */

export const clientMetadataSchema = z.object({
  channelId: z.string(),
  clientId: z.number().int().optional(),
});
export const contactMetadataSchema = z.object({
  channelId: z.string(),
  clientId: z.number().int(),
  contactId: z.number().int().optional(),
  parentViewId: z.string(),
});

export const contactChoiceSchema = z
  .string()
  .regex(/^(edit|default|remove):\d+$/)
  .transform((value) => {
    const [choice, id] = value.split(":");
    return { choice: choice as ContactMenuChoice, contactId: Number(id) };
  });

/** The modal's own metadata; a payload without it is not one certdesk opened, and fails loudly. */
export function metadataOf<T>(schema: z.ZodType<T>, text: string | undefined): T {
  return schema.parse(JSON.parse(text ?? ""));
}

/** How the access audit names a client. */
export function clientSubject(clientId: number | undefined): string | null {
  return clientId === undefined ? null : `client ${clientId}`;
}

function readText(values: StateValues, blockId: string): string {
  return values[blockId]?.[blockId]?.value ?? "";
}

export function readClientInput(values: StateValues): ClientInput {
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
    probePorts: readText(values, CLIENT_BLOCKS.probePorts),
  };
}

export function readContactInput(values: StateValues): ContactInput {
  return {
    firstName: readText(values, CONTACT_BLOCKS.firstName),
    lastName: readText(values, CONTACT_BLOCKS.lastName),
    email: readText(values, CONTACT_BLOCKS.email),
    phone: readText(values, CONTACT_BLOCKS.phone),
    title: readText(values, CONTACT_BLOCKS.title),
  };
}
