/**
 * Start-to-healthy time of `npm start` on embedded PGlite: a first start (fresh DATA_DIR: the database
 * is created and migrated) and a restart on the same DATA_DIR. The build step (about a second) runs
 * once, before the timings. Run: npx tsx bench/start-to-healthy.ts [runs]
 */
import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startSlackApiFake } from "../test/support/slack-api-fake.js";
import { buildProductionStart } from "../test/support/start-command.js";

const runs = Number(process.argv[2] ?? 3);
const startArgs = await buildProductionStart();

async function timeToHealthy(dataDir: string, apiUrl: string, port: number): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, startArgs, {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH ?? "",
      SLACK_BOT_TOKEN: "xoxb-bench",
      SLACK_SIGNING_SECRET: "bench",
      SLACK_API_URL: apiUrl,
      PORT: String(port),
      DATA_DIR: dataDir,
    },
    stdio: "ignore",
  });
  try {
    for (;;) {
      const healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (response) => response.ok,
        () => false,
      );
      if (healthy) return performance.now() - started;
      if (child.exitCode !== null) throw new Error("certdesk exited before it was healthy");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

const slack = await startSlackApiFake();
const fresh: number[] = [];
const warm: number[] = [];
for (let run = 0; run < runs; run += 1) {
  const dir = await mkdtemp(path.join(tmpdir(), "certdesk-bench-"));
  fresh.push(await timeToHealthy(dir, slack.apiUrl, 31_000 + run));
  warm.push(await timeToHealthy(dir, slack.apiUrl, 32_000 + run));
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
