import { createHash, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

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
 *
 * It is kept twice: the dump (`seedFile`, loaded by PGlite's `loadDataDir`, for in-memory databases)
 * and the data directory it unpacks to (`seedDirectory`), which a new DATA_DIR copies file by file
 * instead: open in 0.6 s rather than 1.1 s (PGlite unpacks a dump through its WASM file system, on
 * the thread that opens it), and without the 120 MB of RSS that unpacking leaves behind for the
 * process's life (bench/pglite-start.ts; the app idles at 265 MB instead of 400 on a new DATA_DIR).
 */

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));
/** From src/db/ or dist/db/: the repository's node_modules/.cache. */
const cacheDir = fileURLToPath(new URL("../../node_modules/.cache/certdesk", import.meta.url));

/** The seed's file for the migrations in `folder` (the committed ones) and the installed PGlite. */
export async function seedFile(folder = migrationsFolder): Promise<string> {
  return `${await seedPath(folder)}.tar.gz`;
}

/** The seed as a data directory (see above), beside the file and named alike. */
export async function seedDirectory(folder = migrationsFolder): Promise<string> {
  return seedPath(folder);
}

async function seedPath(folder: string): Promise<string> {
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
  return path.join(cacheDir, `pglite-seed-${hash.digest("hex").slice(0, 16)}`);
}

/**
 * Makes the seed (file and directory) unless it exists; returns the file's path. Safe when processes
 * race (write, then rename). PGlite and drizzle are loaded here only, not by the modules that merely
 * use the seed (client.ts, the PGlite worker).
 */
export async function ensureSeed(): Promise<string> {
  const [file, directory] = await Promise.all([seedFile(), seedDirectory()]);
  const { PGlite } = await import("@electric-sql/pglite");
  if (!(await exists(file))) {
    const [{ drizzle }, { migrate }, schema] = await Promise.all([
      import("drizzle-orm/pglite"),
      import("drizzle-orm/pglite/migrator"),
      import("./schema.js"),
    ]);
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
  }
  if (!(await exists(path.join(directory, "PG_VERSION")))) {
    // Unpacked by PGlite itself, into a directory renamed into place once complete.
    const partial = `${directory}.${randomBytes(4).toString("hex")}.partial`;
    const client = new PGlite({ dataDir: partial, loadDataDir: new Blob([await readFile(file)]) });
    try {
      await client.waitReady;
    } finally {
      await client.close();
    }
    await rename(partial, directory).catch(async (error: unknown) => {
      await rm(partial, { recursive: true, force: true });
      // Another process put its copy there first (renaming onto a directory with files fails).
      if (!(await exists(path.join(directory, "PG_VERSION")))) throw error;
    });
  }
  return file;
}

/**
 * Fills the empty data directory `dataDir` from the seed directory: every file copied (in parallel;
 * a reflink where the file system has them), PG_VERSION last. PG_VERSION is what says a directory
 * holds a database (client.ts, PGlite), so a copy cut short (a crash, a kill) is started again by the
 * next start instead of being opened half made.
 */
export async function copySeedDirectory(seed: string, dataDir: string): Promise<void> {
  await copyTree(seed, dataDir, (name) => name !== "PG_VERSION");
  await copyFile(path.join(seed, "PG_VERSION"), path.join(dataDir, "PG_VERSION"));
}

async function copyTree(
  from: string,
  to: string,
  keep: (name: string) => boolean = () => true,
): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o700 });
  const entries = await readdir(from, { withFileTypes: true });
  await Promise.all(
    entries
      .filter((entry) => keep(entry.name))
      .map((entry) =>
        entry.isDirectory()
          ? copyTree(path.join(from, entry.name), path.join(to, entry.name))
          : copyFile(path.join(from, entry.name), path.join(to, entry.name), constants.COPYFILE_FICLONE),
      ),
  );
}

export function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
