import { type CsvError, parse } from "csv-parse/sync";
import type { Database } from "../db/client.js";
import type { ClientField, ClientInput, ContactInput, FieldErrors } from "../domain/client.js";
import {
  addContact,
  createClient,
  findClientByName,
  listContacts,
  updateClient,
  updateContact,
  validateClientInput,
} from "./clients.js";

/**
 * Client accounts from a CSV file. Each row is a client and one of its contacts; a row whose client
 * exists (same name, any case) updates it, and updates the contact with that e-mail or adds it.
 * Every row stands alone: a bad one is reported by its line number and the others still go in.
 */

export const CSV_COLUMNS = [
  "name",
  "organisation",
  "street",
  "city",
  "state",
  "postal_code",
  "country",
  "phone",
  "email",
  "contact_first_name",
  "contact_last_name",
  "contact_email",
  "contact_phone",
  "contact_title",
  "expiry_days",
] as const;
type Column = (typeof CSV_COLUMNS)[number];

const REQUIRED_COLUMNS: Column[] = [
  "name",
  "country",
  "contact_first_name",
  "contact_last_name",
  "contact_email",
  "contact_phone",
];

/** The probe's TLS ports are set in the client form only: a CSV row leaves them as they are. */
const FIELD_COLUMNS: Record<Exclude<ClientField, "probePorts">, Column> = {
  name: "name",
  organisation: "organisation",
  street: "street",
  city: "city",
  state: "state",
  postalCode: "postal_code",
  country: "country",
  phone: "phone",
  email: "email",
  expiryDays: "expiry_days",
  "contact.firstName": "contact_first_name",
  "contact.lastName": "contact_last_name",
  "contact.email": "contact_email",
  "contact.phone": "contact_phone",
  "contact.title": "contact_title",
};

export interface ImportError {
  /** 1-based line in the file where the row starts (the header is line 1). */
  line: number;
  message: string;
}

export interface ImportResult {
  imported: number;
  updated: number;
  errors: ImportError[];
}

interface Row {
  line: number;
  fields: string[];
}

export async function importClients(db: Database, csv: string | Buffer): Promise<ImportResult> {
  const result: ImportResult = { imported: 0, updated: 0, errors: [] };
  const { rows, errors } = readRows(csv);
  result.errors.push(...errors);
  const [header, ...records] = rows;
  if (!header) {
    result.errors.push({
      line: 1,
      message: `the file is empty: the first line must be the header (${CSV_COLUMNS.join(",")})`,
    });
    return result;
  }
  const columns = readHeader(header);
  if (!columns.ok) {
    result.errors.push({ line: header.line, message: columns.message });
    return result;
  }
  const firstLineByName = new Map<string, number>();
  for (const row of records) {
    const outcome = await importRow(db, row, columns.value, firstLineByName);
    if (outcome === "imported") result.imported += 1;
    else if (outcome === "updated") result.updated += 1;
    else result.errors.push({ line: row.line, message: outcome.error });
  }
  result.errors.sort((a, b) => a.line - b.line);
  return result;
}

/** Records with their starting line; rows the parser cannot read become errors and are skipped. */
function readRows(csv: string | Buffer): { rows: Row[]; errors: ImportError[] } {
  const errors: ImportError[] = [];
  // csv-parse counts a CRLF inside a quoted field as two lines; with LF only, its line numbers are right.
  const text = (typeof csv === "string" ? csv : csv.toString("utf8")).replace(/\r\n?/g, "\n");
  const records = parse(text, {
    bom: true,
    info: true,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined, raw: string | undefined) => {
      const line = startLine(Number(error?.lines ?? 0), raw ?? "");
      errors.push({ line, message: `this row could not be read as CSV (${describeCsvError(error)})` });
      return undefined;
    },
  }) as unknown as { record: string[]; raw: string; info: { lines: number } }[];
  const rows = records.map(({ record, raw, info }) => ({ line: startLine(info.lines, raw), fields: record }));
  return { rows, errors };
}

/** The parser reports the line a record ends on; a quoted field may span several lines. */
function startLine(endLine: number, raw: string): number {
  const record = raw.replace(/^\n+/, "").replace(/\n$/, "");
  return endLine - (record.match(/\n/g)?.length ?? 0);
}

function describeCsvError(error: CsvError | undefined): string {
  if (error?.code === "CSV_QUOTE_NOT_CLOSED") return "a quote is opened and never closed";
  return error?.message ?? "unreadable";
}

function readHeader(header: Row): { ok: true; value: Map<Column, number> } | { ok: false; message: string } {
  const names = header.fields.map((field) => field.trim().toLowerCase());
  const unknown = names.filter((name) => !(CSV_COLUMNS as readonly string[]).includes(name));
  const missing = REQUIRED_COLUMNS.filter((column) => !names.includes(column));
  const repeated = names.filter((name, index) => names.indexOf(name) !== index);
  const problems = [
    unknown.length > 0 && `unknown column${plural(unknown)} ${unknown.map((name) => `"${name}"`).join(", ")}`,
    missing.length > 0 && `missing column${plural(missing)} ${missing.join(", ")}`,
    repeated.length > 0 && `repeated column${plural(repeated)} ${repeated.join(", ")}`,
  ].filter(Boolean);
  if (problems.length > 0) {
    return {
      ok: false,
      message: `the header has ${problems.join("; ")}. Expected: ${CSV_COLUMNS.join(",")}. Nothing was imported.`,
    };
  }
  return { ok: true, value: new Map(names.map((name, index) => [name as Column, index])) };
}

async function importRow(
  db: Database,
  row: Row,
  columns: Map<Column, number>,
  firstLineByName: Map<string, number>,
): Promise<"imported" | "updated" | { error: string }> {
  if (row.fields.length !== columns.size) {
    return { error: `has ${row.fields.length} fields, the header has ${columns.size}` };
  }
  const input = toClientInput(row.fields, columns);
  const checked = validateClientInput(input);
  if (!checked.ok) return { error: describeErrors(checked.errors) };
  const key = checked.value.name.toLowerCase();
  const earlier = firstLineByName.get(key);
  if (earlier !== undefined) return { error: `client "${checked.value.name}" is already on line ${earlier}` };
  firstLineByName.set(key, row.line);
  try {
    return await saveRow(db, input);
  } catch (error) {
    if (error instanceof RowRejected) return { error: error.message };
    return { error: `could not be saved (${error instanceof Error ? error.message : String(error)})` };
  }
}

/** Thrown inside the row's transaction so that half a row (client saved, contact not) is rolled back. */
class RowRejected extends Error {}

async function saveRow(
  db: Database,
  input: ClientInput & { contact: ContactInput },
): Promise<"imported" | "updated"> {
  return db.transaction(async (tx) => {
    const existing = await findClientByName(tx, input.name);
    const saved = existing ? await updateClient(tx, existing.id, input) : await createClient(tx, input);
    if (!saved.ok) throw new RowRejected(describeErrors(saved.errors));
    if (!existing) return "imported";
    const sameEmail = (await listContacts(tx, existing.id)).find(
      (contact) => contact.email.toLowerCase() === input.contact.email.trim().toLowerCase(),
    );
    const contact = sameEmail
      ? await updateContact(tx, sameEmail.id, input.contact)
      : await addContact(tx, existing.id, input.contact);
    if (!contact.ok) throw new RowRejected(describeErrors(prefixContactFields(contact.errors)));
    return "updated";
  });
}

function toClientInput(
  fields: string[],
  columns: Map<Column, number>,
): ClientInput & { contact: ContactInput } {
  const cell = (column: Column) => {
    const index = columns.get(column);
    return index === undefined ? "" : (fields[index] ?? "").trim();
  };
  return {
    name: cell("name"),
    organisation: cell("organisation"),
    street: cell("street"),
    city: cell("city"),
    state: cell("state"),
    postalCode: cell("postal_code"),
    country: cell("country"),
    phone: cell("phone"),
    email: cell("email"),
    expiryDays: cell("expiry_days"),
    contact: {
      firstName: cell("contact_first_name"),
      lastName: cell("contact_last_name"),
      email: cell("contact_email"),
      phone: cell("contact_phone"),
      title: cell("contact_title"),
    },
  };
}

/** "country: Choose a country…; contact_phone: "12" is not…" — named by column, as in the file. */
function describeErrors(errors: FieldErrors<ClientField>): string {
  return Object.entries(errors)
    .map(([field, message]) => `${FIELD_COLUMNS[field as keyof typeof FIELD_COLUMNS]}: ${message}`)
    .join("; ");
}

function prefixContactFields(errors: Record<string, string | undefined>): FieldErrors<ClientField> {
  return Object.fromEntries(Object.entries(errors).map(([field, message]) => [`contact.${field}`, message]));
}

function plural(items: unknown[]): string {
  return items.length === 1 ? "" : "s";
}
