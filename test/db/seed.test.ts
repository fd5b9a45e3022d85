import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { clients } from "../../src/db/schema.js";
import {
  copySeedDirectory,
  ensureSeed,
  exists,
  migrationsFolder,
  seedDirectory,
  seedFile,
} from "../../src/db/seed.js";

/**
 * A new embedded database starts from the seed (initdb and the migrations done once) and is then
 * exactly a migrated database; an existing one is never replaced by it; a changed migration means
 * another seed, never a stale one.
 */

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
/** PGlite's execute answers `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "certdesk-seed-"));
  dirs.push(dir);
  return dir;
}

describe("the embedded database's seed", () => {
  it("gives a new data directory every migration and keeps what an existing one holds", async () => {
    expect(await exists(await ensureSeed())).toBe(true);
    const dataDir = path.join(await tempDir(), "pglite");
    const first = await openDatabase({ kind: "pglite", dataDir });
    const applied = await first.db.execute<{ count: number }>(
      sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
    );
    const journal = JSON.parse(await readFile(path.join(migrationsFolder, "meta/_journal.json"), "utf8")) as {
      entries: unknown[];
    };
    expect(rowsOf<{ count: number }>(applied)[0]?.count).toBe(journal.entries.length);
    await first.db.insert(clients).values({ name: "Acme Ltd" });
    await first.close();

    const reopened = await openDatabase({ kind: "pglite", dataDir });
    expect((await reopened.db.select().from(clients)).map((client) => client.name)).toEqual(["Acme Ltd"]);
    await reopened.close();
  });

  it("is copied as a directory, and a copy cut short before PG_VERSION is made again", async () => {
    await ensureSeed();
    expect(await exists(path.join(await seedDirectory(), "PG_VERSION"))).toBe(true);
    const dataDir = path.join(await tempDir(), "pglite");
    // What a start killed mid-copy leaves: every file but PG_VERSION, which is copied last.
    await copySeedDirectory(await seedDirectory(), dataDir);
    await rm(path.join(dataDir, "PG_VERSION"));
    await writeFile(path.join(dataDir, "postgresql.conf"), "garbage left half written\n");
    const database = await openDatabase({ kind: "pglite", dataDir });
    await database.db.insert(clients).values({ name: "Acme Ltd" });
    expect((await database.db.select().from(clients)).map((client) => client.name)).toEqual(["Acme Ltd"]);
    await database.close();
  });

  it("is named by the migrations, so a changed or added migration never loads an old seed", async () => {
    const copy = await tempDir();
    await cp(migrationsFolder, copy, { recursive: true });
    const committed = await seedFile();
    expect(await seedFile(copy)).toBe(committed);
    await writeFile(path.join(copy, "9999_later.sql"), "select 1;");
    expect(await seedFile(copy)).not.toBe(committed);
  });
});
