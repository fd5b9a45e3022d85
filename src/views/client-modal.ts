import type { ActionsBlock, InputBlock, KnownBlock, ModalView, SectionBlock } from "@slack/types";
import {
  type ClientField,
  type ClientRecord,
  type ContactField,
  type ContactRecord,
  type FieldErrors,
  formatExpiryDays,
  formatProbePorts,
} from "../domain/client.js";
import { context, escapeMrkdwn, plain } from "./blocks.js";
import { countryOption } from "./countries.js";

/**
 * The client modal (add and edit) and the contact modal pushed on top of it.
 *
 * Stable ids — inline errors are keyed by block_id, and views.update keeps what the user typed only
 * while block_id and action_id stay the same. Every input's action_id equals its block_id.
 *   client modal (callback_id client_add / client_edit):
 *     client_name, client_organisation, client_street, client_city, client_state, client_postal_code,
 *     client_country (external_select), client_phone, client_email, client_expiry_days;
 *     add mode only, the first contact: client_first_contact (heading), client_contact_first_name,
 *     client_contact_last_name, client_contact_email, client_contact_phone, client_contact_title;
 *     edit mode only: client_contacts (heading), client_contacts_notice (context),
 *     client_contact_row_<contactId> (section; overflow action_id client_contact_menu, option values
 *     edit:<id> / default:<id> / remove:<id>), client_contacts_more (context),
 *     client_contacts_actions (button client_contact_add).
 *   contact modal (callback_id client_contact): the five client_contact_* inputs above.
 */

export const CLIENT_CALLBACKS = {
  add: "client_add",
  edit: "client_edit",
  contact: "client_contact",
} as const;

export const CLIENT_BLOCKS = {
  name: "client_name",
  organisation: "client_organisation",
  street: "client_street",
  city: "client_city",
  state: "client_state",
  postalCode: "client_postal_code",
  country: "client_country",
  phone: "client_phone",
  email: "client_email",
  expiryDays: "client_expiry_days",
  probePorts: "client_probe_ports",
} as const satisfies Record<Exclude<ClientField, `contact.${string}`>, string>;

export const CONTACT_BLOCKS = {
  firstName: "client_contact_first_name",
  lastName: "client_contact_last_name",
  email: "client_contact_email",
  phone: "client_contact_phone",
  title: "client_contact_title",
} as const satisfies Record<ContactField, string>;

export const CONTACT_ACTIONS = { menu: "client_contact_menu", add: "client_contact_add" } as const;
export type ContactMenuChoice = "edit" | "default" | "remove";

/** Ids only: private_metadata is limited to 3000 characters and is visible to the client app. */
export interface ClientModalMetadata {
  /** Where the command was typed: the confirmation goes there. */
  channelId: string;
  clientId?: number;
}

export interface ContactModalMetadata {
  channelId: string;
  clientId: number;
  contactId?: number;
  /** The client modal underneath, refreshed once the contact is saved. */
  parentViewId: string;
}

export interface ClientModalOptions {
  metadata: ClientModalMetadata;
  /** The global EXPIRY_DAYS, shown as what an empty field means. */
  defaultExpiryDays: number[];
  /** Edit mode: the stored client and its contacts (default first). */
  edit?: { client: ClientRecord; contacts: ContactRecord[]; notice?: string };
}

const LIMITS = { name: 100, organisation: 64, text: 200 } as const;
/** Leaves room under the 100-block modal limit for the client fields and the contact controls. */
const MAX_CONTACT_ROWS = 70;

export function clientModal(options: ClientModalOptions): ModalView {
  const { edit } = options;
  const client = edit?.client;
  const blocks: KnownBlock[] = [
    textInput(CLIENT_BLOCKS.name, "Client name", client?.name, {
      max: LIMITS.name,
      hint: "What people type to find it, e.g. /ssl order Acme Ltd.",
    }),
    textInput(CLIENT_BLOCKS.organisation, "Organisation (legal name)", client?.organisation, {
      optional: true,
      max: LIMITS.organisation,
      hint: "Goes into the certificate request; 64 characters at most.",
    }),
    textInput(CLIENT_BLOCKS.street, "Street", client?.street, { optional: true }),
    textInput(CLIENT_BLOCKS.city, "City", client?.city, { optional: true }),
    textInput(CLIENT_BLOCKS.state, "State or province", client?.state, { optional: true }),
    textInput(CLIENT_BLOCKS.postalCode, "Postal code", client?.postalCode, { optional: true }),
    countryInput(client?.country ?? undefined),
    textInput(CLIENT_BLOCKS.phone, "Phone", client?.phone, {
      optional: true,
      placeholder: "+44 20 7946 0000",
    }),
    textInput(CLIENT_BLOCKS.email, "E-mail", client?.email, {
      optional: true,
      placeholder: "admin@example.com",
    }),
    textInput(CLIENT_BLOCKS.expiryDays, "Expiry alert days", formatExpiryDays(client?.expiryDays ?? null), {
      optional: true,
      placeholder: options.defaultExpiryDays.join(","),
      hint: `Days before expiry to alert, e.g. 30,14,7,1. Empty = the default (${options.defaultExpiryDays.join(",")}).`,
    }),
    textInput(CLIENT_BLOCKS.probePorts, "TLS ports to check", formatProbePorts(client?.probePorts ?? null), {
      optional: true,
      placeholder: "443",
      hint: "Where the daily check of what is served connects to the client's names, e.g. 443, 8443. Empty = 443.",
    }),
    ...(edit ? contactsSection(edit.contacts, edit.notice) : firstContactSection()),
  ];
  return {
    type: "modal",
    callback_id: edit ? CLIENT_CALLBACKS.edit : CLIENT_CALLBACKS.add,
    title: plain(edit ? "Edit client" : "Add client"),
    submit: plain(edit ? "Save" : "Add client"),
    close: plain("Cancel"),
    private_metadata: JSON.stringify(options.metadata),
    blocks,
  };
}

export function contactModal(options: {
  metadata: ContactModalMetadata;
  contact?: ContactRecord;
}): ModalView {
  return {
    type: "modal",
    callback_id: CLIENT_CALLBACKS.contact,
    title: plain(options.contact ? "Edit contact" : "Add contact"),
    submit: plain("Save contact"),
    close: plain("Back"),
    private_metadata: JSON.stringify(options.metadata),
    blocks: contactInputs(options.contact),
  };
}

/** The modal's inline errors: each field's message under its input block. */
export function errorsByBlock(errors: FieldErrors<ClientField>): Record<string, string> {
  const byBlock: Record<string, string> = {};
  for (const [field, message] of Object.entries(errors)) {
    const blockId = field.startsWith("contact.")
      ? CONTACT_BLOCKS[field.slice("contact.".length) as ContactField]
      : CLIENT_BLOCKS[field as keyof typeof CLIENT_BLOCKS];
    if (blockId && message) byBlock[blockId] = message;
  }
  return byBlock;
}

export function contactErrorsByBlock(errors: FieldErrors<ContactField>): Record<string, string> {
  return errorsByBlock(
    Object.fromEntries(Object.entries(errors).map(([field, message]) => [`contact.${field}`, message])),
  );
}

function countryInput(country: string | undefined): InputBlock {
  const initial = countryOption(country);
  return {
    type: "input",
    block_id: CLIENT_BLOCKS.country,
    label: plain("Country"),
    element: {
      // Options from countrySuggestions (commands/countries.ts) when the menu opens.
      type: "external_select",
      action_id: CLIENT_BLOCKS.country,
      placeholder: plain("Type to search countries"),
      min_query_length: 0,
      ...(initial ? { initial_option: initial } : {}),
    },
  };
}

function firstContactSection(): KnownBlock[] {
  return [
    { type: "divider" },
    {
      type: "section",
      block_id: "client_first_contact",
      text: {
        type: "mrkdwn",
        text: "*First contact*\nMore contacts can be added later with `/ssl client edit`.",
      },
    },
    ...contactInputs(undefined),
  ];
}

function contactInputs(contact: ContactRecord | undefined): InputBlock[] {
  return [
    textInput(CONTACT_BLOCKS.firstName, "First name", contact?.firstName),
    textInput(CONTACT_BLOCKS.lastName, "Last name", contact?.lastName),
    textInput(CONTACT_BLOCKS.email, "E-mail", contact?.email, { placeholder: "jane@example.com" }),
    textInput(CONTACT_BLOCKS.phone, "Phone", contact?.phone, {
      placeholder: "+44 20 7946 0000",
      hint: "International form, or national in the client's country.",
    }),
    textInput(CONTACT_BLOCKS.title, "Title", contact?.title, { optional: true, placeholder: "IT Manager" }),
  ];
}

function contactsSection(contacts: ContactRecord[], notice: string | undefined): KnownBlock[] {
  const shown = contacts.slice(0, MAX_CONTACT_ROWS);
  const blocks: KnownBlock[] = [
    { type: "divider" },
    {
      type: "section",
      block_id: "client_contacts",
      text: {
        type: "mrkdwn",
        text: "*Contacts*\nChanges to contacts are saved at once; the fields above only when you press Save.",
      },
    },
  ];
  if (notice) blocks.push(context(`:warning: ${notice}`, "client_contacts_notice"));
  blocks.push(...shown.map(contactRow));
  if (contacts.length > shown.length) {
    blocks.push(context(`…and ${contacts.length - shown.length} more contacts.`, "client_contacts_more"));
  }
  blocks.push(addContactActions());
  return blocks;
}

function contactRow(contact: ContactRecord): SectionBlock {
  const name = `${contact.firstName} ${contact.lastName}`;
  const details = [contact.email, contact.phone, contact.title].filter(Boolean).map(escapeMrkdwn).join(" · ");
  const choices: [ContactMenuChoice, string][] = [
    ["edit", "Edit"],
    ...(contact.isDefault ? [] : [["default", "Make default"] as [ContactMenuChoice, string]]),
    ["remove", "Remove"],
  ];
  return {
    type: "section",
    block_id: `client_contact_row_${contact.id}`,
    text: {
      type: "mrkdwn",
      text: `*${escapeMrkdwn(name)}*${contact.isDefault ? " (default)" : ""}\n${details}`,
    },
    accessory: {
      type: "overflow",
      action_id: CONTACT_ACTIONS.menu,
      options: choices.map(([choice, label]) => ({ text: plain(label), value: `${choice}:${contact.id}` })),
    },
  };
}

function addContactActions(): ActionsBlock {
  return {
    type: "actions",
    block_id: "client_contacts_actions",
    elements: [{ type: "button", action_id: CONTACT_ACTIONS.add, text: plain("Add contact"), value: "add" }],
  };
}

function textInput(
  blockId: string,
  label: string,
  initial: string | null | undefined,
  options: { optional?: boolean; max?: number; placeholder?: string; hint?: string } = {},
): InputBlock {
  return {
    type: "input",
    block_id: blockId,
    label: plain(label),
    optional: options.optional ?? false,
    ...(options.hint ? { hint: plain(options.hint) } : {}),
    element: {
      type: "plain_text_input",
      action_id: blockId,
      max_length: options.max ?? LIMITS.text,
      ...(initial ? { initial_value: initial } : {}),
      ...(options.placeholder ? { placeholder: plain(options.placeholder) } : {}),
    },
  };
}
