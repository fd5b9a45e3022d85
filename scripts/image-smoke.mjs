#!/usr/bin/env node
/**
 * Proves a tree made by `scripts/image.sh build <dir>` starts as the container starts it
 * (`scripts/image.sh start`, a new DATA_DIR, production install only): /healthz and /readyz answer
 * 200, and SIGTERM ends it cleanly. Slack is a local stub that answers every Web API call "ok"
 * (no network here). Run by .ci/run:  node scripts/image-smoke.mjs <dir>
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";

const dir = path.resolve(process.argv[2] ?? "");
if (!process.argv[2]) {
  console.error("usage: node scripts/image-smoke.mjs <dir made by scripts/image.sh build>");
  process.exit(2);
}

const slack = createServer((request, response) => {
  request.resume();
  response.setHeader("content-type", "application/json");
  response.end(
    JSON.stringify({
      ok: true,
      user_id: "U0SMOKE",
      bot_id: "B0SMOKE",
      team_id: "T0SMOKE",
      team: "smoke",
      url: "https://smoke.slack.com/",
    }),
  );
});
await new Promise((resolve) => slack.listen(0, "127.0.0.1", resolve));
const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});
const dataDir = mkdtempSync(path.join(tmpdir(), "certdesk-image-smoke-"));
const started = Date.now();
const app = spawn(path.join(dir, "scripts", "image.sh"), ["start"], {
  cwd: dir,
  env: {
    PATH: process.env.PATH,
    NODE_ENV: "production",
    SLACK_BOT_TOKEN: "xoxb-image-smoke",
    SLACK_SIGNING_SECRET: "image-smoke",
    SLACK_API_URL: `http://127.0.0.1:${slack.address().port}/api/`,
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_FORMAT: "json",
  },
  stdio: ["ignore", "pipe", "pipe"],
});
let output = "";
app.stdout.on("data", (chunk) => (output += chunk));
app.stderr.on("data", (chunk) => (output += chunk));
const exited = new Promise((resolve) => app.on("exit", (code, signal) => resolve({ code, signal })));

async function status(route) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${route}`, { signal: AbortSignal.timeout(2000) });
    return { code: response.status, body: await response.text() };
  } catch {
    return { code: 0, body: "" };
  }
}

function fail(message) {
  console.error(`image smoke: ${message}\n--- app output ---\n${output}`);
  app.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(1);
}

let health = { code: 0 };
while (health.code !== 200) {
  if (Date.now() - started > 60_000) fail("no /healthz 200 within 60 s");
  if (app.exitCode !== null) fail(`the app exited (${app.exitCode}) before answering`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  health = await status("/healthz");
}
const healthyMs = Date.now() - started;
const ready = await status("/readyz");
if (ready.code !== 200) fail(`/readyz answered ${ready.code}: ${ready.body}`);
// npm start and the CLI scripts begin with the staleness check: it must run in this tree (no src/).
const stale = spawnSync(process.execPath, ["scripts/build-if-stale.mjs"], { cwd: dir, encoding: "utf8" });
if (stale.status !== 0) fail(`scripts/build-if-stale.mjs failed in the image tree: ${stale.stderr}`);
app.kill("SIGTERM");
const timer = setTimeout(() => fail("no clean exit within 15 s of SIGTERM"), 15_000);
const end = await exited;
clearTimeout(timer);
if (end.code !== 0) fail(`exit ${end.code ?? end.signal} after SIGTERM`);
slack.close();
rmSync(dataDir, { recursive: true, force: true });
console.log(`image smoke: started and healthy in ${healthyMs} ms, ready, stopped cleanly on SIGTERM`);
