/**
 * RSA-2048 key + CSR: certdesk's code against `openssl req` in a child process.
 * Usage: npx tsx bench/keygen.ts [iterations=20]
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { createCsr } from "../src/certs/csr.js";
import { generateKeyPair } from "../src/certs/keys.js";

const execFileAsync = promisify(execFile);
const NS_PER_MS = 1e6;
// On a shared machine the scheduler alone delays timers; an idle sample shows how much of the delay is ours.
const IDLE_BASELINE_MS = 2000;

interface Summary {
  mean: number;
  p50: number;
  p95: number;
}

async function timeEach(iterations: number, run: (index: number) => Promise<unknown>): Promise<number[]> {
  const durations: number[] = [];
  for (let index = 0; index < iterations; index++) {
    const started = performance.now();
    await run(index);
    durations.push(performance.now() - started);
  }
  return durations;
}

function summarise(durations: number[]): Summary {
  const sorted = [...durations].sort((a, b) => a - b);
  const percentile = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  return {
    mean: durations.reduce((sum, value) => sum + value, 0) / durations.length,
    p50: percentile(50),
    p95: percentile(95),
  };
}

function format(label: string, summary: Summary): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(10);
  return `${label.padEnd(22)} mean ${ms(summary.mean)}  p50 ${ms(summary.p50)}  p95 ${ms(summary.p95)}`;
}

async function idleEventLoopDelay(durationMs: number): Promise<{ max: number; mean: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  histogram.disable();
  return { max: histogram.max, mean: histogram.mean };
}

async function certdeskKeyAndCsr(): Promise<void> {
  const { privateKeyPem } = await generateKeyPair("rsa-2048");
  await createCsr({ privateKeyPem, subject: { commonName: "bench.example" }, domains: ["bench.example"] });
}

async function opensslKeyAndCsr(workDir: string, index: number): Promise<void> {
  const keyPath = path.join(workDir, `${index}.key`);
  const csrPath = path.join(workDir, `${index}.csr`);
  await execFileAsync("openssl", [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    keyPath,
    "-out",
    csrPath,
    "-subj",
    "/CN=bench.example",
  ]);
}

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 20);
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new Error("iterations must be a positive integer");
  const workDir = await mkdtemp(path.join(tmpdir(), "certdesk-bench-"));
  try {
    const idleDelay = await idleEventLoopDelay(IDLE_BASELINE_MS);
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const ours = await timeEach(iterations, certdeskKeyAndCsr);
    loopDelay.disable();
    const openssl = await timeEach(iterations, (index) => opensslKeyAndCsr(workDir, index));

    const oursSummary = summarise(ours);
    const opensslSummary = summarise(openssl);
    const { stdout: version } = await execFileAsync("openssl", ["version"]);
    console.log(
      `RSA-2048 key + CSR, ${iterations} iterations each (Node ${process.version}, ${version.trim()})`,
    );
    console.log(format("certdesk (node:crypto)", oursSummary));
    console.log(format("openssl req (process)", opensslSummary));
    console.log(`ratio certdesk/openssl  mean ${(oursSummary.mean / opensslSummary.mean).toFixed(2)}x`);
    console.log(
      `event-loop delay while certdesk ran (resolution 10 ms): max ${(loopDelay.max / NS_PER_MS).toFixed(1)} ms, ` +
        `mean ${(loopDelay.mean / NS_PER_MS).toFixed(1)} ms, samples ${loopDelay.count}`,
    );
    console.log(
      `event-loop delay idle for ${IDLE_BASELINE_MS} ms (baseline for this machine's load): ` +
        `max ${(idleDelay.max / NS_PER_MS).toFixed(1)} ms, mean ${(idleDelay.mean / NS_PER_MS).toFixed(1)} ms`,
    );
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

await main();
