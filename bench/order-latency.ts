/**
 * Issue "Ordering from Slack" performance targets, measured on the real app over HTTP with PGlite and
 * the sandbox provider:
 *  - `/ssl order` request sent → views.open received by the Slack API fake (target p50 < 100 ms);
 *  - domain entered (block action) → approver select shown via views.update (target p50 < 300 ms);
 *  - event-loop delay while orders are placed (key pair + CSR + vault + provider), target max < 50 ms.
 * Run: npx tsx bench/order-latency.ts [iterations]
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createAcmeClient } from "../test/support/fixtures.js";
import { startTestApp } from "../test/support/harness.js";
import { viewBlockAction } from "../test/support/modal.js";
import { orderRequest } from "../test/support/orders.js";

const iterations = Number(process.argv[2] ?? 50);
const t = await startTestApp();
await t.app.catalogue.get();
const client = await createAcmeClient(t.database.db);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const report = (label: string, values: number[]) =>
  console.log(
    `${label}: p50 ${percentile(values, 50).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms (n=${values.length})`,
  );

const toOpen: number[] = [];
const toApprovers: number[] = [];
for (let i = 0; i < iterations; i += 1) {
  t.slack.reset();
  const sent = performance.now();
  await t.driver.slashCommand(`order "${client.name}"`);
  const opened = await t.slack.waitFor("views.open");
  toOpen.push(performance.now() - sent);

  const view = opened.args.view as Record<string, unknown>;
  const typed = performance.now();
  await t.driver.interactive(
    viewBlockAction(view, { viewId: "V-BENCH" }, "order_domain", { order_domain: `www${i}.example.com` }),
  );
  await t.slack.waitFor("views.update", (call) => JSON.stringify(call.args.view).includes("order_approver"));
  toApprovers.push(performance.now() - typed);
}

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
const placements = Math.max(5, Math.floor(iterations / 5));
const placeStarted = performance.now();
for (let i = 0; i < placements; i += 1) {
  const { order } = await t.app.orders.createOrder(
    orderRequest(client.id, {
      primaryDomain: `shop${i}.example.com`,
      requestedBy: "U0BENCH",
      idempotencyKey: `bench-${i}`,
    }),
  );
  await t.app.orders.place(order.id, "U0BENCH");
}
const placeMs = (performance.now() - placeStarted) / placements;
histogram.disable();

console.log(
  `certdesk order latency, ${iterations} iterations, Node ${process.version}, embedded PGlite, sandbox provider`,
);
report("/ssl order → views.open", toOpen);
report("domain entered → approver select", toApprovers);
console.log(
  `placing an order (RSA-2048 key + CSR + vault + sandbox): ${placeMs.toFixed(1)} ms each over ${placements}; ` +
    `event-loop delay max ${(histogram.max / 1e6).toFixed(1)} ms, mean ${(histogram.mean / 1e6).toFixed(1)} ms (10 ms resolution)`,
);
await t.stop();
