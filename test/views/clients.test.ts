import { describe, expect, it } from "vitest";
import type { ClientSummary } from "../../src/domain/client.js";
import type { Client, Contact } from "../../src/orders/clients.js";
import { clientModal, contactModal, errorsByBlock } from "../../src/views/client-modal.js";
import { CLIENTS_PAGE_SIZE, clientsListMessage } from "../../src/views/clients-list.js";

const now = new Date("2026-11-27T10:00:00Z");
const client: Client = {
  id: 7,
  name: "Acme <Ltd> & Co",
  organisation: "Acme Limited",
  street: null,
  city: null,
  state: null,
  postalCode: null,
  country: "GB",
  phone: null,
  email: null,
  expiryDays: null,
  probePorts: null,
  createdAt: now,
  updatedAt: now,
};

function contact(id: number): Contact {
  return {
    id,
    clientId: 7,
    firstName: `First${id}`,
    lastName: "Last",
    email: `c${id}@acme.example`,
    phone: "+44 20 7946 0001",
    title: "",
    isDefault: id === 1,
    createdAt: now,
  };
}

describe("client modal", () => {
  it("stays within Slack's modal limits even for a client with very many contacts", () => {
    const contacts = Array.from({ length: 150 }, (_, index) => contact(index + 1));
    const view = clientModal({
      metadata: { channelId: "C0OPS", clientId: 7 },
      defaultExpiryDays: [30, 14, 7, 1],
      edit: { client, contacts, notice: "Something to say" },
    });
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(JSON.stringify(view).length).toBeLessThan(250_000);
    expect((view.private_metadata ?? "").length).toBeLessThanOrEqual(3000);
    const more = view.blocks.find((block) => block.block_id === "client_contacts_more");
    expect(JSON.stringify(more)).toContain("…and 80 more contacts.");
  });

  it("keeps every title, submit and close label within 24 characters", () => {
    const views = [
      clientModal({ metadata: { channelId: "C1" }, defaultExpiryDays: [30] }),
      clientModal({
        metadata: { channelId: "C1", clientId: 7 },
        defaultExpiryDays: [30],
        edit: { client, contacts: [] },
      }),
      contactModal({ metadata: { channelId: "C1", clientId: 7, parentViewId: "V1" } }),
      contactModal({ metadata: { channelId: "C1", clientId: 7, parentViewId: "V1" }, contact: contact(1) }),
    ];
    for (const view of views) {
      for (const label of [view.title, view.submit, view.close])
        expect(label?.text.length).toBeLessThanOrEqual(24);
    }
  });

  it("maps field errors to the block ids of their inputs", () => {
    expect(errorsByBlock({ postalCode: "a", "contact.firstName": "b", expiryDays: "c" })).toEqual({
      client_postal_code: "a",
      client_contact_first_name: "b",
      client_expiry_days: "c",
    });
  });
});

describe("clients list", () => {
  it("escapes names and fits a full page into 50 blocks", () => {
    const summary: ClientSummary = { ...client, contactCount: 2, defaultContact: contact(1) };
    const clients = Array.from({ length: CLIENTS_PAGE_SIZE }, (_, index) => ({ ...summary, id: index + 1 }));
    const message = clientsListMessage({ clients, total: 100, offset: 20, pageSize: CLIENTS_PAGE_SIZE });
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(message.blocks)).toContain("*Acme &lt;Ltd&gt; &amp; Co*");
    const pager = message.blocks.find((block) => block.block_id === "client_list_pages");
    expect(pager).toMatchObject({
      elements: [
        { action_id: "client_list_previous", value: "0" },
        { action_id: "client_list_next", value: "40" },
      ],
    });
  });
});
