import { createHash, randomBytes } from "node:crypto";
import { access, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import * as schema from "./schema.js";

/**
 * The embedded database as it is after initdb and the migrations, kept as a PGlite dump so a new
 * database (a new DATA_DIR, each test database, a CLI's first run) loads it in about a second
 * instead of running initdb in WASM and every migration (four seconds and more).
 *
 * It is a cache, never a source of truth: named by a hash of the migrations and of PGlite's
 * version, so a changed migration or a PGlite upgrade simply makes (or finds) another file, and a
 * missing or unreadable file means the database is initialised the slow way. `npm run build` (run
 * by `npm start`) and the test setup make it; it lives under node_modules/.cache, where build
 * caches go and where a fresh clone's `npm install` puts nothing stale.
 */

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));
/** From src/db/ or dist/db/: the repository's node_modules/.cache. */
const cacheDir = fileURLToPath(new URL("../../node_modules/.cache/certdesk", import.meta.url));

/** The seed's file for the migrations in `folder` (the committed ones) and the installed PGlite. */
export async function seedFile(folder = migrationsFolder): Promise<string> {
  const hash = createHash("sha256");
  // The package's entry is dist/index.*; its manifest (with the version) is one level up.
  const pgliteEntry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  hash.update(await readFile(path.join(path.dirname(pgliteEntry), "../package.json")).catch(() => "unknown"));
  const migrations = (await readdir(folder, { recursive: true })).sort();
  for (const name of migrations) {
    hash.update(name);
    // Directories (meta/) read as nothing; their files are listed on their own.
    hash.update(await readFile(path.join(folder, name)).catch(() => Buffer.alloc(0)));
  }
  return path.join(cacheDir, `pglite-seed-${hash.digest("hex").slice(0, 16)}.tar.gz`);
}

/** Makes the seed unless it exists; returns its path. Safe when processes race (write, then rename). */
export async function ensureSeed(): Promise<string> {
  const file = await seedFile();
  if (await exists(file)) return file;
  const client = new PGlite();
  try {
    await migrate(drizzle(client, { schema }), { migrationsFolder });
    const dump = await client.dumpDataDir("gzip");
    await mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.${randomBytes(4).toString("hex")}.partial`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file).catch(async (error: unknown) => {
      await rm(partial, { force: true });
      throw error;
    });
  } finally {
    await client.close();
  }
  return file;
}

export function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
