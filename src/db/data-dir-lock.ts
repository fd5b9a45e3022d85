import { createHash, randomBytes } from "node:crypto";
import { readFileSync, unlinkSync } from "node:fs";
import { link, open, readFile, realpath, stat, unlink, utimes } from "node:fs/promises";
import { hostname } from "node:os";

/**
 * One process per embedded database: PGlite keeps the whole database in the memory of the process
 * that opened the directory and writes it back as it goes, so a second process on the same directory
 * (`npm run import-clients` while the bot runs) silently loses one side's commits or aborts.
 *
 * The lock is a file beside the directory, `<dataDir>.lock` (normally DATA_DIR/pglite.lock), holding
 * the pid of its holder on the first line and a random token on the second. Beside rather than
 * inside: everything inside belongs to PGlite (its initdb fills the directory, and a damaged one is
 * moved aside as a whole, which must not carry a lock along), and a copy or backup of the directory
 * must not bring a lock with it.
 *
 * Hand-written rather than proper-lockfile: that package decides staleness by an mtime alone, whereas
 * here the pid decides where it can. The file holds the holder's pid, a random token and its host name,
 * and the holder touches it every half minute. A lock is stale when:
 * - its pid is not running on this host;
 * - its pid is ours but the lock is not one this process took: a container restarted after a kill
 *   runs certdesk as the same pid (often 1) as the process that left the lock;
 * - it was not touched for ten minutes although its pid runs here: the pid was reused by another
 *   program (after a reboot, say);
 * - it was written on another host (another container on a shared volume), whose pids cannot be
 *   checked from here, and was not touched for two minutes.
 * The refusal names the pid, the host and the lock file, so an administrator can check and delete it.
 */

export type DataDirLock =
  | { acquired: true; lockPath: string; release(): void }
  | { acquired: false; lockPath: string; pid: number; host: string };

const HOST = hostname();
/** How often a holder touches its lock, and when an untouched one counts as abandoned. */
const HEARTBEAT_MS = 30_000;
const SAME_HOST_ABANDONED_MS = 10 * 60_000;
const OTHER_HOST_ABANDONED_MS = 2 * 60_000;
/** Lock contents this process holds: a lock with our pid that is not among them was left by another. */
const heldHere = new Set<string>();

/** Breaking a stale break marker is itself a lock; deeper than this only after repeated crashes. */
const MAX_DEPTH = 3;
const MAX_ATTEMPTS = 40;

/**
 * Takes the lock on `dataDir` (which must exist), or reports the live process holding it. `release`
 * removes the file if it is still ours; it also runs on process exit, so only SIGKILL (or a power
 * cut) leaves a stale lock behind, which the next start replaces.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  // realpath: two spellings of one directory (a symlink, a relative path) share one lock.
  return takeLock(`${await realpath(dataDir)}.lock`, 0);
}

async function takeLock(lockPath: string, depth: number): Promise<DataDirLock> {
  // The token makes each lock file's content unique, so "still the stale file I read" is a string
  // comparison, and a release never removes a lock taken after ours.
  const content = `${process.pid}\n${randomBytes(8).toString("hex")}\n${HOST}\n`;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    if (await createLockFile(lockPath, content)) return held(lockPath, content);
    const current = await readLockFile(lockPath);
    if (current === undefined) continue; // released between our attempt and the read
    const holder = await liveHolder(lockPath, current);
    if (holder) return { acquired: false, lockPath, ...holder };
    if (depth < MAX_DEPTH && (await removeStaleLock(lockPath, current, depth))) continue;
    // Another starter is replacing the same stale lock, which takes it microseconds: give its lock
    // a moment to appear, then find it held.
    await new Promise((resolve) => setTimeout(resolve, 2 + 3 * Math.min(attempt, 10)));
  }
  throw new Error(`the lock file ${lockPath} could not be taken over; delete it if no certdesk is running`);
}

/**
 * Creates the lock file with its content in one step: written to a temporary file (`open` with `wx`)
 * and hard-linked to the lock path, which fails with EEXIST when a lock exists. A plain `wx` create
 * of the lock path would leave an instant where the file exists but is empty, which a concurrent
 * starter would read as garbage and replace.
 */
async function createLockFile(lockPath: string, content: string): Promise<boolean> {
  const temp = `${lockPath}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const file = await open(temp, "wx", 0o600);
  try {
    await file.writeFile(content);
  } finally {
    await file.close();
  }
  try {
    await link(temp, lockPath);
    return true;
  } catch (error) {
    if (codeOf(error) === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/**
 * Removes the stale lock whose content is `stale`, unless another starter is already doing so. Two
 * starters that both read the same stale lock must not both remove "it": the second would remove the
 * lock the first has just created, and both would run. So removing it takes a lock of its own, named
 * after the stale content (same scheme, stale holders included); the one starter that holds it checks
 * the lock path still has that content before unlinking it. The others retry and find the winner's lock.
 * False when another starter holds the removal.
 */
async function removeStaleLock(lockPath: string, stale: string, depth: number): Promise<boolean> {
  const digest = createHash("sha256").update(stale).digest("hex").slice(0, 16);
  const breaker = await takeLock(`${lockPath}.break-${digest}`, depth + 1);
  if (!breaker.acquired) return false;
  try {
    if ((await readLockFile(lockPath)) === stale) await unlink(lockPath).catch(ignoreMissing);
    return true;
  } finally {
    breaker.release();
  }
}

function held(lockPath: string, content: string): DataDirLock {
  heldHere.add(content);
  // Shows the holder is alive to starters on other hosts, and that its pid is still certdesk.
  const heartbeat = setInterval(() => {
    const now = new Date();
    void utimes(lockPath, now, now).catch(() => {});
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const release = (): void => {
    clearInterval(heartbeat);
    heldHere.delete(content);
    process.off("exit", release);
    try {
      if (readFileSync(lockPath, "utf8") === content) unlinkSync(lockPath);
    } catch {
      // Already gone, or not readable: nothing of ours to remove.
    }
  };
  // Synchronous, as exit listeners must be: a normal exit, or a crash reported through process.exit,
  // leaves no lock behind.
  process.on("exit", release);
  return { acquired: true, lockPath, release };
}

/** The content, or undefined when there is no lock file. Other errors (EACCES) are not guessed at. */
async function readLockFile(lockPath: string): Promise<string | undefined> {
  try {
    return await readFile(lockPath, "utf8");
  } catch (error) {
    if (codeOf(error) === "ENOENT") return undefined;
    throw error;
  }
}

/** Who holds the lock `content`, or undefined when it is stale (see the rules at the top). */
async function liveHolder(
  lockPath: string,
  content: string,
): Promise<{ pid: number; host: string } | undefined> {
  const pid = holderPid(content);
  if (pid === undefined) return undefined;
  const host = content.split("\n")[2]?.trim() || HOST;
  const untouchedMs = await untouchedFor(lockPath);
  if (host !== HOST) return untouchedMs > OTHER_HOST_ABANDONED_MS ? undefined : { pid, host };
  if (pid === process.pid && !heldHere.has(content)) return undefined;
  if (!isRunning(pid) || untouchedMs > SAME_HOST_ABANDONED_MS) return undefined;
  return { pid, host };
}

async function untouchedFor(lockPath: string): Promise<number> {
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs;
  } catch {
    return 0;
  }
}

/** The pid on the first line, or undefined for garbage (which makes the lock stale). */
function holderPid(content: string): number | undefined {
  const line = content.split("\n", 1)[0]?.trim() ?? "";
  // Positive only: kill(0) and kill(-n) signal process groups.
  if (!/^[1-9][0-9]{0,9}$/.test(line)) return undefined;
  const pid = Number(line);
  return pid <= 0x7fffffff ? pid : undefined;
}

/** Signal 0 checks existence only; EPERM means it exists under another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) !== "ESRCH";
  }
}

function ignoreMissing(error: unknown): void {
  if (codeOf(error) !== "ENOENT") throw error;
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}
