import { and, asc, count, desc, eq, inArray, ne, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { clients, contacts } from "../db/schema.js";
import type {
  ClientField,
  ClientInput,
  ClientSummary,
  ContactField,
  ContactInput,
  FieldErrors,
} from "../domain/client.js";
import { type Checked, checkCountry, checkEmail, checkPhone } from "./validation.js";

/** Client accounts and their contacts: the records an order's organisation and contact come from. */

export type Client = typeof clients.$inferSelect;
export type Contact = typeof contacts.$inferSelect;

export type Validated<T, F extends string> = { ok: true; value: T } | { ok: false; errors: FieldErrors<F> };

export interface ContactValues {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title: string;
}

export interface ClientValues {
  name: string;
  organisation: string | null;
  street: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string;
  phone: string | null;
  email: string | null;
  expiryDays: number[] | null;
  /** Undefined when the input did not say (a CSV row): the stored ports stay. */
  probePorts?: number[] | null;
  contact?: ContactValues;
}

export type RemoveContactResult = { ok: true } | { ok: false; message: string };

export class ClientNotFoundError extends Error {
  override name = "ClientNotFoundError";
}

export class ContactNotFoundError extends Error {
  override name = "ContactNotFoundError";
}

const MAX_NAME = 100;
/** X.509 caps organizationName at 64 characters, and the organisation goes into the CSR. */
const MAX_ORGANISATION = 64;
const MAX_TEXT = 200;

function duplicateNameMessage(name: string): string {
  return `A client named “${name}” already exists.`;
}

export function validateClientInput(input: ClientInput): Validated<ClientValues, ClientField> {
  const errors: FieldErrors<ClientField> = {};
  const name = collect(errors, "name", checkText(input.name, "a client name", MAX_NAME));
  const organisation = collect(
    errors,
    "organisation",
    checkOptionalText(input.organisation, MAX_ORGANISATION),
  );
  const street = collect(errors, "street", checkOptionalText(input.street, MAX_TEXT));
  const city = collect(errors, "city", checkOptionalText(input.city, MAX_TEXT));
  const state = collect(errors, "state", checkOptionalText(input.state, MAX_TEXT));
  const postalCode = collect(errors, "postalCode", checkOptionalText(input.postalCode, MAX_TEXT));
  const country = collect(errors, "country", checkCountry(input.country ?? ""));
  const phone = collect(
    errors,
    "phone",
    optional(input.phone, (value) => checkPhone(value, country)),
  );
  const email = collect(errors, "email", optional(input.email, checkEmail));
  const expiryDays = collect(errors, "expiryDays", parseExpiryDays(input.expiryDays ?? ""));
  const probePorts = collect(errors, "probePorts", parseProbePorts(input.probePorts ?? ""));
  const contact = input.contact && collectContact(errors, validateContactInput(input.contact, country));
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name: name ?? "",
      organisation: organisation ?? null,
      street: street ?? null,
      city: city ?? null,
      state: state ?? null,
      postalCode: postalCode ?? null,
      country: country ?? "",
      phone: phone ?? null,
      email: email ?? null,
      expiryDays: expiryDays ?? null,
      probePorts: input.probePorts === undefined ? undefined : (probePorts ?? null),
      contact,
    },
  };
}

/** A contact's phone is read in the client's country, so national numbers work as people write them. */
export function validateContactInput(
  input: ContactInput,
  country: string | null | undefined,
): Validated<ContactValues, ContactField> {
  const errors: FieldErrors<ContactField> = {};
  const firstName = collect(errors, "firstName", checkText(input.firstName, "a first name", MAX_TEXT));
  const lastName = collect(errors, "lastName", checkText(input.lastName, "a last name", MAX_TEXT));
  const email = collect(errors, "email", checkEmail(input.email ?? ""));
  const phone = collect(errors, "phone", checkPhone(input.phone ?? "", country ?? undefined));
  const title = collect(errors, "title", checkOptionalText(input.title, MAX_TEXT));
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      firstName: firstName ?? "",
      lastName: lastName ?? "",
      email: email ?? "",
      phone: phone ?? "",
      title: title ?? "",
    },
  };
}

/** "30, 14,7 1" → [30, 14, 7, 1]; empty → null (the global EXPIRY_DAYS apply). */
export function parseExpiryDays(text: string): Checked<number[] | null> {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return { ok: true, value: null };
  if (!parts.every((part) => /^[1-9]\d{0,3}$/.test(part))) {
    return {
      ok: false,
      message:
        'Use whole numbers of days above 0, separated by commas (e.g. "30,14,7,1"), or leave it empty.',
    };
  }
  return { ok: true, value: [...new Set(parts.map(Number))].sort((a, b) => b - a) };
}

/** At most this many ports: each is one more connection per name on every probe. */
const MAX_PROBE_PORTS = 5;

/** "443, 8443" → [443, 8443]; empty → null (443). */
export function parseProbePorts(text: string): Checked<number[] | null> {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return { ok: true, value: null };
  const ports = parts.map((part) => (/^\d{1,5}$/.test(part) ? Number(part) : 0));
  if (!ports.every((port) => port >= 1 && port <= 65_535)) {
    return {
      ok: false,
      message:
        'Use port numbers from 1 to 65535, separated by commas (e.g. "443, 8443"), or leave it empty for 443.',
    };
  }
  const unique = [...new Set(ports)];
  if (unique.length > MAX_PROBE_PORTS) {
    return { ok: false, message: `At most ${MAX_PROBE_PORTS} ports.` };
  }
  return { ok: true, value: unique };
}

export async function createClient(
  db: Database,
  input: ClientInput & { contact: ContactInput },
): Promise<Validated<Client, ClientField>> {
  const checked = validateClientInput(input);
  if (!checked.ok) return checked;
  const { contact, ...values } = checked.value;
  if (!contact) throw new Error("createClient needs a first contact");
  return saveUniquelyNamed(db, values.name, async (tx) => {
    const [client] = await tx.insert(clients).values(values).returning();
    if (!client) throw new Error("insert into clients returned no row");
    await tx.insert(contacts).values({ ...contact, clientId: client.id, isDefault: true });
    return client;
  });
}

/** Updates the client's own fields; contacts are left as they are. */
export async function updateClient(
  db: Database,
  id: number,
  input: ClientInput,
): Promise<Validated<Client, ClientField>> {
  const checked = validateClientInput({ ...input, contact: undefined });
  if (!checked.ok) return checked;
  const { contact: _contactsAreSeparate, ...values } = checked.value;
  return saveUniquelyNamed(
    db,
    values.name,
    async (tx) => {
      const [client] = await tx
        .update(clients)
        .set({ ...values, updatedAt: sql`now()` })
        .where(eq(clients.id, id))
        .returning();
      if (!client) throw new ClientNotFoundError(`No client with id ${id}`);
      return client;
    },
    id,
  );
}

/**
 * The name check runs first for a clear message; the unique index still decides when two people
 * save the same name at once, and its violation gets the same message.
 */
async function saveUniquelyNamed(
  db: Database,
  name: string,
  save: (tx: Database) => Promise<Client>,
  exceptId?: number,
): Promise<Validated<Client, ClientField>> {
  const duplicate = { ok: false as const, errors: { name: duplicateNameMessage(name) } };
  try {
    return await db.transaction(async (tx) => {
      if (await nameTaken(tx, name, exceptId)) return duplicate;
      return { ok: true as const, value: await save(tx) };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return duplicate;
    throw error;
  }
}

async function nameTaken(db: Database, name: string, exceptId?: number): Promise<boolean> {
  const sameName = sameNameAs(name);
  const rows = await db
    .select({ id: clients.id })
    .from(clients)
    .where(exceptId === undefined ? sameName : and(sameName, ne(clients.id, exceptId)))
    .limit(1);
  return rows.length > 0;
}

/** The same expression as the unique index, so the check and the index agree on every alphabet. */
function sameNameAs(name: string): SQL {
  return sql`lower(${clients.name}) = lower(${name})`;
}

function isUniqueViolation(error: unknown): boolean {
  for (let current = error; current instanceof Object; current = (current as { cause?: unknown }).cause) {
    if ((current as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

export async function findClientByName(db: Database, name: string): Promise<Client | undefined> {
  const [client] = await clientByName(db).execute({ name: name.trim() });
  return client;
}

/**
 * `/ssl order Acme …` and `/ssl list Acme` read the client by name on every command: the query is
 * built once per database (drizzle's prepared query) instead of each time, which was most of the
 * read's CPU on the order path (bench/ack-latency --by-kind --cpu-prof). Kept per database object,
 * so each app, test database and transaction has its own.
 */
const CLIENT_BY_NAME = new WeakMap<Database, ClientByName>();

type ClientByName = ReturnType<typeof prepareClientByName>;

function clientByName(db: Database): ClientByName {
  let prepared = CLIENT_BY_NAME.get(db);
  if (!prepared) {
    prepared = prepareClientByName(db);
    CLIENT_BY_NAME.set(db, prepared);
  }
  return prepared;
}

function prepareClientByName(db: Database) {
  return db
    .select()
    .from(clients)
    .where(sql`lower(${clients.name}) = lower(${sql.placeholder("name")})`)
    .limit(1)
    .prepare("client_by_name");
}

export async function getClient(db: Database, id: number): Promise<Client | undefined> {
  const [client] = await db.select().from(clients).where(eq(clients.id, id)).limit(1);
  return client;
}

/** A page of clients by name, each with its default contact and number of contacts. */
export async function listClients(
  db: Database,
  page: { limit: number; offset: number },
): Promise<{ total: number; clients: ClientSummary[] }> {
  const [totals] = await db.select({ total: count() }).from(clients);
  const rows = await db
    .select()
    .from(clients)
    .orderBy(asc(sql`lower(${clients.name})`), asc(clients.id))
    .limit(page.limit)
    .offset(page.offset);
  return { total: totals?.total ?? 0, clients: await withContacts(db, rows) };
}

async function withContacts(db: Database, rows: Client[]): Promise<ClientSummary[]> {
  if (rows.length === 0) return [];
  const all = await db
    .select()
    .from(contacts)
    .where(
      inArray(
        contacts.clientId,
        rows.map((row) => row.id),
      ),
    )
    .orderBy(desc(contacts.isDefault), asc(contacts.id));
  return rows.map((row) => {
    const own = all.filter((contact) => contact.clientId === row.id);
    return { ...row, contactCount: own.length, defaultContact: own[0] ?? null };
  });
}

/** For a select with search: names starting with the query first, then names or organisations containing it. */
export async function searchClients(db: Database, query: string, limit: number): Promise<Client[]> {
  const text = query.trim().toLowerCase();
  const escaped = text.replace(/[\\%_]/g, (char) => `\\${char}`);
  const startsWith = sql`lower(${clients.name}) like ${`${escaped}%`}`;
  const contains = `%${escaped}%`;
  return db
    .select()
    .from(clients)
    .where(
      text
        ? sql`(lower(${clients.name}) like ${contains} or lower(coalesce(${clients.organisation}, '')) like ${contains})`
        : undefined,
    )
    .orderBy(desc(startsWith), asc(sql`lower(${clients.name})`))
    .limit(limit);
}

/** The default contact first, then the others in the order they were added. */
export async function listContacts(db: Database, clientId: number): Promise<Contact[]> {
  return db
    .select()
    .from(contacts)
    .where(eq(contacts.clientId, clientId))
    .orderBy(desc(contacts.isDefault), asc(contacts.id));
}

export async function getContact(db: Database, id: number): Promise<Contact | undefined> {
  const [contact] = await db.select().from(contacts).where(eq(contacts.id, id)).limit(1);
  return contact;
}

/** The client's first contact becomes its default. */
export async function addContact(
  db: Database,
  clientId: number,
  input: ContactInput,
): Promise<Validated<Contact, ContactField>> {
  const client = await getClient(db, clientId);
  if (!client) throw new ClientNotFoundError(`No client with id ${clientId}`);
  const checked = validateContactInput(input, client.country);
  if (!checked.ok) return checked;
  const contact = await db.transaction(async (tx) => {
    await lockClient(tx, clientId);
    const [existing] = await tx
      .select({ total: count() })
      .from(contacts)
      .where(eq(contacts.clientId, clientId));
    const [row] = await tx
      .insert(contacts)
      .values({ ...checked.value, clientId, isDefault: (existing?.total ?? 0) === 0 })
      .returning();
    return row;
  });
  if (!contact) throw new Error("insert into contacts returned no row");
  return { ok: true, value: contact };
}

export async function updateContact(
  db: Database,
  contactId: number,
  input: ContactInput,
): Promise<Validated<Contact, ContactField>> {
  const current = await getContact(db, contactId);
  if (!current) throw new ContactNotFoundError(`No contact with id ${contactId}`);
  const client = await getClient(db, current.clientId);
  const checked = validateContactInput(input, client?.country);
  if (!checked.ok) return checked;
  const [contact] = await db
    .update(contacts)
    .set(checked.value)
    .where(eq(contacts.id, contactId))
    .returning();
  if (!contact) throw new ContactNotFoundError(`No contact with id ${contactId}`);
  return { ok: true, value: contact };
}

/** Every client keeps at least one contact (orders need one); the next contact inherits the default. */
export async function removeContact(db: Database, contactId: number): Promise<RemoveContactResult> {
  return db.transaction(async (tx) => {
    const contact = await getContact(tx, contactId);
    if (!contact) throw new ContactNotFoundError(`No contact with id ${contactId}`);
    await lockClient(tx, contact.clientId);
    const others = (await listContacts(tx, contact.clientId)).filter((other) => other.id !== contactId);
    const successor = others[0];
    if (!successor) {
      return {
        ok: false as const,
        message: `${contact.firstName} ${contact.lastName} is this client's only contact: add another contact first, then remove this one.`,
      };
    }
    await tx.delete(contacts).where(eq(contacts.id, contactId));
    if (contact.isDefault)
      await tx.update(contacts).set({ isDefault: true }).where(eq(contacts.id, successor.id));
    return { ok: true as const };
  });
}

export async function setDefaultContact(db: Database, contactId: number): Promise<void> {
  await db.transaction(async (tx) => {
    const contact = await getContact(tx, contactId);
    if (!contact) throw new ContactNotFoundError(`No contact with id ${contactId}`);
    await lockClient(tx, contact.clientId);
    await tx.update(contacts).set({ isDefault: false }).where(eq(contacts.clientId, contact.clientId));
    await tx.update(contacts).set({ isDefault: true }).where(eq(contacts.id, contactId));
  });
}

/** Serialises contact changes per client, so two removals at once cannot leave it with none. */
async function lockClient(tx: Database, clientId: number): Promise<void> {
  await tx.select({ id: clients.id }).from(clients).where(eq(clients.id, clientId)).for("update");
}

function collectContact(
  errors: FieldErrors<ClientField>,
  checked: Validated<ContactValues, ContactField>,
): ContactValues | undefined {
  if (checked.ok) return checked.value;
  for (const [field, message] of Object.entries(checked.errors)) {
    errors[`contact.${field as ContactField}`] = message;
  }
  return undefined;
}

function checkText(value: string | undefined, what: string, max: number): Checked<string> {
  const text = (value ?? "").trim();
  if (!text) return { ok: false, message: `Enter ${what}.` };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: line breaks and tabs are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(text)) return { ok: false, message: "Keep it to one line of text." };
  // Half of a surrogate pair is no character at all, and PostgreSQL refuses it in JSON columns.
  if (/\p{Cs}/u.test(text)) return { ok: false, message: "Part of this text is not a valid character." };
  if (text.length > max)
    return { ok: false, message: `Keep it to ${max} characters (this is ${text.length}).` };
  return { ok: true, value: text };
}

/** X.509's upper bounds: organizationalUnitName 64, stateOrProvinceName 128 (RFC 5280). */
const MAX_UNIT = 64;
const MAX_STATE = 128;

/**
 * The organisation fields of an order as typed for this order (they go into the CSR): one line
 * each, within X.509's lengths. The errors by field; empty when all are fine.
 */
export function checkOrganisationFields(fields: {
  organisation?: string;
  unit?: string;
  state?: string;
}): Partial<Record<"organisation" | "unit" | "state", string>> {
  const errors: Partial<Record<"organisation" | "unit" | "state", string>> = {};
  const limits = { organisation: MAX_ORGANISATION, unit: MAX_UNIT, state: MAX_STATE } as const;
  for (const field of ["organisation", "unit", "state"] as const) {
    const checked = checkOptionalText(fields[field], limits[field]);
    if (!checked.ok) errors[field] = checked.message;
  }
  return errors;
}

function checkOptionalText(value: string | undefined, max: number): Checked<string | undefined> {
  const text = (value ?? "").trim();
  if (!text) return { ok: true, value: undefined };
  return checkText(text, "", max);
}

function optional<T>(value: string | undefined, check: (text: string) => Checked<T>): Checked<T | undefined> {
  return value?.trim() ? check(value) : { ok: true, value: undefined };
}

function collect<F extends string, T>(errors: FieldErrors<F>, field: F, checked: Checked<T>): T | undefined {
  if (checked.ok) return checked.value;
  errors[field] = checked.message;
  return undefined;
}
