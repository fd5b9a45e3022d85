/**
 * Start-to-healthy time of `npm start` on embedded PGlite: a first start (fresh DATA_DIR: the database
 * is created and migrated) and a restart on the same DATA_DIR; beside them, the floor on this machine:
 * a Bolt app that does nothing (bench/ack-latency/bare-app.ts, same node flags), since these times
 * scale with the machine (the same commit restarted in 1.3 s on one 2-core machine, 2.5 s on another).
 * The build step (about a second) runs once, before the timings. Run: npx tsx bench/start-to-healthy.ts [runs]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startSlackApiFake } from "../test/support/slack-api-fake.js";
import { buildProductionStart } from "../test/support/start-command.js";
import { runCompiled } from "./ack-latency/child.js";

const runs = Number(process.argv[2] ?? 3);
const startArgs = await buildProductionStart();

const slackEnv = (apiUrl: string, port: number) => ({
  SLACK_BOT_TOKEN: "xoxb-bench",
  SLACK_SIGNING_SECRET: "bench",
  SLACK_API_URL: apiUrl,
  PORT: String(port),
});

function timeToHealthy(dataDir: string, apiUrl: string, port: number): Promise<number> {
  return timed(port, async () =>
    spawn(process.execPath, startArgs, {
      cwd: dataDir,
      env: { PATH: process.env.PATH ?? "", ...slackEnv(apiUrl, port), DATA_DIR: dataDir },
      stdio: "ignore",
    }),
  );
}

/** The floor: Bolt alone, started the same way (runCompiled compiles once, on its first call). */
const BARE_APP = "bench/ack-latency/bare-app.ts";
function timeToHealthyBare(apiUrl: string, port: number): Promise<number> {
  return timed(port, () => runCompiled(BARE_APP, { env: slackEnv(apiUrl, port) }));
}

async function timed(port: number, start: () => Promise<ChildProcess>): Promise<number> {
  const started = performance.now();
  const child = await start();
  try {
    for (;;) {
      const healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (response) => response.ok,
        () => false,
      );
      if (healthy) return performance.now() - started;
      if (child.exitCode !== null) throw new Error("the app exited before it was healthy");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

const slack = await startSlackApiFake();
// The bare app's compile step, before any clock starts.
await runCompiled(BARE_APP, { env: {} }).then((child) => child.kill());
const fresh: number[] = [];
const warm: number[] = [];
const bare: number[] = [];
for (let run = 0; run < runs; run += 1) {
  const dir = await mkdtemp(path.join(tmpdir(), "certdesk-bench-"));
  fresh.push(await timeToHealthy(dir, slack.apiUrl, 31_000 + run));
  warm.push(await timeToHealthy(dir, slack.apiUrl, 32_000 + run));
  bare.push(await timeToHealthyBare(slack.apiUrl, 33_000 + run));
}
await slack.stop();
const show = (label: string, values: number[]) => {
  const median = values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const each = values.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(", ");
  console.log(`${label}: ${each} (median ${(median / 1000).toFixed(2)} s)`);
};
console.log(`start → GET /healthz 200, embedded PGlite, ${runs} runs, Node ${process.version}`);
show("first start (new DATA_DIR)", fresh);
show("restart (same DATA_DIR)  ", warm);
show("bare Bolt app (the floor)", bare);
