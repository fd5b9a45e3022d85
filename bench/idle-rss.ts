/**
 * Idle memory of certdesk as `npm start` runs it (compiled dist/, its node flags) on embedded PGlite:
 * VmRSS from /proc 5 s after GET /healthz answers and again once idle, once on a new DATA_DIR and
 * once on restart. "Idle" is after `--settle` seconds (default 60): V8 gives back the start's garbage
 * only when its memory reducer sees the process quiet (~40 s here), so the 5 s figure overstates what
 * a replica holds for the rest of its life by 30–50 MB. Sampled every 5 s; the last sample is idle.
 * Run: npx tsx bench/idle-rss.ts [--settle 60]
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { startSlackApiFake } from "../test/support/slack-api-fake.js";
import { buildProductionStart } from "../test/support/start-command.js";

const PORT = 3998;
const { values: options } = parseArgs({ options: { settle: { type: "string", default: "60" } } });
const settleSeconds = Number(options.settle);
const startArgs = await buildProductionStart();
const slack = await startSlackApiFake();
const dataDir = await mkdtemp(path.join(tmpdir(), "certdesk-idle-rss-"));
try {
  for (const run of ["new DATA_DIR", "restart"]) {
    const child = spawn(process.execPath, startArgs, {
      cwd: dataDir,
      env: {
        PATH: process.env.PATH ?? "",
        SLACK_BOT_TOKEN: "xoxb-bench",
        SLACK_SIGNING_SECRET: "bench",
        SLACK_API_URL: slack.apiUrl,
        PORT: String(PORT),
        DATA_DIR: dataDir,
      },
      stdio: "ignore",
    });
    while (
      !(await fetch(`http://127.0.0.1:${PORT}/healthz`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (child.exitCode !== null) throw new Error("certdesk exited before it was healthy");
      await sleep(50);
    }
    const field = (status: string, name: string) =>
      Number(status.match(new RegExp(`${name}:\\s+(\\d+)`))?.[1] ?? 0) / 1024;
    const samples: string[] = [];
    let status = "";
    for (let waited = 5; waited <= Math.max(5, settleSeconds); waited += 5) {
      await sleep(5_000);
      status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      samples.push(field(status, "VmRSS").toFixed(0));
    }
    console.log(
      `${run}: VmRSS ${samples[0]} MB at 5 s, ${field(status, "VmRSS").toFixed(0)} MB idle at ` +
        `${Math.max(5, settleSeconds)} s (anonymous ${field(status, "RssAnon").toFixed(0)} MB, ` +
        `${field(status, "Threads") * 1024} threads); every 5 s: ${samples.join(" ")}`,
    );
    child.kill("SIGTERM");
    await once(child, "exit");
  }
} finally {
  await slack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
