/**
 * Hardening issue, item 1: how fast certdesk acks `/ssl` commands and opens the order modal, beside two
 * reference apps on the same Bolt receiver — "bare" (only acks) and "minimal" (no database or logic:
 * `/ssl order` acks, renders a realistic 12-input form and calls views.open once, minimal-order-form.ts;
 * `help` and `list` answer with certdesk's own payloads). Each app runs in a node of its own over HTTP on 127.0.0.1,
 * against the Slack API fake running here.
 *  1. Fixed rate: `--rate` commands/s (help, order, list in turn) for `--duration` s, sent on schedule
 *     whatever the answers (open loop): ack p50/p99, `/ssl order` → views.open p50/p99.
 *     Targets: ack p99 < 20 ms, views.open p99 < 50 ms on 2 cores.
 *  2. Saturation: `--concurrency` commands in flight (a command ends when acked and its Slack calls
 *     arrived): commands/s and CPU per command. Target: ≤ 1.5× the minimal app's CPU per command.
 * Run: npx tsx bench/ack-latency/run.ts [--quick] [--duration 60] [--rate 100] [--concurrency 50]
 *        [--saturation 20] [--apps certdesk,minimal,bare] [--by-kind [--kinds order]] [--cpu-prof DIR] [--postgres]
 * --by-kind adds a saturation run per command kind (CPU per help, order, list; --kinds order,list keeps
 * those); --cpu-prof DIR profiles
 * each app's process (node --cpu-prof). --postgres runs certdesk on a fresh PostgreSQL database
 * (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) instead of embedded PGlite, whose
 * queries otherwise run, and are counted, in certdesk's own process.
 */
import { rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startSlackApiFake } from "../../test/support/slack-api-fake.js";
import { launchCertdesk } from "./certdesk-app.js";
import { type AppProcess, launchApp } from "./child.js";
import {
  type Calibration,
  type CommandKind,
  CommandLog,
  KINDS,
  mergeStats,
  type PhaseStats,
  Traffic,
} from "./traffic.js";

const { values: options } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    duration: { type: "string" },
    rate: { type: "string", default: "100" },
    concurrency: { type: "string", default: "50" },
    saturation: { type: "string" },
    apps: { type: "string", default: "certdesk,minimal,bare" },
    "by-kind": { type: "boolean", default: false },
    kinds: { type: "string" },
    "cpu-prof": { type: "string" },
    postgres: { type: "boolean", default: false },
  },
});
const duration = Number(options.duration ?? (options.quick ? 10 : 60));
const rate = Number(options.rate);
const concurrency = Number(options.concurrency);
const saturationSeconds = Number(options.saturation ?? Math.max(5, Math.round(duration / 3)));
const warmupSeconds = options.quick ? 2 : 5;
const apps = (options.apps ?? "").split(",").map((name) => name.trim());
/** --kinds order: only those kinds' --by-kind runs (e.g. to profile one path with --cpu-prof). */
const byKindKinds = options.kinds
  ? KINDS.filter((kind) => (options.kinds ?? "").split(",").includes(kind))
  : KINDS;
if (apps.includes("minimal") && !apps.includes("certdesk")) {
  throw new Error(
    "--apps: the minimal app replays certdesk's help and list payloads, so certdesk must run too",
  );
}

const SIGNING_SECRET = "bench-signing-secret-0123456789abcdef";
/** Saturation is measured in rounds of this length, the apps taking turns, so that a shared machine's
 * changing load weighs on each app alike. */
const ROUND_SECONDS = 5;

interface Running {
  app: AppProcess;
  traffic: Traffic;
  calibration: Calibration;
}

interface Saturated {
  stats: PhaseStats;
  cpuMs: number;
}

interface FixedRate {
  fixed: PhaseStats;
  fixedCpuMs: number;
  /** This process (load generator and Slack API fake) during the fixed-rate phase. */
  driverCpuMs: number;
  /** CPU ms of the app's process per second with no traffic, measured after the warm-up. */
  idleCpuMsPerS: number;
}

interface AppResult extends FixedRate {
  name: string;
  calibration: Calibration;
  saturation: Saturated;
  byKind?: Record<CommandKind, Saturated>;
  stderr: string[];
  stderrLines: number;
}

const loadBefore = loadavg();
const slack = await startSlackApiFake();
const commandLog = new CommandLog(slack);
const env = {
  SLACK_BOT_TOKEN: "xoxb-ack-bench",
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: slack.apiUrl,
  // The order form's "Will it issue?" asks DNS: a closed local port answers at once, as no network
  // exists here; the check runs after the ack and the approver list, off what is measured.
  DNS_SERVERS: "127.0.0.1:1",
};
const payloadFile = path.join(tmpdir(), `certdesk-ack-bench-payloads-${process.pid}.json`);
const launched: AppProcess[] = [];
const running: Running[] = [];
try {
  // certdesk first: the minimal app replays what it sent.
  for (const name of [...apps].sort((a, b) => Number(b === "certdesk") - Number(a === "certdesk"))) {
    const app = await launch(name);
    launched.push(app);
    const traffic = new Traffic(commandLog, app.url, SIGNING_SECRET);
    const calibration = await traffic.calibrate();
    running.push({ app, traffic, calibration });
    if (name === "certdesk") await writeFile(payloadFile, JSON.stringify(calibration.payloads));
    log(`${name}: calls per command ${describeCalls(calibration)}`);
  }
  const fixed: FixedRate[] = [];
  for (const entry of running) fixed.push(await fixedRatePhase(entry));

  log(`saturation: ${concurrency} in flight, ${saturationSeconds} s per app in ${ROUND_SECONDS} s turns`);
  const saturation = await saturate(KINDS);
  const byKind = new Map<string, Record<CommandKind, Saturated>>();
  if (options["by-kind"]) {
    for (const kind of byKindKinds) {
      log(`saturation, only ${kind}`);
      for (const [name, result] of await saturate([kind])) {
        byKind.set(name, { ...(byKind.get(name) ?? ({} as Record<CommandKind, Saturated>)), [kind]: result });
      }
    }
  }
  const results: AppResult[] = running.map(({ app, calibration }, index) => ({
    name: app.name,
    calibration,
    ...(fixed[index] as FixedRate),
    saturation: saturation.get(app.name) as Saturated,
    byKind: byKind.get(app.name),
    stderr: [...app.stderr],
    stderrLines: app.stderrLines(),
  }));
  await printReport(results);
} finally {
  for (const app of launched) await app.stop();
  await slack.stop();
  await rm(payloadFile, { force: true });
}

async function launch(name: string): Promise<AppProcess> {
  const profileDir = options["cpu-prof"] && path.resolve(options["cpu-prof"]);
  const nodeArgs = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  switch (name) {
    case "certdesk":
      return launchCertdesk(env, { nodeArgs, postgres: options.postgres });
    case "minimal":
      return launchApp(name, "bench/ack-latency/minimal-app.ts", {
        env: { ...env, BENCH_PAYLOADS: payloadFile },
        nodeArgs,
      });
    case "bare":
      return launchApp(name, "bench/ack-latency/bare-app.ts", { env, nodeArgs });
    default:
      throw new Error(`--apps: unknown app ${name} (certdesk, minimal, bare)`);
  }
}

/** Waits (up to 30 s) until the app has worked off what an overloaded phase left queued. */
async function settle(app: AppProcess): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const before = app.cpuMs();
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (app.cpuMs() - before < 15 || performance.now() > deadline) return;
  }
}

/** One app at a time, the others idle: latency needs the machine to itself as far as it can have it. */
async function fixedRatePhase({ app, traffic }: Running): Promise<FixedRate> {
  log(`${app.name}: warming up ${warmupSeconds} s`);
  await traffic.fixedRate(rate, warmupSeconds);
  await settle(app);
  let cpu = app.cpuMs();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const idleCpuMsPerS = (app.cpuMs() - cpu) / 2;

  log(`${app.name}: ${rate}/s for ${duration} s`);
  cpu = app.cpuMs();
  const driverCpu = process.cpuUsage();
  const fixed = await traffic.fixedRate(rate, duration);
  const fixedCpuMs = app.cpuMs() - cpu;
  const { user, system } = process.cpuUsage(driverCpu);
  await settle(app);
  return { fixed, fixedCpuMs, driverCpuMs: (user + system) / 1000, idleCpuMsPerS };
}

async function saturate(kinds: CommandKind[]): Promise<Map<string, Saturated>> {
  const rounds = Math.max(1, Math.round(saturationSeconds / ROUND_SECONDS));
  const totals = new Map<string, Saturated>();
  for (let round = 0; round < rounds; round += 1) {
    for (const { app, traffic } of running) {
      await settle(app);
      const cpu = app.cpuMs();
      const stats = await traffic.saturate(concurrency, saturationSeconds / rounds, kinds);
      const previous = totals.get(app.name);
      const cpuMs = app.cpuMs() - cpu;
      totals.set(app.name, {
        stats: previous ? mergeStats(previous.stats, stats) : stats,
        cpuMs: (previous?.cpuMs ?? 0) + cpuMs,
      });
    }
  }
  return totals;
}

async function printReport(all: AppResult[]): Promise<void> {
  const minimal = all.find((result) => result.name === "minimal");
  // Commands that failed were still worked on by the app, so CPU is shared over every command sent.
  const perCommand = ({ cpuMs, stats }: Saturated) => cpuMs / Math.max(1, stats.sent);
  const perSecond = ({ stats }: Saturated) => (stats.acked * 1000) / stats.elapsedMs;
  const rows = all.map((result) => {
    const { fixed, saturation } = result;
    const sat = saturation.stats;
    return [
      result.name,
      ms(percentile(fixed.ackMs, 50)),
      ms(percentile(fixed.ackMs, 99)),
      ms(percentile(fixed.openMs, 50)),
      ms(percentile(fixed.openMs, 99)),
      `${fixed.failed}/${fixed.incomplete}`,
      perSecond(saturation).toFixed(0),
      perCommand(saturation).toFixed(2),
      minimal ? `${(perCommand(saturation) / perCommand(minimal.saturation)).toFixed(2)}×` : "–",
      (result.fixedCpuMs / Math.max(1, fixed.sent)).toFixed(2),
      result.idleCpuMsPerS.toFixed(0),
      `${sat.failed}/${sat.incomplete}`,
      ms(percentile(fixed.lagMs, 99)),
      (result.driverCpuMs / Math.max(1, fixed.sent)).toFixed(2),
    ];
  });
  console.log(
    `\nack latency, Node ${process.version}, ${availableParallelism()} CPUs, load average ` +
      `${formatLoad(loadBefore)} before, ${formatLoad(loadavg())} after (shared machine)`,
  );
  console.log(
    `fixed rate: ${rate}/s for ${duration} s (after ${warmupSeconds} s warm-up), mix ${Object.keys(
      all[0]?.calibration.calls ?? {},
    ).join("/")}; saturation: ${concurrency} in flight for ${saturationSeconds} s per app, ` +
      `in ${ROUND_SECONDS} s turns`,
  );
  printTable(
    [
      "app",
      "ack p50",
      "ack p99",
      "open p50",
      "open p99",
      "fail/incompl",
      "sat cmd/s",
      "CPU ms/cmd",
      "vs minimal",
      "CPU ms/cmd @rate",
      "idle CPU ms/s",
      "sat fail/incompl",
      "send lag p99",
      "driver CPU ms/cmd",
    ],
    rows,
  );
  console.log(
    "(open = `/ssl order` sent → views.open received; timeout = not within 10 s, counted as the slowest; " +
      "CPU = user+sys of the app's process; @rate and idle " +
      "include background work; fail = no 200 ack within 10 s, incompl = acked but a Slack call missing; " +
      "send lag and driver CPU = this process, which also runs the Slack API fake)",
  );
  const withKinds = all.filter((result) => result.byKind);
  if (withKinds.length > 0) {
    console.log(
      `\none kind at a time, ${concurrency} in flight for ${saturationSeconds} s each: CPU ms per command (cmd/s)`,
    );
    printTable(
      ["app", ...KINDS],
      withKinds.map((result) => [
        result.name,
        ...KINDS.map((kind) => {
          const entry = result.byKind?.[kind];
          return entry ? `${perCommand(entry).toFixed(2)} (${perSecond(entry).toFixed(0)}/s)` : "–";
        }),
      ]),
    );
    // Slack's rule: the modal opens within 3 s of the command, whatever else arrives at once.
    console.log(`
only /ssl order, ${concurrency} in flight: command → views.open`);
    printTable(
      ["app", "open p50", "open p99", "unanswered"],
      withKinds.map((result) => {
        const stats = result.byKind?.order?.stats;
        return stats
          ? [
              result.name,
              ms(percentile(stats.openMs, 50)),
              ms(percentile(stats.openMs, 99)),
              String(stats.failed + stats.incomplete),
            ]
          : [result.name, "–", "–", "–"];
      }),
    );
  }
  for (const result of all) {
    console.log(`${result.name}: Slack calls per command ${describeCalls(result.calibration)}`);
    for (const [phase, stats] of [
      ["fixed rate", result.fixed],
      ["saturation", result.saturation.stats],
    ] as const) {
      for (const [reason, count] of stats.failures) console.log(`  ${phase}: ${count} × ${reason}`);
    }
    if (result.stderrLines > 0) {
      const file = path.join(tmpdir(), `certdesk-ack-bench-${result.name}-${process.pid}.stderr.log`);
      await writeFile(file, result.stderr.join("\n"));
      console.log(
        `  stderr: ${result.stderrLines} lines, the first ${result.stderr.length} in ${file}; first 8:\n` +
          `    ${result.stderr.slice(0, 8).join("\n    ")}`,
      );
    }
  }
  if (commandLog.unattributed > 0) {
    console.log(`${commandLog.unattributed} Slack calls not tied to a live command (late, after a timeout)`);
  }
  const certdesk = all.find((result) => result.name === "certdesk");
  if (certdesk) {
    const checks = [
      ["ack p99 < 20 ms", percentile(certdesk.fixed.ackMs, 99) < 20],
      ["views.open p99 < 50 ms", percentile(certdesk.fixed.openMs, 99) < 50],
      ...(minimal
        ? [
            [
              "CPU per command ≤ 1.5× minimal",
              perCommand(certdesk.saturation) <= 1.5 * perCommand(minimal.saturation),
            ],
          ]
        : []),
    ] as [string, boolean][];
    console.log(
      `certdesk targets: ${checks.map(([label, ok]) => `${label} ${ok ? "met" : "MISSED"}`).join("; ")}`,
    );
  }
}

function describeCalls(calibration: Calibration): string {
  return Object.entries(calibration.calls)
    .map(([kind, calls]) => `${kind}: ack${calls.map((call) => ` + ${call}`).join("")}`)
    .join(", ");
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) =>
      column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0),
    );
  console.log(line(header).join("  "));
  for (const row of rows) console.log(line(row).join("  "));
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function ms(value: number): string {
  if (Number.isNaN(value)) return "–";
  return Number.isFinite(value) ? `${value.toFixed(1)} ms` : "timeout";
}

function formatLoad(load: number[]): string {
  return load.map((value) => value.toFixed(2)).join(", ");
}

function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
