import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ClientInput, ContactInput } from "../../src/domain/client.js";
import {
  addContact,
  createClient,
  findClientByName,
  getClient,
  listClients,
  listContacts,
  parseExpiryDays,
  removeContact,
  searchClients,
  setDefaultContact,
  updateClient,
  updateContact,
  validateClientInput,
} from "../../src/orders/clients.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});
beforeEach(async () => {
  await database.truncateAll();
});

const jane: ContactInput = {
  firstName: "Jane",
  lastName: "Doe",
  email: "jane@acme.example",
  phone: "020 7946 0001",
  title: "CTO",
};

function acme(overrides: Partial<ClientInput> = {}): ClientInput & { contact: ContactInput } {
  return {
    name: "Acme Ltd",
    organisation: "Acme Limited",
    street: "1 High Street",
    city: "London",
    state: "",
    postalCode: "EC1A 1BB",
    country: "gb",
    phone: "+44 20 7946 0000",
    email: "admin@acme.example",
    expiryDays: "",
    contact: jane,
    ...overrides,
  };
}

async function createAcme(overrides: Partial<ClientInput> = {}) {
  const saved = await createClient(database.db, acme(overrides));
  if (!saved.ok) throw new Error(`fixture invalid: ${JSON.stringify(saved.errors)}`);
  return saved.value;
}

describe("validateClientInput", () => {
  it("normalises what people type: trimmed text, upper-case country, international phones", () => {
    const checked = validateClientInput(acme({ name: "  Acme Ltd ", state: "  " }));
    expect(checked).toMatchObject({
      ok: true,
      value: {
        name: "Acme Ltd",
        state: null,
        country: "GB",
        phone: "+44 20 7946 0000",
        expiryDays: null,
        contact: { phone: "+44 20 7946 0001", title: "CTO" },
      },
    });
  });

  it("reads a national phone number in the client's country", () => {
    const checked = validateClientInput(acme({ country: "US", phone: "(415) 555-2671", contact: undefined }));
    expect(checked).toMatchObject({ ok: true, value: { phone: "+1 415 555 2671" } });
  });

  it("reports every bad field at once, keyed by field", () => {
    const checked = validateClientInput(
      acme({
        name: " ",
        country: "XX",
        phone: "12",
        email: "not-an-email",
        expiryDays: "30,soon",
        contact: { ...jane, email: "", phone: "" },
      }),
    );
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(Object.keys(checked.errors).sort()).toEqual(
      ["contact.email", "contact.phone", "country", "email", "expiryDays", "name", "phone"].sort(),
    );
    expect(checked.errors.name).toBe("Enter a client name.");
    expect(checked.errors.country).toContain("ISO-3166");
    expect(checked.errors.email).toContain("is not an e-mail address");
  });

  it("requires a country", () => {
    const checked = validateClientInput(acme({ country: "" }));
    expect(checked).toMatchObject({
      ok: false,
      errors: { country: expect.stringContaining("Choose a country") },
    });
  });

  it("keeps the organisation within the 64 characters a certificate allows", () => {
    const checked = validateClientInput(acme({ organisation: "x".repeat(65) }));
    expect(checked).toMatchObject({ ok: false, errors: { organisation: expect.stringContaining("64") } });
  });

  it("refuses line breaks in one-line fields", () => {
    const checked = validateClientInput(acme({ name: "Acme\nLtd" }));
    expect(checked).toMatchObject({ ok: false, errors: { name: "Keep it to one line of text." } });
  });
});

describe("parseExpiryDays", () => {
  it.each([
    ["", null],
    ["30,14,7,1", [30, 14, 7, 1]],
    ["7, 30 ;14,7", [30, 14, 7]],
  ])("reads %j as %j", (text, days) => {
    expect(parseExpiryDays(text)).toEqual({ ok: true, value: days });
  });

  it.each(["0", "-1", "1.5", "soon", "10000"])("refuses %j", (text) => {
    expect(parseExpiryDays(text).ok).toBe(false);
  });
});

describe("clients", () => {
  it("creates a client with its first contact as the default and stores expiry days", async () => {
    const client = await createAcme({ expiryDays: "7,30" });
    expect(client).toMatchObject({ name: "Acme Ltd", country: "GB", expiryDays: [30, 7] });
    const contacts = await listContacts(database.db, client.id);
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ firstName: "Jane", isDefault: true, phone: "+44 20 7946 0001" });
  });

  it("refuses a second client with the same name in any case", async () => {
    await createAcme();
    const again = await createClient(database.db, acme({ name: "ACME LTD " }));
    expect(again).toEqual({ ok: false, errors: { name: "A client named “ACME LTD” already exists." } });
    expect((await listClients(database.db, { limit: 10, offset: 0 })).total).toBe(1);
  });

  it("updates a client, refusing another client's name but allowing its own in a new case", async () => {
    const client = await createAcme();
    await createAcme({ name: "Globex" });
    const renamed = await updateClient(database.db, client.id, acme({ name: "Globex" }));
    expect(renamed).toMatchObject({
      ok: false,
      errors: { name: expect.stringContaining("“Globex” already exists") },
    });
    const recased = await updateClient(database.db, client.id, acme({ name: "ACME Ltd", expiryDays: "14" }));
    expect(recased).toMatchObject({ ok: true, value: { name: "ACME Ltd", expiryDays: [14] } });
    const cleared = await updateClient(database.db, client.id, acme({ name: "ACME Ltd", expiryDays: "" }));
    expect(cleared).toMatchObject({ ok: true, value: { expiryDays: null } });
  });

  it("finds clients by name, trimmed and in any case", async () => {
    const client = await createAcme();
    expect((await findClientByName(database.db, "  acme LTD "))?.id).toBe(client.id);
    expect(await findClientByName(database.db, "acme")).toBeUndefined();
    expect((await getClient(database.db, client.id))?.name).toBe("Acme Ltd");
  });

  it("searches names by prefix first, then by substring of name or organisation", async () => {
    await createAcme({ name: "Roadrunner Acme", organisation: "" });
    await createAcme({ name: "Acme Ltd" });
    await createAcme({ name: "Globex", organisation: "Acme Holdings" });
    await createAcme({ name: "Initech", organisation: "" });
    const names = (await searchClients(database.db, "ACME", 10)).map((client) => client.name);
    expect(names).toEqual(["Acme Ltd", "Globex", "Roadrunner Acme"]);
    expect(await searchClients(database.db, "100%", 10)).toEqual([]);
    expect(await searchClients(database.db, "", 2)).toHaveLength(2);
  });

  it("lists a page of clients by name with the default contact and the number of contacts", async () => {
    for (const name of ["Delta", "alpha", "Charlie", "Bravo"]) await createAcme({ name });
    const alpha = await findClientByName(database.db, "alpha");
    if (!alpha) throw new Error("alpha missing");
    await addContact(database.db, alpha.id, { ...jane, firstName: "John", email: "john@acme.example" });
    const page = await listClients(database.db, { limit: 2, offset: 0 });
    expect(page.total).toBe(4);
    expect(page.clients.map((client) => client.name)).toEqual(["alpha", "Bravo"]);
    expect(page.clients[0]).toMatchObject({ contactCount: 2, defaultContact: { firstName: "Jane" } });
    const next = await listClients(database.db, { limit: 2, offset: 2 });
    expect(next.clients.map((client) => client.name)).toEqual(["Charlie", "Delta"]);
  });
});

describe("contacts", () => {
  it("adds, updates and lists contacts with the default first", async () => {
    const client = await createAcme();
    const added = await addContact(database.db, client.id, {
      firstName: "John",
      lastName: "Roe",
      email: "john@acme.example",
      phone: "07911 123456",
    });
    expect(added).toMatchObject({
      ok: true,
      value: { isDefault: false, phone: "+44 7911 123456", title: "" },
    });
    if (!added.ok) return;
    const bad = await updateContact(database.db, added.value.id, { ...jane, email: "nope" });
    expect(bad).toMatchObject({ ok: false, errors: { email: expect.stringContaining("not an e-mail") } });
    await updateContact(database.db, added.value.id, {
      ...jane,
      firstName: "Johnny",
      email: "johnny@acme.example",
    });
    await setDefaultContact(database.db, added.value.id);
    const contacts = await listContacts(database.db, client.id);
    expect(contacts.map((contact) => [contact.firstName, contact.isDefault])).toEqual([
      ["Johnny", true],
      ["Jane", false],
    ]);
  });

  it("never removes the last contact, and hands the default on when the default is removed", async () => {
    const client = await createAcme();
    const [first] = await listContacts(database.db, client.id);
    if (!first) throw new Error("no contact");
    expect(await removeContact(database.db, first.id)).toEqual({
      ok: false,
      message: "Jane Doe is this client's only contact: add another contact first, then remove this one.",
    });
    await addContact(database.db, client.id, { ...jane, firstName: "John", email: "john@acme.example" });
    await addContact(database.db, client.id, { ...jane, firstName: "Jim", email: "jim@acme.example" });
    expect(await removeContact(database.db, first.id)).toEqual({ ok: true });
    const contacts = await listContacts(database.db, client.id);
    expect(contacts.map((contact) => [contact.firstName, contact.isDefault])).toEqual([
      ["John", true],
      ["Jim", false],
    ]);
  });
});
