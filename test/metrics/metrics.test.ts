import { beforeEach, describe, expect, it } from "vitest";
import { createAcmeClient } from "../support/fixtures.js";
import { useTestApp } from "../support/harness.js";
import { insertOrder, issueThroughSandbox } from "../support/orders.js";
import { parseMetrics, type Scrape, scrape } from "../support/prometheus.js";

const DAY_MS = 86_400_000;

/** The counter's value, 0 when it has no sample yet (counters only grow: tests compare before and after). */
const count = (metrics: Scrape, name: string, labels: Record<string, string>) =>
  metrics.value(name, labels) ?? 0;

describe("GET /metrics", () => {
  const t = useTestApp({ env: { SSL_CHANNEL: "C0SSL" } });
  let clientId: number;
  beforeEach(async () => {
    clientId = (await createAcmeClient(t.database.db)).id;
  });

  it("answers in the Prometheus text format with every family, without a token when METRICS_TOKEN is unset", async () => {
    const response = await fetch(`${t.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const metrics = parseMetrics(await response.text());
    expect(Object.fromEntries(metrics.types)).toEqual({
      certdesk_orders: "gauge",
      certdesk_certificates_expiring: "gauge",
      certdesk_database_up: "gauge",
      certdesk_provider_call_duration_seconds: "histogram",
      certdesk_provider_call_errors_total: "counter",
      certdesk_slack_api_errors_total: "counter",
      certdesk_slack_rate_limited_total: "counter",
      certdesk_slack_rate_limit_wait_seconds_total: "counter",
      certdesk_job_runs_total: "counter",
      certdesk_job_last_run_timestamp_seconds: "gauge",
      certdesk_job_last_run_duration_seconds: "gauge",
      certdesk_job_last_success_timestamp_seconds: "gauge",
      certdesk_expiry_alerts_posted_total: "counter",
    });
    expect(metrics.value("certdesk_database_up")).toBe(1);
    // Every status of each enabled provider is there, at zero when it has no orders.
    expect(metrics.value("certdesk_orders", { status: "pending", provider: "sandbox" })).toBe(0);
    expect(metrics.value("certdesk_certificates_expiring", { within_days: "7" })).toBe(0);
  });

  it("times each provider call by method and counts orders by status and provider", async () => {
    const before = await scrape(t.url);
    await issueThroughSandbox(t.app, t.database.db, clientId);
    await insertOrder(t.database.db, { clientId, domain: "pending.example.com", status: "pending" });
    await insertOrder(t.database.db, {
      clientId,
      domain: "other.example.com",
      status: "failed",
      provider: "gogetssl",
    });

    const after = await scrape(t.url);
    const calls = (metrics: Scrape, method: string) =>
      count(metrics, "certdesk_provider_call_duration_seconds_count", { provider: "sandbox", method });
    expect(calls(after, "placeOrder") - calls(before, "placeOrder")).toBe(1);
    expect(calls(after, "getStatus") - calls(before, "getStatus")).toBe(1);
    expect(
      after.value("certdesk_provider_call_duration_seconds_sum", {
        provider: "sandbox",
        method: "placeOrder",
      }),
    ).toBeGreaterThan(0);
    expect(
      after.value("certdesk_provider_call_duration_seconds_bucket", {
        provider: "sandbox",
        method: "placeOrder",
        le: "+Inf",
      }),
    ).toBe(calls(after, "placeOrder"));

    expect(after.value("certdesk_orders", { status: "issued", provider: "sandbox" })).toBe(1);
    expect(after.value("certdesk_orders", { status: "pending", provider: "sandbox" })).toBe(1);
    expect(after.value("certdesk_orders", { status: "awaiting_approval", provider: "sandbox" })).toBe(0);
    // A provider no longer enabled still shows with the orders it has.
    expect(after.value("certdesk_orders", { status: "failed", provider: "gogetssl" })).toBe(1);
  });

  it("counts a provider call that failed by its error class", async () => {
    const order = await insertOrder(t.database.db, {
      clientId,
      domain: "www.example.com",
      status: "pending",
      providerOrderId: "SBX-NO-SUCH-ORDER",
    });
    const labels = { provider: "sandbox", method: "getStatus", error: "ProviderInputError" };
    const before = count(await scrape(t.url), "certdesk_provider_call_errors_total", labels);

    await t.app.status.checkStatus(order.id, "system").catch(() => undefined);

    const after = await scrape(t.url);
    expect(count(after, "certdesk_provider_call_errors_total", labels) - before).toBe(1);
  });

  it("counts certificates in use that end within 7 and within 30 days", async () => {
    const now = t.clock.now().getTime();
    const inDays = (days: number) => new Date(now + days * DAY_MS);
    await insertOrder(t.database.db, { clientId, domain: "five.example.com", notAfter: inDays(5) });
    await insertOrder(t.database.db, { clientId, domain: "twenty.example.com", notAfter: inDays(20) });
    await insertOrder(t.database.db, { clientId, domain: "forty.example.com", notAfter: inDays(40) });
    await insertOrder(t.database.db, { clientId, domain: "gone.example.com", notAfter: inDays(-1) });
    // Replaced by an issued renewal: no longer the certificate in use.
    await insertOrder(t.database.db, {
      clientId,
      domain: "renewed.example.com",
      notAfter: inDays(3),
      renewedAt: inDays(-2),
    });

    const metrics = await scrape(t.url);
    expect(metrics.value("certdesk_certificates_expiring", { within_days: "7" })).toBe(1);
    expect(metrics.value("certdesk_certificates_expiring", { within_days: "30" })).toBe(2);
  });

  it("records each job's run and duration, and the expiry alerts posted", async () => {
    await insertOrder(t.database.db, {
      clientId,
      domain: "www.example.com",
      notAfter: new Date(t.clock.now().getTime() + 5 * DAY_MS),
    });
    const before = await scrape(t.url);

    const summary = await t.app.scheduler.runExpiryScan();
    expect(summary?.posted).toBe(1);

    const after = await scrape(t.url);
    const startedAt = t.clock.now().getTime() / 1_000;
    expect(after.value("certdesk_job_last_run_timestamp_seconds", { job: "expiry" })).toBe(startedAt);
    expect(after.value("certdesk_job_last_success_timestamp_seconds", { job: "expiry" })).toBe(startedAt);
    expect(after.value("certdesk_job_last_run_duration_seconds", { job: "expiry" })).toBeGreaterThan(0);
    const runs = (metrics: Scrape) =>
      count(metrics, "certdesk_job_runs_total", { job: "expiry", outcome: "ok" });
    expect(runs(after) - runs(before)).toBe(1);
    const alerts = (metrics: Scrape) =>
      count(metrics, "certdesk_expiry_alerts_posted_total", { kind: "expiring" });
    expect(alerts(after) - alerts(before)).toBe(1);
    expect(after.value("certdesk_expiry_alerts_posted_total", { kind: "expired" })).toBe(
      before.value("certdesk_expiry_alerts_posted_total", { kind: "expired" }),
    );
  });

  it("counts Slack API errors by client, method and Slack's error code", async () => {
    t.slack.on("chat.postMessage", () => ({ body: { ok: false, error: "channel_not_found" } }));
    const labels = { client: "interactive", method: "chat.postMessage", error: "channel_not_found" };
    const before = count(await scrape(t.url), "certdesk_slack_api_errors_total", labels);

    await expect(t.app.slack.post("C0GONE", { text: "hello" })).rejects.toThrow(/channel_not_found/);

    const after = await scrape(t.url);
    expect(count(after, "certdesk_slack_api_errors_total", labels) - before).toBe(1);
  });

  it("counts Slack's 429s and the seconds the paced poster waited them out", async () => {
    await insertOrder(t.database.db, {
      clientId,
      domain: "www.example.com",
      notAfter: new Date(t.clock.now().getTime() + 5 * DAY_MS),
    });
    t.slack.rateLimit("chat.postMessage", 1, 3);
    const limited = { client: "background", method: "chat.postMessage" };
    const before = await scrape(t.url);

    expect((await t.app.scheduler.runExpiryScan())?.posted).toBe(1);

    const after = await scrape(t.url);
    expect(
      count(after, "certdesk_slack_rate_limited_total", limited) -
        count(before, "certdesk_slack_rate_limited_total", limited),
    ).toBe(1);
    const waited = (metrics: Scrape) =>
      count(metrics, "certdesk_slack_rate_limit_wait_seconds_total", { client: "background" });
    expect(waited(after) - waited(before)).toBe(3);
    // A rate limit is not an error: the post went through after the wait.
    expect(
      after.value("certdesk_slack_api_errors_total", { ...limited, error: "ratelimited" }),
    ).toBeUndefined();
  });
});

describe("GET /metrics with METRICS_TOKEN", () => {
  const TOKEN = "metrics-token-5b0f3c9e1d7a4b2c";
  const t = useTestApp({ env: { METRICS_TOKEN: TOKEN }, resetEachTest: false });

  it("answers 401 without the token or with another, 200 with it, and never logs it", async () => {
    const without = await fetch(`${t.url}/metrics`);
    expect(without.status).toBe(401);
    expect(without.headers.get("www-authenticate")).toContain("Bearer");
    const body = await without.text();
    expect(body).not.toContain("certdesk_");
    expect(body).not.toContain(TOKEN);

    for (const authorization of [
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      "Bearer ",
      `Basic ${Buffer.from(`user:${TOKEN}`).toString("base64")}`,
      TOKEN,
    ]) {
      const refused = await fetch(`${t.url}/metrics`, { headers: { authorization } });
      expect(refused.status, authorization).toBe(401);
    }

    const metrics = await scrape(t.url, { authorization: `Bearer ${TOKEN}` });
    expect(metrics.value("certdesk_database_up")).toBe(1);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: `bearer ${TOKEN}` } })).status).toBe(
      200,
    );

    // The other routes stay as they were.
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    expect(t.logLines.join("\n")).not.toContain(TOKEN);
  });
});
