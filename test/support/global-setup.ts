import { randomBytes } from "node:crypto";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../src/db/client.js";
import { ensureSeed } from "../../src/db/seed.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** PostgreSQL only: a migrated, empty database that test databases are cloned from. */
    postgresTemplate: string;
    /** Prefix of every database this run creates, so the teardown drops exactly those. */
    postgresPrefix: string;
  }
}

/**
 * Once per `npm test`: the migrated empty database that every test database starts from, so a
 * test file pays neither initdb (seconds in WASM) nor the migrations. On PostgreSQL a template
 * database (`create database … template …` is a file copy); on PGlite the seed every new embedded
 * database loads (src/db/seed.ts). The teardown drops the PostgreSQL databases the run made.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Every PGlite the tests open (in-memory ones, data directories, the app and CLIs in child
  // processes, on either pass) starts from the seed, as in production after `npm run build`.
  await ensureSeed();
  const url = process.env.TEST_DATABASE_URL;
  const run = `${process.pid}_${randomBytes(3).toString("hex")}`;
  if (url) return setupPostgres(project, url, run);
  project.provide("postgresTemplate", "");
  project.provide("postgresPrefix", "");
  return async () => {};
}

async function setupPostgres(project: TestProject, url: string, run: string): Promise<() => Promise<void>> {
  const prefix = `certdesk_test_${run}_`;
  const template = `${prefix}template`;
  const admin = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`create database "${template}"`);
  } catch (error) {
    await admin.end();
    throw new Error(
      `TEST_DATABASE_URL is set but PostgreSQL could not create a test database: ${(error as Error).message}`,
    );
  }
  const templateUrl = new URL(url);
  templateUrl.pathname = `/${template}`;
  const handle = await openDatabase({ kind: "postgres", url: templateUrl.toString(), max: 1 });
  await handle.close();
  project.provide("postgresTemplate", template);
  project.provide("postgresPrefix", prefix);
  return async () => {
    const rows = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`${prefix}%`}`;
    for (const { datname } of rows) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    await admin.end();
  };
}
