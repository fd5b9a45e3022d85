import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/**
 * certdesk in a child process (app-process-main.ts), for tests that must kill it with SIGKILL and
 * start it again on the same database. The child is the real app, configured from `env` like
 * src/main.ts; over IPC the parent can move the child's clock and run one poll.
 */

export const parentCommand = z.discriminatedUnion("type", [
  z.object({ id: z.number(), type: z.literal("advanceClock"), ms: z.number() }),
  z.object({ id: z.number(), type: z.literal("poll") }),
]);
export type ParentCommand = z.infer<typeof parentCommand>;
type Unnumbered<T> = T extends unknown ? Omit<T, "id"> : never;

const pollSummary = z.object({
  checked: z.number(),
  issued: z.number(),
  failed: z.number(),
  skipped: z.number(),
  flagged: z.number(),
});

export const childMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), port: z.number() }),
  z.object({ type: z.literal("done"), id: z.number(), summary: pollSummary.nullish() }),
  z.object({ type: z.literal("failed"), id: z.number(), error: z.string() }),
]);
export type ChildMessage = z.infer<typeof childMessage>;

export interface AppProcess {
  url: string;
  pid: number;
  /** Everything the child wrote to stdout and stderr, for failure messages. */
  output(): string;
  advanceClock(ms: number): Promise<void>;
  poll(): Promise<z.infer<typeof pollSummary> | null | undefined>;
  /** Sends the signal and resolves once the child has exited, with its exit code. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

/** A closed local port: a look-up there is refused at once (tests never reach real DNS). */
export const NO_DNS = "127.0.0.1:1";
const CHILD_MAIN = fileURLToPath(new URL("./app-process-main.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Every child started and not yet exited, so afterAll can kill what a failed test left behind. */
const running = new Set<ChildProcess>();

export async function startAppProcess(
  env: Record<string, string>,
  startTimeoutMs = 60_000,
): Promise<AppProcess> {
  // Only what the app is given: the parent's environment (TEST_DATABASE_URL, NODE_OPTIONS) stays out.
  const child = fork(CHILD_MAIN, [], {
    cwd: REPO_ROOT,
    execArgv: ["--import", "tsx"],
    // DNS_SERVERS: a closed local port, so no check ever asks real DNS (tests that check run their own).
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DNS_SERVERS: NO_DNS, ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  running.add(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      running.delete(child);
      resolve();
    });
  });

  const replies = new Map<number, (message: ChildMessage) => void>();
  let ready: ((port: number) => void) | undefined;
  child.on("message", (raw) => {
    const message = childMessage.parse(raw);
    if (message.type === "ready") ready?.(message.port);
    else replies.get(message.id)?.(message);
  });

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`certdesk did not start within ${startTimeoutMs} ms:\n${output}`));
    }, startTimeoutMs);
    ready = (bound) => {
      clearTimeout(timer);
      resolve(bound);
    };
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`certdesk exited while starting (code ${child.exitCode}):\n${output}`));
    });
  });

  let nextId = 1;
  function ask(command: Unnumbered<ParentCommand>): Promise<ChildMessage> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      replies.set(id, (message) => {
        replies.delete(id);
        if (message.type === "failed") reject(new Error(`certdesk child: ${message.error}`));
        else resolve(message);
      });
      child.send({ ...command, id });
    });
  }

  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    output: () => output,
    async advanceClock(ms) {
      await ask({ type: "advanceClock", ms });
    },
    async poll() {
      const reply = await ask({ type: "poll" });
      return reply.type === "done" ? reply.summary : undefined;
    },
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      return child.exitCode;
    },
  };
}

/** SIGKILLs every child still running (a test that failed half way). */
export async function killAppProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
}
