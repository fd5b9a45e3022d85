import { eq } from "drizzle-orm";
import { getTasks } from "node-cron";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { ctSightings, orders } from "../../src/db/schema.js";
import type { Scheduler } from "../../src/jobs/scheduler.js";
import { createCertificateImport } from "../../src/orders/certificate-import.js";
import { createImportCa } from "../support/certificates.js";
import { startCtSearchStub } from "../support/ct-search-stub.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, useTestApp } from "../support/harness.js";
import { messageButton, textOf } from "../support/modal.js";
import { issueThroughSandbox } from "../support/orders.js";
import type { RecordedCall } from "../support/slack-api-fake.js";
import { insertOrder, testScheduler } from "./jobs-support.js";

/**
 * CT_CRON's Certificate Transparency watch against a local search service in crt.sh's JSON format
 * (test/support/ct-search-stub.ts): what is posted, once, for which certificates; Import and Ignore
 * on the real Bolt app; a search service that fails.
 */

const stub = await startCtSearchStub();
afterAll(async () => {
  await stub.stop();
});

const t = useTestApp({
  env: { SSL_CHANNEL: "C0SSL", CT_SEARCH_URL: stub.url, SSL_ORDERERS: "U0ANN" },
  // A timeout the stub can outwait in a moment, and retries without a pause.
  ctSearch: { timeoutMs: 300, retries: 1, retryDelayMs: 0 },
});
const ca = createImportCa("CT Test");
let scheduler: Scheduler;
let clientId: number;

beforeAll(async () => {
  scheduler = await testScheduler(t);
});
afterAll(async () => {
  await scheduler.stop();
});
beforeEach(async () => {
  stub.reset();
  // The certificates are made for today: the app's clock says today too.
  t.clock.set(new Date());
  clientId = (await createAcmeClient(t.database.db)).id;
  // The client's domain is example.com: the registrable domain of its order's name.
  await insertOrder(t.database.db, { clientId, domain: "www.example.com" });
});

const ctPosts = () =>
  t.slack
    .callsTo("chat.postMessage")
    .filter((call) => call.args.channel === "C0SSL" && textOf(call.args.blocks ?? []).includes("ct_actions"));

function buttons(call: RecordedCall): { action_id: string; value: string; text: { text: string } }[] {
  const blocks = call.args.blocks as {
    elements?: { action_id: string; value: string; text: { text: string } }[];
  }[];
  return blocks.flatMap((block) => block.elements ?? []).filter((element) => element.action_id);
}

async function sightings() {
  return t.database.db.select().from(ctSightings);
}

const day = (date: Date) => date.toISOString().slice(0, 10);

async function click(actionId: "ct_import" | "ct_ignore", userId = "U0ANN") {
  const [row] = await sightings();
  if (!row?.slackTs) throw new Error("no posted sighting");
  const responseUrl = t.slack.responseUrl();
  const response = await t.driver.interactive(
    messageButton(
      { channel: "C0SSL", ts: row.slackTs },
      actionId,
      String(row.id),
      { userId, responseUrl },
      `ct_actions:${row.id}`,
    ),
  );
  expect(response.status).toBe(200);
  await t.app.settled();
  return { row, responseUrl };
}

describe("the Certificate Transparency watch", () => {
  it("posts a certificate certdesk did not order once, with its issuer, names, dates and client, and Import and Ignore", async () => {
    const leaf = ca.leaf(["shop.example.com", "www.shop.example.com"], { days: 60 });
    stub.log(leaf.pem);

    expect(await scheduler.runCtWatch()).toMatchObject({
      domains: 1,
      searched: 1,
      failed: 0,
      recorded: 1,
      posted: 1,
    });
    expect(await scheduler.runCtWatch()).toMatchObject({ recorded: 0, posted: 0 });

    const posts = ctPosts();
    expect(posts).toHaveLength(1);
    const message = textOf(posts[0]?.args.blocks);
    expect(message).toContain("CN=CT Test Intermediate");
    expect(message).toContain("`shop.example.com`, `www.shop.example.com`");
    expect(message).toContain(`${day(new Date(Date.now() - 86_400_000))} to ${day(leaf.notAfter)}`);
    expect(message).toContain("Acme Ltd");
    expect(buttons(posts[0] as RecordedCall).map((button) => [button.action_id, button.text.text])).toEqual([
      ["ct_import", "Import"],
      ["ct_ignore", "Ignore"],
    ]);
    // crt.sh's JSON, one domain at a time: the domain itself, then the names under it.
    expect(stub.requests.map((request) => request.query.q)).toEqual([
      "example.com",
      "%.example.com",
      "example.com",
      "%.example.com",
    ]);
    expect(stub.requests[0]?.query).toMatchObject({ output: "json", exclude: "expired" });
    expect(await sightings()).toMatchObject([{ clientId, status: "posted", slackChannel: "C0SSL" }]);
  });

  it("posts nothing for certificates certdesk ordered or imported, nor for expired ones", async () => {
    const ordered = await issueThroughSandbox(t.app, t.database.db, clientId);
    const imported = ca.leaf(["mail.example.com"]);
    const outcome = await createCertificateImport({ db: t.database.db, clock: t.clock }).importCertificate({
      source: { kind: "pem", text: imported.pem },
      clientId,
      requestedBy: "U0ANN",
    });
    expect(outcome.kind).toBe("imported");
    stub.log(ordered.certificate ?? "");
    stub.log(imported.pem);
    stub.log(ca.leaf(["old.example.com"], { days: -3 }).pem);
    // And one it did not order, to show the others were found and left out.
    stub.log(ca.leaf(["new.example.com"]).pem);

    expect(await scheduler.runCtWatch()).toMatchObject({ searched: 1, recorded: 1, posted: 1 });
    expect(ctPosts().map((call) => textOf(call.args.blocks))).toEqual([
      expect.stringContaining("new.example.com"),
    ]);
  });

  it("posts a certificate logged as precertificate and certificate once, and Import imports the certificate for the client", async () => {
    const pair = ca.leafWithPrecertificate(["api.example.com"]);
    const [precertificateId, certificateId] = stub.log(pair.pem, {
      precertificate: true,
      precertificatePem: pair.precertificatePem,
    });
    await scheduler.runCtWatch();
    expect(ctPosts()).toHaveLength(1);
    expect(await sightings()).toMatchObject([
      { crtshId: certificateId, entryIds: [certificateId, precertificateId] },
    ]);

    const { responseUrl } = await click("ct_import");
    const told = t.slack
      .callsTo("response_url")
      .filter((call) => call.args.responseUrlId === responseUrl.split("/").pop());
    expect(told.map((call) => call.args.text)).toEqual([
      ":hourglass_flowing_sand: Fetching the certificate from the Certificate Transparency search service…",
    ]);
    const edited = await t.slack.waitFor("chat.update");
    expect(edited.args).toMatchObject({ channel: "C0SSL" });
    expect(textOf(edited.args.blocks)).toMatch(/Imported by <@U0ANN> as \*SSL-\d+\*/);
    expect(textOf(edited.args.blocks)).not.toContain("ct_import");

    const external = await t.database.db.select().from(orders).where(eq(orders.provider, "external"));
    expect(external).toMatchObject([
      { clientId, status: "issued", primaryDomain: "api.example.com", certificate: pair.pem },
    ]);
    expect(await sightings()).toMatchObject([
      { status: "imported", resolvedBy: "U0ANN", orderId: external[0]?.id },
    ]);
    // Now certdesk tracks it: the next run has nothing to say.
    expect(await scheduler.runCtWatch()).toMatchObject({ recorded: 0, posted: 0 });
    expect(ctPosts()).toHaveLength(1);
  });

  it("Ignore records who ignored it, says so in the message, and the certificate is never posted again", async () => {
    stub.log(ca.leaf(["staging.example.com"]).pem);
    await scheduler.runCtWatch();

    await click("ct_ignore");
    const edited = await t.slack.waitFor("chat.update");
    expect(textOf(edited.args.blocks)).toContain("Ignored by <@U0ANN>: it will not be posted again.");
    expect(await sightings()).toMatchObject([{ status: "ignored", resolvedBy: "U0ANN" }]);

    await scheduler.runCtWatch();
    expect(ctPosts()).toHaveLength(1);
    // A second press tells the presser who was first.
    const { responseUrl } = await click("ct_import");
    const reply = await t.slack.waitFor(
      "response_url",
      (call) => call.args.responseUrlId === responseUrl.split("/").pop(),
    );
    expect(String(reply.args.text)).toContain("<@U0ANN> already ignored this certificate.");
    expect(await t.database.db.select().from(orders).where(eq(orders.provider, "external"))).toEqual([]);
  });

  it("refuses Import and Ignore to people who may not import, in a message only they see", async () => {
    stub.log(ca.leaf(["shop.example.com"]).pem);
    await scheduler.runCtWatch();

    for (const action of ["ct_import", "ct_ignore"] as const) {
      const { responseUrl } = await click(action, "U0BOB");
      const reply = await t.slack.waitFor(
        "response_url",
        (call) => call.args.responseUrlId === responseUrl.split("/").pop(),
      );
      expect(reply.args).toMatchObject({
        response_type: "ephemeral",
        text: ":no_entry: Only people in SSL_ORDERERS can import certificates. Ask a certdesk admin to add you if you need to.",
      });
    }
    expect(t.slack.callsTo("chat.update")).toEqual([]);
    expect(await sightings()).toMatchObject([{ status: "posted", resolvedBy: null }]);
    expect(await t.database.db.select().from(orders).where(eq(orders.provider, "external"))).toEqual([]);
    // No ?d= fetch was made for a refused press.
    expect(stub.requests.filter((request) => request.query.d)).toEqual([]);
  });

  it("loses nothing when the search service answers 503 or times out: the next run posts", async () => {
    stub.log(ca.leaf(["shop.example.com"]).pem);

    // 503 on the first try and on its retry.
    stub.force({ status: 503 }, { status: 503 });
    expect(await scheduler.runCtWatch()).toMatchObject({ searched: 0, failed: 1, recorded: 0, posted: 0 });
    expect(t.logLines.join("\n")).toContain("the search for example.com failed (HTTP 503)");

    // Too slow, twice: the client gives up at its time limit.
    stub.force({ delayMs: 1_000 }, { delayMs: 1_000 });
    expect(await scheduler.runCtWatch()).toMatchObject({ searched: 0, failed: 1, posted: 0 });
    expect(t.logLines.join("\n")).toContain("the search for example.com failed (timed out)");
    expect(ctPosts()).toHaveLength(0);

    // A 503 the retry gets past loses nothing either.
    stub.force({ status: 503 });
    expect(await scheduler.runCtWatch()).toMatchObject({ searched: 1, failed: 0, recorded: 1, posted: 1 });
    expect(ctPosts()).toHaveLength(1);
  });

  it("keeps the buttons when the certificate cannot be fetched for Import, and tells the presser to try later", async () => {
    stub.log(ca.leaf(["shop.example.com"]).pem);
    await scheduler.runCtWatch();
    stub.force({ status: 503 }, { status: 503 });
    const { responseUrl } = await click("ct_import");
    const told = t.slack
      .callsTo("response_url")
      .filter((call) => call.args.responseUrlId === responseUrl.split("/").pop());
    expect(String(told.at(-1)?.args.text)).toContain(
      "did not hand out the certificate (HTTP 503). Nothing was imported; press Import again later.",
    );
    expect(t.slack.callsTo("chat.update")).toEqual([]);
    expect(await sightings()).toMatchObject([{ status: "posted", resolvedBy: null }]);
    expect(await t.database.db.select().from(orders).where(eq(orders.provider, "external"))).toEqual([]);
  });

  it("stops at a 429 and asks the rest at the next run", async () => {
    const other = (await createAcmeClient(t.database.db, { name: "Beta plc" })).id;
    await insertOrder(t.database.db, { clientId: other, domain: "beta.example.org" });
    stub.log(ca.leaf(["www.example.com"]).pem);
    stub.log(ca.leaf(["app.example.org"]).pem);

    stub.force({ status: 429 });
    expect(await scheduler.runCtWatch()).toMatchObject({
      domains: 2,
      searched: 0,
      rateLimited: true,
      posted: 0,
    });
    // Not retried, and the second domain was not asked.
    expect(stub.requests).toHaveLength(1);

    expect(await scheduler.runCtWatch()).toMatchObject({ searched: 2, recorded: 2, posted: 2 });
    const posted = ctPosts().map((call) => textOf(call.args.blocks));
    expect(posted.find((text) => text.includes("app.example.org"))).toContain("Beta plc");
    expect(posted.find((text) => text.includes("www.example.com"))).toContain("Acme Ltd");
  });

  it("posts at the next run what Slack did not take", async () => {
    stub.log(ca.leaf(["shop.example.com"]).pem);
    t.slack.on("chat.postMessage", () => ({ body: { ok: false, error: "internal_error" } }));
    expect(await scheduler.runCtWatch()).toMatchObject({ recorded: 1, posted: 0, postFailed: 1 });
    expect(await sightings()).toMatchObject([{ status: "new", slackTs: null }]);
    t.slack.reset();
    expect(await scheduler.runCtWatch()).toMatchObject({ recorded: 0, posted: 1 });
    expect(await sightings()).toMatchObject([{ status: "posted" }]);
  });
});

describe("CT_CRON and CT_SEARCH_URL", () => {
  it("default to 07:00 daily and crt.sh, and refuse what is not a schedule or a URL", () => {
    const minimal = { SLACK_BOT_TOKEN: "xoxb-1-abc", SLACK_SIGNING_SECRET: "s3cr3t" };
    const config = loadConfig(minimal);
    expect([config.schedule.ctCron, config.ctSearchUrl]).toEqual(["0 7 * * *", "https://crt.sh"]);
    let error: unknown;
    try {
      loadConfig({ ...minimal, CT_CRON: "daily", CT_SEARCH_URL: "crt.sh" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'CT_CRON "daily" is not a cron expression: use five fields, e.g. "*/15 * * * *"',
      "CT_SEARCH_URL must be an http(s) URL (e.g. https://crt.sh)",
    ]);
  });

  it("is scheduled in TZ with SSL_CHANNEL", async () => {
    const app = await startTestApp({
      env: { SSL_CHANNEL: "C0SSL", CT_CRON: "15 6 * * *", CT_SEARCH_URL: stub.url },
      keepCron: true,
    });
    try {
      const task = [...getTasks().values()].find((candidate) => candidate.name === "certdesk-ct");
      expect(task?.getPattern()).toBe("15 6 * * *");
    } finally {
      await app.stop();
    }
  });
});
