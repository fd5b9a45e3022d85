import { once } from "node:events";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { eq } from "drizzle-orm";
import { getTasks } from "node-cron";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { clients, orderEvents } from "../../src/db/schema.js";
import { JOB_LOCK_KEYS, type Scheduler } from "../../src/jobs/scheduler.js";
import type { Order } from "../../src/orders/repository.js";
import { createImportCa, type ImportCa, startTlsServer } from "../support/certificates.js";
import { testDatabaseUrl } from "../support/database.js";
import { TestDnsServer } from "../support/dns-server.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { appHomeOpened, messageButton } from "../support/modal.js";
import { DAY_MS, insertOrder, testScheduler } from "./jobs-support.js";

/**
 * PROBE_CRON, "what is served": the probe resolves each issued certificate's names with certdesk's
 * resolver (a local DNS server here) and shakes hands with a local TLS server on the client's port,
 * then compares what it presented with the certificate certdesk holds. Problems are told once in the
 * order's thread; Details and App Home show the last look.
 */

const THREAD = { slackChannel: "C0SSL", slackThreadTs: "1700000000.000100" };

let dns: TestDnsServer;
let t: TestApp;
let scheduler: Scheduler;
let ca: ImportCa;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dns = await TestDnsServer.start();
  // Short enough that the time-out test waits little; every other look ends long before it.
  t = await startTestApp({ env: { SSL_CHANNEL: "C0SSL", DNS_SERVERS: dns.address }, probeTimeoutMs: 1_000 });
  scheduler = await testScheduler(t);
  ca = createImportCa("Probe Test");
});
afterAll(async () => {
  await scheduler?.stop();
  await t?.stop();
  await dns?.close();
});
beforeEach(async () => {
  await t.app.settled();
  await t.database.truncateAll();
  t.slack.reset();
  t.logLines.length = 0;
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Every name given answers A 127.0.0.1 (where the local servers listen). */
function pointAtLocalhost(names: string[]) {
  dns.setZone({
    records: Object.fromEntries(names.map((name) => [name, [{ type: "A" as const, address: "127.0.0.1" }]])),
  });
}

/** Acme Ltd, whose certificates the probe looks at on `ports` instead of 443. */
async function clientOnPorts(ports: number[]): Promise<number> {
  const client = await createAcmeClient(t.database.db);
  await t.database.db.update(clients).set({ probePorts: ports }).where(eq(clients.id, client.id));
  return client.id;
}

/** An order issued now (by the test clock) with our certificate, its chain, and a thread. */
async function issuedOrder(clientId: number, names: string[], days = 90) {
  const now = t.clock.now();
  const leaf = ca.leaf(names, { days, now });
  const order = await insertOrder(t.database.db, {
    clientId,
    domain: names[0] ?? "",
    sans: names.slice(1),
    certificate: leaf.pem,
    chain: [ca.intermediatePem, ca.rootPem],
    notBefore: now,
    notAfter: leaf.notAfter,
    ...THREAD,
  });
  return { order, leaf };
}

async function serve(pem: string, keyPem: string, chain: string[]) {
  const server = await startTlsServer(pem, keyPem, chain);
  closers.push(() => server.close());
  return server.port;
}

/** A port nothing listens on: a server's, closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A TCP server on 127.0.0.1 that accepts connections and never answers (no TLS); `onConnection`
 * sees each one. Its connections are dropped when the test ends. Resolves to its port.
 */
async function silentServer(onConnection: (socket: Socket) => void = () => undefined): Promise<number> {
  const accepted: Socket[] = [];
  const server = createServer((socket) => {
    accepted.push(socket);
    socket.on("error", () => undefined);
    onConnection(socket);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of accepted) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

const threadReplies = () =>
  t.slack.callsTo("chat.postMessage").filter((call) => call.args.thread_ts === THREAD.slackThreadTs);

async function servedEvents(orderId: number) {
  return t.database.db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId));
}

/** A view's section texts, one after another, as a person reads them. */
function sectionTexts(view: unknown): string {
  const blocks = (view as { blocks: { type: string; text?: { text: string } }[] }).blocks;
  return blocks
    .filter((block) => block.type === "section" || block.type === "header")
    .map((block) => block.text?.text ?? "")
    .join("\n\n");
}

async function openDetails(order: Order): Promise<string> {
  const before = t.slack.callsTo("views.open").length;
  await t.driver.interactive(
    messageButton({ channel: "C0SSL", ts: THREAD.slackThreadTs }, "order_details", String(order.id), {
      userId: "U0ANN",
      responseUrl: t.slack.responseUrl(),
    }),
  );
  const opened = await t.slack.waitFor("views.open", () => t.slack.callsTo("views.open").length > before);
  return sectionTexts(opened.args.view);
}

async function openHome(user = "U0ANN"): Promise<string> {
  const response = await t.driver.interactive(appHomeOpened(user));
  expect(response.status).toBe(200);
  return sectionTexts((await t.slack.waitFor("views.publish")).args.view);
}

describe("the served-certificate probe", () => {
  it("finds our certificate served with its full chain: served, and nothing told", async () => {
    pointAtLocalhost(["www.example.com"]);
    const clientId = await clientOnPorts([]);
    const issued = await issuedOrder(clientId, ["www.example.com"]);
    const port = await serve(issued.leaf.pem, issued.leaf.keyPem, [ca.intermediatePem]);
    await t.database.db
      .update(clients)
      .set({ probePorts: [port] })
      .where(eq(clients.id, clientId));

    const summary = await scheduler.runProbe();
    expect(summary).toEqual({ certificates: 1, looked: 1, served: 1, different: 0, notServed: 0, told: 0 });
    expect(threadReplies()).toEqual([]);

    const details = await openDetails(issued.order);
    expect(details).toContain(`*What is served* — :white_check_mark: served · checked 2026-11-27`);
    expect(details).toContain(`www.example.com:${port} — served`);
  });

  it("tells once, after the 3 days' grace, that a name still serves an older certificate that expires sooner", async () => {
    pointAtLocalhost(["www.example.com", "example.com"]);
    const old = ca.leaf(["www.example.com", "example.com"], { days: 10, now: t.clock.now() });
    const port = await serve(old.pem, old.keyPem, [ca.intermediatePem]);
    const clientId = await clientOnPorts([port]);
    const { order } = await issuedOrder(clientId, ["www.example.com", "example.com"]);

    // Just issued: the previous certificate still being served is expected until someone installs ours.
    expect(await scheduler.runProbe()).toMatchObject({ looked: 2, different: 2, told: 0 });
    t.clock.advance(3 * DAY_MS);
    const first = await scheduler.runProbe();
    expect(first).toMatchObject({ looked: 2, different: 2, told: 1 });
    const again = await scheduler.runProbe();
    expect(again).toMatchObject({ looked: 2, different: 2, told: 0 });

    const replies = threadReplies();
    expect(replies).toHaveLength(1);
    expect(String(replies[0]?.args.text)).toContain(
      `www.example.com:${port}, example.com:${port} still serve another certificate, which expires on 2026-12-07, before *SSL-1001* (2027-02-25). Install *SSL-1001* there.`,
    );
    expect((await servedEvents(order.id)).filter((event) => event.kind === "served_problem")).toHaveLength(1);

    const details = await openDetails(order);
    expect(details).toContain("*What is served* — :warning: different certificate (0 of 2 served)");
    expect(details).toContain("expires 2026-12-07");
  });

  it("tells once that our certificate is served without its intermediate", async () => {
    pointAtLocalhost(["shop.example.com"]);
    const clientId = await clientOnPorts([]);
    const { order, leaf } = await issuedOrder(clientId, ["shop.example.com"]);
    const port = await serve(leaf.pem, leaf.keyPem, []);
    await t.database.db
      .update(clients)
      .set({ probePorts: [port] })
      .where(eq(clients.id, clientId));

    expect(await scheduler.runProbe()).toMatchObject({ served: 1, told: 1 });
    expect(await scheduler.runProbe()).toMatchObject({ served: 1, told: 0 });
    const replies = threadReplies();
    expect(replies).toHaveLength(1);
    expect(String(replies[0]?.args.text)).toContain(
      `shop.example.com:${port} serves *SSL-1001* without its full chain: CN=Probe Test Intermediate is not sent`,
    );
    expect(await openDetails(order)).toContain("served · chain incomplete");
  });

  it("says nothing is served at once, and tells it once 3 days after issue", async () => {
    pointAtLocalhost(["api.example.com"]);
    const port = await closedPort();
    const clientId = await clientOnPorts([port]);
    const { order } = await issuedOrder(clientId, ["api.example.com"]);

    expect(await scheduler.runProbe()).toMatchObject({ notServed: 1, told: 0 });
    expect(threadReplies()).toEqual([]);
    expect(await openDetails(order)).toContain(
      `:x: api.example.com:${port} — not served — Could not fetch the certificate of api.example.com:${port}: the connection was refused`,
    );

    t.clock.advance(3 * DAY_MS);
    expect(await scheduler.runProbe()).toMatchObject({ notServed: 1, told: 1 });
    expect(await scheduler.runProbe()).toMatchObject({ notServed: 1, told: 0 });
    const replies = threadReplies();
    expect(replies).toHaveLength(1);
    expect(String(replies[0]?.args.text)).toContain(
      `*SSL-1001* is still not served on api.example.com:${port}, 3 days after it was issued`,
    );
    expect(String(replies[0]?.args.text)).toContain("the connection was refused");
    t.clock.set(new Date("2026-11-27T10:00:00Z"));
  });

  it("says a name that does not resolve is not served, and skips wildcard names", async () => {
    dns.setZone({ records: { "other.example.org": [{ type: "A", address: "127.0.0.1" }] } });
    const clientId = await clientOnPorts([443]);
    const { order } = await issuedOrder(clientId, ["*.example.com", "gone.example.com"]);
    expect(await scheduler.runProbe()).toMatchObject({ looked: 1, notServed: 1 });
    const details = await openDetails(order);
    expect(details).toContain(
      "gone.example.com — not served — gone.example.com does not exist in DNS (NXDOMAIN).",
    );
    expect(details).not.toContain("• :x: *.example.com");
  });

  it("gives up on a server that never completes the handshake after the time-out", async () => {
    pointAtLocalhost(["slow.example.com"]);
    const port = await silentServer();
    const clientId = await clientOnPorts([port]);
    const { order } = await issuedOrder(clientId, ["slow.example.com"]);
    expect(await scheduler.runProbe()).toMatchObject({ notServed: 1 });
    expect(await openDetails(order)).toContain("did not complete a TLS handshake within 1 s");
  });

  it("never has more than 4 connections open at once", async () => {
    const names = Array.from({ length: 10 }, (_, index) => `site${index}.example.com`);
    pointAtLocalhost(names);
    // Holds each connection; once it holds all it may get (4, fewer at the end) and a moment passes
    // without another arriving, it drops the oldest. Without a limit all ten would arrive at once.
    const held: Socket[] = [];
    let open = 0;
    let most = 0;
    let dropped = 0;
    let timer: NodeJS.Timeout | undefined;
    const dropWhenFull = () => {
      if (timer || held.length < Math.min(4, names.length - dropped)) return;
      timer = setTimeout(() => {
        timer = undefined;
        const oldest = held.shift();
        if (oldest) {
          open -= 1;
          dropped += 1;
          oldest.destroy();
        }
        dropWhenFull();
      }, 25);
    };
    const gate = await silentServer((socket) => {
      open += 1;
      most = Math.max(most, open);
      held.push(socket);
      dropWhenFull();
    });
    const clientId = await clientOnPorts([gate]);
    // One certificate with all ten names: ten looks in one run.
    await issuedOrder(clientId, names);

    expect(await scheduler.runProbe()).toMatchObject({ looked: 10, notServed: 10 });
    expect(dropped).toBe(10);
    expect(most).toBe(4);
  });
});

describe("App Home", () => {
  it("lists certificates not served as issued, and shows what is served beside those expiring", async () => {
    pointAtLocalhost(["www.example.com", "soon.example.com"]);
    const port = await closedPort();
    const clientId = await clientOnPorts([port]);
    await issuedOrder(clientId, ["www.example.com"]);
    await issuedOrder(clientId, ["soon.example.com"], 20);
    await scheduler.runProbe();

    const home = await openHome();
    expect(home).toContain("Not served as issued");
    expect(home).toContain(
      ":white_check_mark: *SSL-1001* · www.example.com · Acme Ltd\nServed: :x: not served · checked 2026-11-27",
    );
    expect(home).toContain("Expires on 2026-12-17\nServed: :x: not served · checked 2026-11-27");
  });
});

describe("PROBE_CRON", () => {
  it("defaults to 06:00 every day and is scheduled in TZ beside the other jobs", async () => {
    const minimal = { SLACK_BOT_TOKEN: "xoxb-1-abc", SLACK_SIGNING_SECRET: "s3cr3t" };
    expect(loadConfig(minimal).schedule.probeCron).toBe("0 6 * * *");
    const app = await startTestApp({
      env: { PROBE_CRON: "15 5 * * *", TZ: "Europe/Berlin" },
      keepCron: true,
    });
    try {
      const task = [...getTasks().values()].find((candidate) => candidate.name === "certdesk-probe");
      expect(task?.getPattern()).toBe("15 5 * * *");
      expect(
        task
          ?.getNextRun()
          ?.toLocaleString("en-GB", { timeZone: "Europe/Berlin", hour: "2-digit", minute: "2-digit" }),
      ).toBe("05:15");
    } finally {
      await app.stop();
    }
  });
});

describe.skipIf(!testDatabaseUrl)("with replicas (runs only with TEST_DATABASE_URL)", () => {
  it("looks at nothing on a replica while another holds the probe's advisory lock", async () => {
    const held = await t.database.withAdvisoryLock(JOB_LOCK_KEYS.probe, () => scheduler.runProbe());
    expect(held).toEqual({ ran: true, value: undefined });
  });
});
