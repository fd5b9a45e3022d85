import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CSV_COLUMNS, importClients } from "../../src/orders/client-import.js";
import { findClientByName, listClients, listContacts } from "../../src/orders/clients.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

const HEADER = CSV_COLUMNS.join(",");
const ACME = `Acme Ltd,Acme Limited,1 High Street,London,,EC1A 1BB,GB,+44 20 7946 0000,admin@acme.example,Jane,Doe,jane@acme.example,020 7946 0001,CTO,"30,14,7"`;
const GLOBEX =
  "Globex,Globex Corporation,,Springfield,IL,62701,US,,,Hank,Scorpio,hank@globex.example,(415) 555-2671,CEO,";
const INITECH = "Initech,,,Austin,TX,,US,,,Bill,Lumbergh,bill@initech.example,+1 512 555 0100,,";

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

function csv(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

describe("importClients", () => {
  it("imports good rows and reports each bad row by its line number", async () => {
    const result = await importClients(
      database.db,
      csv(
        HEADER,
        ACME,
        "Bad Phone,,,,,,GB,12,,Ann,Lee,ann@bad.example,020 7946 0002,,",
        GLOBEX,
        "No Country,,,,,,,,,Ann,Lee,ann@nocountry.example,+44 20 7946 0003,,",
        "Short,GB",
        INITECH,
      ),
    );
    expect(result.imported).toBe(3);
    expect(result.updated).toBe(0);
    expect(result.errors).toEqual([
      { line: 3, message: expect.stringMatching(/^phone: "12" is not a valid phone number for GB/) },
      { line: 5, message: expect.stringMatching(/^country: Choose a country/) },
      { line: 6, message: "has 2 fields, the header has 15" },
    ]);
    const acme = await findClientByName(database.db, "acme ltd");
    expect(acme).toMatchObject({ organisation: "Acme Limited", country: "GB", expiryDays: [30, 14, 7] });
    if (!acme) return;
    expect(await listContacts(database.db, acme.id)).toMatchObject([
      { firstName: "Jane", phone: "+44 20 7946 0001", isDefault: true },
    ]);
  });

  it("updates clients by name on re-import, updating the contact with the same e-mail or adding it", async () => {
    await importClients(database.db, csv(HEADER, ACME, GLOBEX));
    const result = await importClients(
      database.db,
      csv(
        HEADER,
        "ACME LTD,Acme Group,2 Low Street,London,,EC1A 1BB,GB,,,Jane,Smith,JANE@acme.example,020 7946 0009,CEO,",
        "Globex,Globex Corporation,,Springfield,IL,62701,US,,,Mindy,Moe,mindy@globex.example,+1 212 555 0199,,",
      ),
    );
    expect(result).toEqual({ imported: 0, updated: 2, errors: [] });
    const acme = await findClientByName(database.db, "Acme Ltd");
    expect(acme).toMatchObject({
      name: "ACME LTD",
      organisation: "Acme Group",
      phone: null,
      expiryDays: null,
    });
    if (!acme) return;
    expect(await listContacts(database.db, acme.id)).toMatchObject([
      { lastName: "Smith", phone: "+44 20 7946 0009", title: "CEO", isDefault: true },
    ]);
    const globex = await findClientByName(database.db, "Globex");
    if (!globex) throw new Error("Globex missing");
    expect((await listContacts(database.db, globex.id)).map((contact) => contact.firstName)).toEqual([
      "Hank",
      "Mindy",
    ]);
  });

  it("accepts columns in any order, a byte-order mark and CRLF, and counts lines right after multi-line fields", async () => {
    const text = [
      "\ufeffcountry,name,contact_first_name,contact_last_name,contact_email,contact_phone,street",
      'GB,Two Lines,Jane,Doe,jane@acme.example,020 7946 0001,"Unit 4\r\nHigh Street"',
      "GB,Acme Ltd,Jane,Doe,jane@acme.example,020 7946 0001,1 High Street",
      "GB,Broken,Jane,Doe,not-an-email,020 7946 0001,",
    ].join("\r\n");
    const result = await importClients(database.db, text);
    expect(result.imported).toBe(1);
    expect(result.errors).toEqual([
      { line: 2, message: "street: Keep it to one line of text." },
      { line: 5, message: expect.stringMatching(/^contact_email: /) },
    ]);
    expect((await findClientByName(database.db, "Acme Ltd"))?.street).toBe("1 High Street");
  });

  it("reports a name that appears twice in one file instead of silently keeping the last", async () => {
    const result = await importClients(
      database.db,
      csv(HEADER, ACME, "", ACME.replace("Acme Ltd", "acme ltd")),
    );
    expect(result.imported).toBe(1);
    expect(result.errors).toEqual([{ line: 4, message: 'client "acme ltd" is already on line 2' }]);
  });

  it("keeps going after a row the CSV parser cannot read", async () => {
    const result = await importClients(database.db, csv(HEADER, ACME, GLOBEX, 'Broken,"unclosed'));
    expect(result.imported).toBe(2);
    expect(result.errors).toEqual([{ line: 4, message: expect.stringContaining("never closed") }]);
  });

  it("imports nothing when the header is wrong, and says what is wrong with it", async () => {
    const result = await importClients(database.db, csv("name,country,phon", "Acme,GB,1"));
    expect(result.imported).toBe(0);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.line).toBe(1);
    expect(result.errors[0]?.message).toContain('unknown column "phon"');
    expect(result.errors[0]?.message).toContain("missing columns contact_first_name");
    expect((await listClients(database.db, { limit: 5, offset: 0 })).total).toBe(0);
  });

  it("reports an empty file", async () => {
    const result = await importClients(database.db, "");
    expect(result).toMatchObject({
      imported: 0,
      errors: [{ line: 1, message: expect.stringContaining("empty") }],
    });
  });
});

const repo = fileURLToPath(new URL("../..", import.meta.url));
const tsxLoader = path.join(repo, "node_modules/tsx/dist/loader.mjs");
const cli = path.join(repo, "src/cli/import-clients.ts");

function runCli(
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", tsxLoader, cli, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? cwd, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

describe("npm run import-clients", { timeout: 90_000 }, () => {
  it("imports into DATA_DIR without Slack tokens, prints each bad row, exits 1 when a row failed and 0 when none did", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "certdesk-import-"));
    const dataDir = path.join(dir, "data");
    await writeFile(
      path.join(dir, "clients.csv"),
      csv(HEADER, ACME, "Bad,,,,,,GB,12,,A,B,a@b.example,020 7946 0002,,"),
    );
    const run = await runCli(["clients.csv"], dir, { DATA_DIR: dataDir });
    expect(run.output).toContain("clients.csv: 1 client imported, 0 updated, 1 row failed.");
    expect(run.output).toMatch(/^line 3: phone: "12" is not a valid phone number/m);
    expect(run.code).toBe(1);

    await writeFile(path.join(dir, "clients.csv"), csv(HEADER, ACME.replace("Acme Limited", "Acme Group")));
    const again = await runCli(["clients.csv"], dir, { DATA_DIR: dataDir });
    expect(again.output).toBe("clients.csv: 0 clients imported, 1 updated, 0 rows failed.\n");
    expect(again.code).toBe(0);
  });

  it("says how to use it when no file is given", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "certdesk-import-"));
    const run = await runCli([], dir, {});
    expect(run.code).toBe(1);
    expect(run.output).toContain("Usage: npm run import-clients -- clients.csv");
    expect(run.output).toContain(HEADER);
  });
});
