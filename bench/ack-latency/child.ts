import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../../scripts/build.js";
import { productionNodeFlags } from "../../test/support/start-command.js";

export const repo = fileURLToPath(new URL("../..", import.meta.url));
const COMPILED = "node_modules/.cache/certdesk-bench/ack-latency";
const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

export interface AppProcess {
  name: string;
  url: string;
  /** User + system CPU of the whole process (every thread) so far, from /proc/<pid>/stat. */
  cpuMs(): number;
  /** The first lines the app wrote to stderr (warnings and errors at LOG_LEVEL=warn). */
  stderr: string[];
  stderrLines(): number;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  env: Record<string, string>;
  cwd?: string;
  nodeArgs?: string[];
  /** Passed to the script, like `npm run x -- args`. */
  args?: string[];
}

let compiled: Promise<string[]> | undefined;

/** src/ and these apps compiled as `npm start` compiles src/, once per run; resolves to its node flags. */
function compileOnce(): Promise<string[]> {
  compiled ??= compile({
    entryPoints: ["src/**/*.ts", "bench/ack-latency/*.ts"],
    outdir: COMPILED,
    outbase: ".",
  }).then(productionNodeFlags);
  return compiled;
}

/**
 * Runs a TypeScript file of this repository, compiled, in a node of its own with `npm start`'s
 * flags: every app here runs as production runs certdesk.
 */
export async function runCompiled(script: string, options: LaunchOptions): Promise<ChildProcess> {
  const flags = await compileOnce();
  const compiledScript = path.join(repo, COMPILED, script.replace(/\.ts$/, ".js"));
  return spawn(
    process.execPath,
    [...flags, ...(options.nodeArgs ?? []), compiledScript, ...(options.args ?? [])],
    {
      cwd: options.cwd ?? repo,
      env: { PATH: process.env.PATH ?? "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
}

/** Starts an app on a free port of 127.0.0.1 and resolves once GET /healthz answers 200. */
export async function launchApp(name: string, script: string, options: LaunchOptions): Promise<AppProcess> {
  const port = await freePort();
  const child = await runCompiled(script, { ...options, env: { ...options.env, PORT: String(port) } });
  const stderr: string[] = [];
  let stderrLines = 0;
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = chunk.split("\n").filter(Boolean);
    stderrLines += lines.length;
    // The first lines tell what went wrong; a flood of the same after them adds nothing.
    stderr.push(...lines.slice(0, Math.max(0, 200 - stderr.length)));
  });
  child.stdout?.resume();
  const url = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + 60_000;
  for (;;) {
    const healthy = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    if (child.exitCode !== null || performance.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} did not start:\n${stderr.slice(-20).join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.pid ?? 0;
  return {
    name,
    url,
    stderr,
    stderrLines: () => stderrLines,
    cpuMs() {
      // Fields after the parenthesised command name: state is the first, utime the 12th, stime the 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
