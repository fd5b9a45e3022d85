import type { ActionsBlock, KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import type { ClientSummary, ContactRecord } from "../../src/domain/client.js";
import { CLIENT_LIST_ACTIONS, CLIENTS_PAGE_SIZE, clientsListMessage } from "../../src/views/clients-list.js";
import { blockById, buttonsOf, expectValidBlockKit } from "../support/block-kit.js";
import { HOSTILE, HOSTILE_ESCAPED, textOf } from "./fixtures.js";

const jane: ContactRecord = {
  id: 1,
  clientId: 1,
  firstName: "Jane",
  lastName: "Doe",
  email: "jane@acme.example",
  phone: "+44 20 7946 0001",
  title: "CTO",
  isDefault: true,
};

function summary(id: number, overrides: Partial<ClientSummary> = {}): ClientSummary {
  return {
    id,
    name: `Client ${id}`,
    organisation: `Client ${id} Limited`,
    street: null,
    city: "London",
    state: null,
    postalCode: null,
    country: "GB",
    phone: null,
    email: null,
    expiryDays: null,
    contactCount: 2,
    defaultContact: { ...jane, clientId: id },
    ...overrides,
  };
}

function page(total: number, offset: number) {
  const count = Math.max(0, Math.min(CLIENTS_PAGE_SIZE, total - offset));
  return {
    clients: Array.from({ length: count }, (_, index) => summary(offset + index + 1)),
    total,
    offset,
    pageSize: CLIENTS_PAGE_SIZE,
  };
}

const pagerOf = (blocks: KnownBlock[]) => blocks.find((block) => block.block_id === "client_list_pages");

describe("clients list", () => {
  it("says how to add or import clients when there are none", () => {
    const message = clientsListMessage(page(0, 0));
    expectValidBlockKit("message", message);
    expect(message.blocks).toHaveLength(1);
    expect(message.text).toContain("There are no clients yet. Add one with `/ssl client add`");
    expect(message.text).toContain("npm run import-clients -- clients.csv");
    expect(buttonsOf(message)).toEqual([]);
  });

  it("shows one row per client: name, organisation, country, default contact and an Edit button", () => {
    const message = clientsListMessage(page(3, 0));
    expectValidBlockKit("message", message);
    expect(textOf(blockById(message.blocks, "client_list_heading"))).toBe("*Clients 1–3 of 3*");
    expect(textOf(blockById(message.blocks, "client_list_row_2"))).toBe(
      "*Client 2* · Client 2 Limited · United Kingdom (GB)\nDefault contact: Jane Doe &lt;jane@acme.example&gt; · 2 contacts",
    );
    expect(buttonsOf(message)).toEqual(
      [1, 2, 3].map((id) =>
        expect.objectContaining({ actionId: CLIENT_LIST_ACTIONS.edit, value: String(id) }),
      ),
    );
    expect(message.text).toBe("Clients 1–3 of 3: Client 1, Client 2, Client 3");
    expect(pagerOf(message.blocks)).toBeUndefined();
    expect(textOf(blockById(message.blocks, "client_list_footer"))).toContain("/ssl client edit <name>");
  });

  it("says when a client has no country, organisation or contact", () => {
    const message = clientsListMessage({
      clients: [summary(1, { country: null, organisation: null, defaultContact: null, contactCount: 0 })],
      total: 1,
      offset: 0,
      pageSize: CLIENTS_PAGE_SIZE,
    });
    expect(textOf(blockById(message.blocks, "client_list_row_1"))).toBe(
      "*Client 1* · no country\nNo contact · 0 contacts",
    );
  });

  it("counts one contact in the singular", () => {
    const message = clientsListMessage({ ...page(1, 0), clients: [summary(1, { contactCount: 1 })] });
    expect(textOf(blockById(message.blocks, "client_list_row_1"))).toMatch(/· 1 contact$/);
  });

  it("pages: Next on the first page, both in the middle, Previous on the last", () => {
    const ofPager = (offset: number) =>
      (
        (pagerOf(clientsListMessage(page(45, offset)).blocks) as ActionsBlock | undefined)?.elements ?? []
      ).map((button) => [button.action_id, "value" in button ? button.value : undefined]);
    expect(ofPager(0)).toEqual([[CLIENT_LIST_ACTIONS.next, "20"]]);
    expect(ofPager(20)).toEqual([
      [CLIENT_LIST_ACTIONS.previous, "0"],
      [CLIENT_LIST_ACTIONS.next, "40"],
    ]);
    expect(ofPager(40)).toEqual([[CLIENT_LIST_ACTIONS.previous, "20"]]);
    expect(textOf(clientsListMessage(page(45, 40)).blocks[0])).toBe("*Clients 41–45 of 45*");
  });

  it("fits a full page of 500 clients into one message", () => {
    for (const offset of [0, 240, 480]) {
      const message = clientsListMessage(page(500, offset));
      expectValidBlockKit("message", message);
      expect(message.blocks.length).toBeLessThanOrEqual(50);
    }
  });

  it("escapes hostile names in the rows and in the fallback text", () => {
    const message = clientsListMessage({
      ...page(1, 0),
      clients: [summary(1, { name: HOSTILE, organisation: "R&D <Ops>" })],
    });
    expectValidBlockKit("message", message);
    const row = textOf(blockById(message.blocks, "client_list_row_1"));
    expect(row).toContain(`*${HOSTILE_ESCAPED}* · R&amp;D &lt;Ops&gt;`);
    expect(message.text).toContain(HOSTILE_ESCAPED);
    expect(JSON.stringify(message)).not.toContain("<!channel>");
  });

  it("stays valid with names as long as validation allows, on a full page", () => {
    const clients = Array.from({ length: CLIENTS_PAGE_SIZE }, (_, index) =>
      summary(index + 1, {
        name: "n".repeat(100),
        organisation: "o".repeat(64),
        defaultContact: {
          ...jane,
          firstName: "f".repeat(200),
          lastName: "l".repeat(200),
          email: `${"e".repeat(64)}@${"d".repeat(60)}.example.com`,
        },
      }),
    );
    expectValidBlockKit("message", clientsListMessage({ clients, total: 100, offset: 0, pageSize: 20 }));
  });
});

describe("clients list, escape-heavy names", () => {
  // Validation allows a 100-character name, 64-character organisation and 200-character contact
  // names; made of "&" they grow fivefold when escaped (3025 characters unclipped).
  it("a row of escape-heavy names that validation allows stays within 3000 characters", () => {
    const message = clientsListMessage({
      ...page(1, 0),
      clients: [
        summary(1, {
          name: "&".repeat(100),
          organisation: "&".repeat(64),
          defaultContact: {
            ...jane,
            firstName: "&".repeat(200),
            lastName: "&".repeat(200),
            email: `${"e".repeat(64)}@${"d".repeat(60)}.example.com`,
          },
        }),
      ],
    });
    expectValidBlockKit("message", message);
  });
});
