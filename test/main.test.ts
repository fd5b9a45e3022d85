import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SlackApiFake, startSlackApiFake } from "./support/slack-api-fake.js";
import { SlackDriver } from "./support/slack-driver.js";
import { buildProductionStart } from "./support/start-command.js";

/** The process as `npm start` runs it (compiled dist/main.js, its node flags), in a working directory of its own. */
let startArgs: string[];

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function runMain(env: Record<string, string>, cwd: string): Run {
  const child = spawn(process.execPath, startArgs, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? cwd, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(run: Run, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!pattern.test(run.output())) {
    if (run.child.exitCode !== null) throw new Error(`process exited early:\n${run.output()}`);
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out waiting for ${pattern}:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let slack: SlackApiFake;
/** One working directory for the runs that need a healthy database: PGlite's first start takes seconds. */
let sharedDir: string;
beforeAll(async () => {
  startArgs = await buildProductionStart();
  slack = await startSlackApiFake();
  sharedDir = await mkdtemp(path.join(tmpdir(), "certdesk-main-"));
});
afterAll(async () => {
  await slack.stop();
});

describe("npm start", { timeout: 90_000 }, () => {
  it("without a .env prints one config error listing each problem and exits 1", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "certdesk-main-"));
    const run = runMain({}, dir);
    expect(await run.exited).toBe(1);
    const output = run.output();
    expect(output).toContain("certdesk cannot start: the configuration has 2 problems.");
    expect(output).toContain("SLACK_BOT_TOKEN is missing: install the app from manifest.yml");
    expect(output).toContain("SLACK_SIGNING_SECRET is missing");
    expect(output).not.toMatch(/\n\s+at /);
  });

  it("reads .env, becomes healthy, answers /ssl help, keeps its data across a restart and stops on SIGTERM", async () => {
    const dir = sharedDir;
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    await writeFile(
      path.join(dir, ".env"),
      `SLACK_BOT_TOKEN=xoxb-main-test\nSLACK_SIGNING_SECRET=main-secret\nSLACK_API_URL=${slack.apiUrl}\nPORT=${port}\n`,
    );
    const first = runMain({}, dir);
    await waitForOutput(first, /certdesk is running/);
    expect(first.output()).toContain("CERTDESK_KEY is not set: generated a key-encryption key");

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ db: "ok" });

    const driver = new SlackDriver(`http://127.0.0.1:${port}`, "main-secret", {
      teamId: "T1",
      userId: "U1ANN",
      channelId: "C1OPS",
      responseUrl: () => slack.responseUrl(),
    });
    const help = await driver.slashCommand("help");
    expect(help.status).toBe(200);
    expect((help.json() as { text: string }).text).toContain("/ssl order [client] [domain]");

    const keyFile = path.join(dir, "data/certdesk.key");
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const key = await readFile(keyFile, "utf8");

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    const second = runMain({}, dir);
    await waitForOutput(second, /certdesk is running/);
    expect(second.output()).not.toContain("generated a key-encryption key");
    expect(await readFile(keyFile, "utf8")).toBe(key);

    // A second npm start on the same data directory stops at once, naming the one that runs.
    const third = runMain({ PORT: String(port + 1) }, dir);
    expect(await third.exited).toBe(1);
    expect(third.output()).toContain(
      `certdesk is running on this data directory (pid ${second.child.pid}): stop it first, or use DATABASE_URL`,
    );
    expect(third.output()).not.toMatch(/\n\s+at /);

    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
  });

  it("refuses a corrupt DATA_DIR with a clear message, deleting nothing", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "certdesk-main-"));
    const pgDir = path.join(dir, "data/pglite");
    await import("node:fs/promises").then((fs) => fs.mkdir(pgDir, { recursive: true }));
    await writeFile(path.join(pgDir, "PG_VERSION"), "not a database\n");
    await writeFile(path.join(pgDir, "base"), "garbage");
    const run = runMain(
      { SLACK_BOT_TOKEN: "xoxb-x", SLACK_SIGNING_SECRET: "s", SLACK_API_URL: slack.apiUrl, PORT: "3999" },
      dir,
    );
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("could not be opened");
    expect(run.output()).toContain("nothing was deleted");
    expect((await readdir(pgDir)).sort()).toEqual(["PG_VERSION", "base"]);
  });

  it("explains an unreachable PostgreSQL without printing its password", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "certdesk-main-"));
    const run = runMain(
      {
        SLACK_BOT_TOKEN: "xoxb-x",
        SLACK_SIGNING_SECRET: "s",
        SLACK_API_URL: slack.apiUrl,
        DATABASE_URL: "postgres://certdesk:pa55word-secret@127.0.0.1:1/certdesk",
        CERTDESK_KEY: Buffer.alloc(32, 1).toString("base64"),
      },
      dir,
    );
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("could not be reached or migrated");
    expect(run.output()).not.toContain("pa55word-secret");
    expect(run.output()).not.toMatch(/\n\s+at /);
  });
});

describe("npm start with Slack unreachable or refusing the token", { timeout: 60_000 }, () => {
  it("says which token Slack refused and exits 1", async () => {
    const dir = sharedDir;
    slack.on("auth.test", () => ({ body: { ok: false, error: "invalid_auth" } }));
    const run = runMain(
      {
        SLACK_BOT_TOKEN: "xoxb-revoked",
        SLACK_SIGNING_SECRET: "s",
        SLACK_API_URL: slack.apiUrl,
        PORT: "3997",
      },
      dir,
    );
    expect(await run.exited).toBe(1);
    slack.reset();
    expect(run.output()).toContain("Slack refused SLACK_BOT_TOKEN (invalid_auth)");
    expect(run.output()).not.toContain("xoxb-revoked");
  });
});
