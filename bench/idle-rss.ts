/**
 * Idle memory of certdesk as `npm start` runs it (compiled dist/, its node flags) on embedded PGlite:
 * VmRSS from /proc 5 s after GET /healthz answers, once on a new DATA_DIR and once on restart.
 * Run: npx tsx bench/idle-rss.ts
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startSlackApiFake } from "../test/support/slack-api-fake.js";
import { buildProductionStart } from "../test/support/start-command.js";

const PORT = 3998;
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
    await sleep(5_000);
    const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
    const field = (name: string) => Number(status.match(new RegExp(`${name}:\\s+(\\d+)`))?.[1] ?? 0) / 1024;
    console.log(
      `${run}: VmRSS ${field("VmRSS").toFixed(0)} MB (anonymous ${field("RssAnon").toFixed(0)} MB), ` +
        `${field("Threads") * 1024} threads`,
    );
    child.kill("SIGTERM");
    await once(child, "exit");
  }
} finally {
  await slack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
