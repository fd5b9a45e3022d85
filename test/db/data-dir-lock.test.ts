import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseStartError, openDatabase } from "../../src/db/client.js";
import { lockDataDir } from "../../src/db/data-dir-lock.js";
import { clients } from "../../src/db/schema.js";
import { CSV_COLUMNS } from "../../src/orders/client-import.js";

/**
 * One process per PGlite directory. One database directory serves every test (PGlite's first open
 * of a directory runs initdb, seconds in WASM); the lock-only tests use a plain directory.
 */

const repo = fileURLToPath(new URL("../..", import.meta.url));
const tsxLoader = path.join(repo, "node_modules/tsx/dist/loader.mjs");
const importCli = path.join(repo, "src/cli/import-clients.ts");

/**
 * A child that opens the database (`database`) or only takes the lock (`lock`) on TARGET, prints
 * "held", and on a line from the parent closes it ("close") or just calls process.exit ("exit").
 */
const HOLDER = `
let close;
if (process.env.MODE === "database") {
  const { openDatabase } = await import(process.env.CLIENT_MODULE);
  const handle = await openDatabase({ kind: "pglite", dataDir: process.env.TARGET });
  close = () => handle.close();
} else {
  const { lockDataDir } = await import(process.env.LOCK_MODULE);
  const lock = await lockDataDir(process.env.TARGET);
  if (!lock.acquired) throw new Error("refused, held by pid " + lock.pid);
  close = async () => lock.release();
}
process.stdout.write("held\\n");
process.stdin.setEncoding("utf8");
process.stdin.on("data", async (command) => {
  if (command.startsWith("close")) await close();
  process.exit(0);
});
process.stdin.on("end", () => process.exit(0));
`;

const children = new Set<ChildProcess>();

interface Holder {
  pid: number;
  /** Sends the command and resolves with the exit code. */
  finish(command: "close" | "exit"): Promise<number | null>;
  kill(): Promise<void>;
}

async function holdInChild(mode: "database" | "lock", target: string): Promise<Holder> {
  const child = spawn(process.execPath, ["--import", tsxLoader, "--input-type=module", "--eval", HOLDER], {
    cwd: repo,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      MODE: mode,
      TARGET: target,
      CLIENT_MODULE: pathToFileURL(path.join(repo, "src/db/client.ts")).href,
      LOCK_MODULE: pathToFileURL(path.join(repo, "src/db/data-dir-lock.ts")).href,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("held\n")) resolve();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then((code) => reject(new Error(`holder exited with ${code} before holding:\n${output}`)));
  });
  return {
    pid: child.pid ?? -1,
    finish: async (command) => {
      child.stdin.write(`${command}\n`);
      return exited;
    },
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

function run(
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? cwd, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** The pid of a process that has exited (very unlikely to be reused within this test). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  if (!child.pid) throw new Error("no pid");
  return child.pid;
}

async function exists(file: string): Promise<boolean> {
  return readFile(file).then(
    () => true,
    () => false,
  );
}

let root: string;
let dataDir: string;
let pgliteDir: string;
let lockFile: string;
/** A directory for the lock alone, no database in it. */
let plainDir: string;

beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), "certdesk-lock-")));
  dataDir = path.join(root, "data");
  pgliteDir = path.join(dataDir, "pglite");
  lockFile = `${pgliteDir}.lock`;
  plainDir = path.join(root, "plain");
  await mkdir(plainDir);
});
afterAll(async () => {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
  await rm(root, { recursive: true, force: true });
});

const target = () => ({ kind: "pglite" as const, dataDir: pgliteDir });

describe("one process per embedded database", { timeout: 90_000 }, () => {
  it("refuses a second open in the same process, naming its pid, until the first handle closes", async () => {
    const first = await openDatabase(target());
    try {
      expect(await readFile(lockFile, "utf8")).toMatch(new RegExp(`^${process.pid}\\n`));
      const refusal: unknown = await openDatabase(target()).then(
        (unexpected) => unexpected.close(),
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(DatabaseStartError);
      const message = refusal instanceof Error ? refusal.message : "";
      expect(message).toContain(`certdesk is running on this data directory (pid ${process.pid})`);
      expect(message).toContain("stop it first, or use DATABASE_URL");
      expect(message).toContain(pgliteDir);
      expect(message).toContain(lockFile);
    } finally {
      await first.close();
    }
    expect(await exists(lockFile)).toBe(false);

    const again = await openDatabase(target());
    await again.close();
  });

  it("refuses while another process holds it, and import-clients then exits 1 importing nothing", async () => {
    const holder = await holdInChild("database", pgliteDir);
    try {
      expect(await readFile(lockFile, "utf8")).toMatch(new RegExp(`^${holder.pid}\\n`));
      await expect(openDatabase(target())).rejects.toThrow(
        `certdesk is running on this data directory (pid ${holder.pid})`,
      );

      await writeFile(
        path.join(root, "clients.csv"),
        `${CSV_COLUMNS.join(",")}\nGlobex,Globex Corporation,,Springfield,IL,62701,US,,,Hank,Scorpio,hank@globex.example,(415) 555-2671,CEO,\n`,
      );
      const imported = await run(["--import", tsxLoader, importCli, "clients.csv"], root, {
        DATA_DIR: dataDir,
      });
      expect(imported.stderr).toContain(
        `import-clients stopped: certdesk is running on this data directory (pid ${holder.pid})`,
      );
      expect(imported.stdout).toBe("");
      expect(imported.code).toBe(1);
    } finally {
      expect(await holder.finish("close")).toBe(0);
    }
    expect(await exists(lockFile)).toBe(false);

    const database = await openDatabase(target());
    try {
      expect(await database.db.select().from(clients)).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it("takes over the lock of a process killed with SIGKILL", async () => {
    const holder = await holdInChild("lock", pgliteDir);
    await holder.kill();
    expect(await readFile(lockFile, "utf8")).toMatch(new RegExp(`^${holder.pid}\\n`));

    const database = await openDatabase(target());
    expect(await readFile(lockFile, "utf8")).toMatch(new RegExp(`^${process.pid}\\n`));
    await database.close();
    expect(await exists(lockFile)).toBe(false);
  });

  it("lets exactly one of two concurrent opens replace a stale lock", async () => {
    await writeFile(lockFile, `${await deadPid()}\n`);
    const results = await Promise.allSettled([openDatabase(target()), openDatabase(target())]);
    const opened = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    const refused = results.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
    try {
      expect(opened).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toBeInstanceOf(DatabaseStartError);
      expect(String(refused[0])).toContain(`(pid ${process.pid})`);
    } finally {
      await Promise.all(opened.map((database) => database.close()));
    }
    expect(await exists(lockFile)).toBe(false);
  });
});

describe("the lock file", { timeout: 60_000 }, () => {
  const plainLock = () => `${plainDir}.lock`;

  it("is removed when its process exits without releasing it", async () => {
    const holder = await holdInChild("lock", plainDir);
    expect(await readFile(plainLock(), "utf8")).toMatch(new RegExp(`^${holder.pid}\\n`));
    const refused = await lockDataDir(plainDir);
    expect(refused).toMatchObject({ acquired: false, pid: holder.pid, lockPath: plainLock() });
    expect(await holder.finish("exit")).toBe(0);
    expect(await exists(plainLock())).toBe(false);
  });

  it("is replaced when it holds garbage or the pid of an exited process, by one of many racing takers", async () => {
    const stale = ["", "garbage\n", "0\n", "-1\n", "99999999999\n", `${await deadPid()}\n`];
    for (const content of stale) {
      await writeFile(plainLock(), content);
      const results = await Promise.all(Array.from({ length: 6 }, () => lockDataDir(plainDir)));
      const winners = results.filter((result) => result.acquired);
      expect(winners, JSON.stringify(content)).toHaveLength(1);
      expect(results.filter((result) => !result.acquired)).toEqual(
        Array(5).fill({ acquired: false, lockPath: plainLock(), pid: process.pid, host: hostname() }),
      );
      for (const winner of winners) if (winner.acquired) winner.release();
      expect(await exists(plainLock())).toBe(false);
    }
    // No temporary or break files are left beside the directory.
    expect((await readdir(root)).filter((name) => name.startsWith("plain."))).toEqual([]);
  });

  const ago = (ms: number) => new Date(Date.now() - ms);
  const take = async (content: string, untouchedMs = 0) => {
    await writeFile(plainLock(), content);
    await utimes(plainLock(), ago(untouchedMs), ago(untouchedMs));
    const result = await lockDataDir(plainDir);
    if (result.acquired) result.release();
    return result;
  };

  it("takes over a lock with this process's pid that this process did not take (a container restarted as the same pid)", async () => {
    expect(await take(`${process.pid}\nleft-by-the-last-run\n${hostname()}\n`)).toMatchObject({
      acquired: true,
    });
  });

  it("honours a fresh lock from another host, and takes over one nobody touched for two minutes", async () => {
    expect(await take("4242\ntoken\nother-host\n")).toMatchObject({
      acquired: false,
      pid: 4242,
      host: "other-host",
    });
    expect(await take("4242\ntoken\nother-host\n", 3 * 60_000)).toMatchObject({ acquired: true });
  });

  it("takes over a lock whose pid runs here but which nobody touched for ten minutes (the pid was reused)", async () => {
    const alive = process.ppid;
    expect(await take(`${alive}\ntoken\n${hostname()}\n`, 60_000)).toMatchObject({
      acquired: false,
      pid: alive,
    });
    expect(await take(`${alive}\ntoken\n${hostname()}\n`, 11 * 60_000)).toMatchObject({ acquired: true });
  });
});
