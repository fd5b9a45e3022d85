import type { AnyBlock, ExternalSelect, InputBlock, ModalView, Overflow, PlainTextInput } from "@slack/types";
import { describe, expect, it } from "vitest";
import type { ClientRecord, ContactRecord } from "../../src/domain/client.js";
import {
  CLIENT_BLOCKS,
  CLIENT_CALLBACKS,
  CONTACT_ACTIONS,
  CONTACT_BLOCKS,
  clientModal,
  contactErrorsByBlock,
  contactModal,
  errorsByBlock,
} from "../../src/views/client-modal.js";
import { blockById, buttonsOf, expectValidBlockKit } from "../support/block-kit.js";
import { HOSTILE, HOSTILE_ESCAPED, textOf } from "./fixtures.js";

const client: ClientRecord = {
  id: 7,
  name: "Acme Ltd",
  organisation: "Acme Limited",
  street: "1 High Street",
  city: "London",
  state: "Greater London",
  postalCode: "EC1A 1AA",
  country: "GB",
  phone: "+44 20 7946 0000",
  email: "admin@acme.example",
  expiryDays: [60, 30, 7],
};

function contact(id: number, overrides: Partial<ContactRecord> = {}): ContactRecord {
  return {
    id,
    clientId: 7,
    firstName: `Jane${id}`,
    lastName: "Doe",
    email: `jane${id}@acme.example`,
    phone: "+44 20 7946 0001",
    title: "CTO",
    isDefault: id === 1,
    ...overrides,
  };
}

const metadata = { channelId: "C0OPS", clientId: 7 };

function editModal(contacts: ContactRecord[], notice?: string, record: ClientRecord = client): ModalView {
  return clientModal({
    metadata,
    defaultExpiryDays: [30, 14, 7, 1],
    edit: { client: record, contacts, ...(notice ? { notice } : {}) },
  });
}

const inputElement = (blocks: AnyBlock[], blockId: string) =>
  (blockById(blocks, blockId) as InputBlock).element as PlainTextInput;

describe("client modal, add mode", () => {
  const view = clientModal({ metadata: { channelId: "C0OPS" }, defaultExpiryDays: [30, 14, 7, 1] });

  it("is a valid modal that adds a client with its first contact", () => {
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(CLIENT_CALLBACKS.add);
    expect(view.title.text).toBe("Add client");
    expect(view.submit?.text).toBe("Add client");
    expect(JSON.parse(view.private_metadata ?? "")).toEqual({ channelId: "C0OPS" });
    const ids = view.blocks.map((block) => block.block_id);
    expect(ids).toEqual(expect.arrayContaining([...Object.values(CLIENT_BLOCKS), "client_first_contact"]));
    expect(ids).toEqual(expect.arrayContaining(Object.values(CONTACT_BLOCKS)));
    expect(ids).not.toContain("client_contacts");
  });

  it("uses each input's block_id as its action_id, with empty fields and helpful hints", () => {
    for (const blockId of Object.values(CLIENT_BLOCKS)) {
      const block = blockById(view.blocks, blockId) as InputBlock;
      expect(block.element.action_id).toBe(blockId);
      expect(block.element).not.toHaveProperty("initial_value");
    }
    expect(inputElement(view.blocks, CLIENT_BLOCKS.name).max_length).toBe(100);
    expect(inputElement(view.blocks, CLIENT_BLOCKS.organisation).max_length).toBe(64);
    const expiry = blockById(view.blocks, CLIENT_BLOCKS.expiryDays) as InputBlock;
    expect(expiry.hint?.text).toContain("Empty = the default (30,14,7,1)");
    expect((expiry.element as PlainTextInput).placeholder?.text).toBe("30,14,7,1");
    expect((blockById(view.blocks, CLIENT_BLOCKS.name) as InputBlock).optional).toBe(false);
    expect((blockById(view.blocks, CLIENT_BLOCKS.street) as InputBlock).optional).toBe(true);
    expect((blockById(view.blocks, CONTACT_BLOCKS.title) as InputBlock).optional).toBe(true);
  });

  it("asks for the country with a menu loaded on open (no 250 options in the view), none chosen yet", () => {
    const select = (blockById(view.blocks, CLIENT_BLOCKS.country) as InputBlock).element as ExternalSelect;
    expect(select).toMatchObject({
      type: "external_select",
      action_id: "client_country",
      min_query_length: 0,
    });
    expect(select).not.toHaveProperty("option_groups");
    expect(select).not.toHaveProperty("initial_option");
  });
});

describe("client modal, edit mode", () => {
  it("fills in the stored client, its country and its own alert days", () => {
    const view = editModal([contact(1), contact(2)]);
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(CLIENT_CALLBACKS.edit);
    expect(view.title.text).toBe("Edit client");
    expect(view.submit?.text).toBe("Save");
    expect(inputElement(view.blocks, CLIENT_BLOCKS.name).initial_value).toBe("Acme Ltd");
    expect(inputElement(view.blocks, CLIENT_BLOCKS.postalCode).initial_value).toBe("EC1A 1AA");
    expect(inputElement(view.blocks, CLIENT_BLOCKS.expiryDays).initial_value).toBe("60,30,7");
    const country = (blockById(view.blocks, CLIENT_BLOCKS.country) as InputBlock).element as ExternalSelect;
    expect(country.initial_option?.value).toBe("GB");
  });

  it("lists contacts with a menu; the default one cannot be made default again", () => {
    const view = editModal([contact(1), contact(2, { title: "" })]);
    const first = blockById(view.blocks, "client_contact_row_1");
    const second = blockById(view.blocks, "client_contact_row_2");
    expect(textOf(first)).toBe("*Jane1 Doe* (default)\njane1@acme.example · +44 20 7946 0001 · CTO");
    expect(textOf(second)).toBe("*Jane2 Doe*\njane2@acme.example · +44 20 7946 0001");
    const menu = (block: AnyBlock) =>
      ((block as { accessory: Overflow }).accessory.options ?? []).map((option) => option.value);
    expect(menu(first)).toEqual(["edit:1", "remove:1"]);
    expect(menu(second)).toEqual(["edit:2", "default:2", "remove:2"]);
    expect((first as { accessory: Overflow }).accessory.action_id).toBe(CONTACT_ACTIONS.menu);
    expect(buttonsOf(view)).toEqual([
      expect.objectContaining({ actionId: CONTACT_ACTIONS.add, text: "Add contact" }),
    ]);
    expect(view.blocks.map((block) => block.block_id)).not.toContain(CONTACT_BLOCKS.firstName);
  });

  it("shows a notice above the contacts when there is one", () => {
    expect(editModal([contact(1)]).blocks.map((block) => block.block_id)).not.toContain(
      "client_contacts_notice",
    );
    const withNotice = editModal([contact(1)], "The default contact cannot be removed.");
    expect(textOf(blockById(withNotice.blocks, "client_contacts_notice"))).toBe(
      ":warning: The default contact cannot be removed.",
    );
  });

  it("escapes hostile contact details in the rows", () => {
    const edit = editModal([contact(1, { firstName: HOSTILE, lastName: "<b>", title: "R&D" })]);
    expectValidBlockKit("modal", edit);
    const row = textOf(blockById(edit.blocks, "client_contact_row_1"));
    expect(row).toContain(`*${HOSTILE_ESCAPED} &lt;b&gt;*`);
    expect(row).toContain("R&amp;D");
    expect(row).not.toContain("<!channel>");
  });

  it("shows 70 of 150 contacts and says how many more, within 100 blocks", () => {
    const contacts = Array.from({ length: 150 }, (_, index) => contact(index + 1));
    const edit = editModal(contacts, "Something to say");
    expectValidBlockKit("modal", edit);
    expect(edit.blocks.filter((block) => block.block_id?.startsWith("client_contact_row_"))).toHaveLength(70);
    expect(textOf(blockById(edit.blocks, "client_contacts_more"))).toBe("…and 80 more contacts.");
  });

  it("stays valid when every field is as long as validation allows and full of characters to escape", () => {
    const longest: ClientRecord = {
      ...client,
      name: "&".repeat(100),
      organisation: "<".repeat(64),
      street: ">".repeat(200),
      city: "&".repeat(200),
      state: "*".repeat(200),
      postalCode: "_".repeat(200),
      expiryDays: Array.from({ length: 40 }, (_, index) => 1000 - index),
    };
    const contacts = Array.from({ length: 70 }, (_, index) =>
      contact(index + 1, { firstName: "&".repeat(200), lastName: "<".repeat(200), title: ">".repeat(200) }),
    );
    expectValidBlockKit("modal", editModal(contacts, "n".repeat(5000), longest));
  });
});

describe("contact modal", () => {
  const contactMetadata = { channelId: "C0OPS", clientId: 7, parentViewId: "V0PARENT" };

  it("adds a contact with empty fields, going back to the client modal on close", () => {
    const view = contactModal({ metadata: contactMetadata });
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(CLIENT_CALLBACKS.contact);
    expect(view.title.text).toBe("Add contact");
    expect(view.submit?.text).toBe("Save contact");
    expect(view.close?.text).toBe("Back");
    expect(JSON.parse(view.private_metadata ?? "")).toEqual(contactMetadata);
    expect(view.blocks.map((block) => block.block_id)).toEqual(Object.values(CONTACT_BLOCKS));
  });

  it("edits a contact with its details filled in", () => {
    const view = contactModal({ metadata: { ...contactMetadata, contactId: 2 }, contact: contact(2) });
    expectValidBlockKit("modal", view);
    expect(view.title.text).toBe("Edit contact");
    expect(inputElement(view.blocks, CONTACT_BLOCKS.firstName).initial_value).toBe("Jane2");
    expect(inputElement(view.blocks, CONTACT_BLOCKS.email).initial_value).toBe("jane2@acme.example");
    expect(inputElement(view.blocks, CONTACT_BLOCKS.title).initial_value).toBe("CTO");
  });
});

describe("inline errors", () => {
  it("puts each client and contact error under its input's block", () => {
    expect(errorsByBlock({ name: "Enter a client name.", "contact.email": "Not an e-mail." })).toEqual({
      [CLIENT_BLOCKS.name]: "Enter a client name.",
      [CONTACT_BLOCKS.email]: "Not an e-mail.",
    });
    expect(contactErrorsByBlock({ phone: "Not a phone number.", firstName: "" })).toEqual({
      [CONTACT_BLOCKS.phone]: "Not a phone number.",
    });
    expect(errorsByBlock({})).toEqual({});
  });
});
