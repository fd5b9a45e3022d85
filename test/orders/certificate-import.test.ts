import { once } from "node:events";
import { type AddressInfo, createServer } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fetchServedCertificates } from "../../src/checks/tls-certificate.js";
import { certificates, orderEvents, orders } from "../../src/db/schema.js";
import { EXTERNAL_PROVIDER, parseHostPort } from "../../src/domain/imported.js";
import { createCertificateImport } from "../../src/orders/certificate-import.js";
import { listCertificates } from "../../src/orders/certificates.js";
import { findDueCertificates } from "../../src/orders/expiry.js";
import { createProviderRegistry } from "../../src/providers/registry.js";
import type { SslProvider } from "../../src/providers/types.js";
import { createImportCa, startTlsServer } from "../support/certificates.js";
import { useTestDatabase } from "../support/database.js";
import { createAcmeClient } from "../support/fixtures.js";
import { TestClock } from "../support/harness.js";
import { insertOrder } from "../support/orders.js";

const database = useTestDatabase();
const ca = createImportCa();
const clock = new TestClock();
let clientId: number;
const changes: string[] = [];
const importer = () =>
  createCertificateImport({
    db: database.current.db,
    clock,
    observer: { orderChanged: async (_order, change) => void changes.push(change.kind) },
  });

beforeEach(async () => {
  clock.set(new Date());
  changes.length = 0;
  clientId = (await createAcmeClient(database.current.db)).id;
});

describe("importing a pasted certificate", () => {
  it("stores it as an issued order of the provider external, with certificate 1 and an event", async () => {
    const leaf = ca.leaf(["www.example.com", "example.com"], { days: 60 });
    const outcome = await importer().importCertificate({
      source: { kind: "pem", text: leaf.pem + ca.intermediatePem + ca.rootPem },
      clientId,
      requestedBy: "U0ANN",
      slackChannel: "C0OPS",
    });
    expect(outcome.kind).toBe("imported");
    if (outcome.kind !== "imported") return;
    const { order } = outcome;
    expect(order).toMatchObject({
      provider: EXTERNAL_PROVIDER,
      status: "issued",
      primaryDomain: "www.example.com",
      sans: ["example.com"],
      providerOrderId: null,
      encryptedPrivateKey: null,
      productName: "Issued by Import Test Intermediate",
      chain: [ca.intermediatePem, ca.rootPem],
    });
    expect(order.notAfter?.getTime()).toBe(leaf.notAfter.getTime());
    expect(order.coverageEndsAt?.getTime()).toBe(leaf.notAfter.getTime());
    const rows = await listCertificates(database.current.db, order);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      number: 1,
      status: "issued",
      keySource: "client_csr",
      serial: outcome.bundle.details.serialNumber,
    });
    const events = await database.current.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.orderId, order.id));
    expect(events.map((event) => event.kind)).toEqual(["imported"]);
    expect(changes).toEqual(["imported"]);
  });

  it("is covered by the expiry alerts", async () => {
    const leaf = ca.leaf(["alerts.example.com"], { days: 10 });
    const outcome = await importer().importCertificate({
      source: { kind: "pem", text: leaf.pem },
      clientId,
      requestedBy: "U0ANN",
    });
    if (outcome.kind !== "imported") throw new Error(outcome.kind);
    const due = await findDueCertificates(database.current.db, {
      now: clock.now(),
      thresholds: [30, 14, 7, 1],
    });
    expect(due.map((row) => row.orderId)).toEqual([outcome.order.id]);
  });

  it("stores nothing twice: the same certificate again is the order that holds it", async () => {
    const leaf = ca.leaf(["twice.example.com"]);
    const request = { source: { kind: "pem" as const, text: leaf.pem }, clientId, requestedBy: "U0ANN" };
    const [first, second] = await Promise.all([
      importer().importCertificate(request),
      importer().importCertificate(request),
    ]);
    const third = await importer().importCertificate(request);
    const kinds = [first?.kind, second?.kind].sort();
    expect(kinds).toEqual(["already_tracked", "imported"]);
    expect(third.kind).toBe("already_tracked");
    expect(await database.current.db.select().from(orders)).toHaveLength(1);
  });

  it("recognises a certificate certdesk ordered by its serial, and by the provider order id", async () => {
    const leaf = ca.leaf(["ordered.example.com"]);
    const order = await insertOrder(database.current.db, {
      clientId,
      domain: "ordered.example.com",
      providerOrderId: "SBX-77",
      certificate: leaf.pem,
      chain: [ca.intermediatePem],
      notAfter: leaf.notAfter,
    });
    const bySerial = await importer().importCertificate({
      source: { kind: "pem", text: leaf.pem },
      clientId,
      requestedBy: "U0ANN",
    });
    expect(bySerial).toMatchObject({ kind: "already_tracked", order: { id: order.id } });
    const byId = await importer().importCertificate({
      source: { kind: "pem", text: leaf.pem },
      clientId,
      requestedBy: "U0ANN",
      providerOrderId: "SBX-77",
    });
    expect(byId).toMatchObject({ kind: "already_tracked", order: { id: order.id } });
    const other = ca.leaf(["ordered.example.com"]);
    const mismatch = await importer().importCertificate({
      source: { kind: "pem", text: other.pem },
      clientId,
      requestedBy: "U0ANN",
      providerOrderId: "SBX-77",
    });
    expect(mismatch).toMatchObject({ kind: "refused", field: "providerOrderId" });
    expect(mismatch.kind === "refused" && mismatch.message).toContain(order.reference);
    const unknown = await importer().importCertificate({
      source: { kind: "pem", text: other.pem },
      clientId,
      requestedBy: "U0ANN",
      providerOrderId: "NOPE-1",
    });
    expect(unknown).toMatchObject({ kind: "refused", field: "providerOrderId" });
    expect(await database.current.db.select().from(certificates)).toHaveLength(1);
  });

  it("refuses an expired certificate and a private key, storing nothing", async () => {
    const expired = ca.leaf(["expired.example.com"], { days: -1 });
    const refusedExpired = await importer().importCertificate({
      source: { kind: "pem", text: expired.pem },
      clientId,
      requestedBy: "U0ANN",
    });
    expect(refusedExpired).toMatchObject({ kind: "refused", reason: "expired" });
    const leaf = ca.leaf(["key.example.com"]);
    const refusedKey = await importer().importCertificate({
      source: { kind: "pem", text: leaf.pem + leaf.keyPem },
      clientId,
      requestedBy: "U0ANN",
    });
    expect(refusedKey).toMatchObject({ kind: "refused", reason: "private_key" });
    expect(JSON.stringify(refusedKey)).not.toContain(leaf.keyPem.split("\n")[2]);
    expect(await database.current.db.select().from(orders)).toHaveLength(0);
  });
});

describe("fetching the certificate a host serves (a local TLS server)", () => {
  const leaf = ca.leaf(["localhost", "served.example.com"]);
  let server: Awaited<ReturnType<typeof startTlsServer>>;
  beforeAll(async () => {
    server = await startTlsServer(leaf.pem, leaf.keyPem, [ca.intermediatePem]);
  });
  afterAll(async () => {
    await server.close();
  });

  it("imports the certificate and the chain the server sent, saying its chain is not trusted", async () => {
    const outcome = await importer().importCertificate({
      source: { kind: "host", target: { host: "127.0.0.1", port: server.port } },
      clientId,
      requestedBy: "U0ANN",
    });
    expect(outcome.kind).toBe("imported");
    if (outcome.kind !== "imported") return;
    expect(outcome.order.certificate).toBe(leaf.pem);
    expect(outcome.order.chain).toEqual([ca.intermediatePem]);
    expect(outcome.notes.join(" ")).toMatch(/does not trust/);
  });

  it("says so when nothing listens, and gives up on a silent host within the time limit", async () => {
    const closed = createServer();
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await fetchServedCertificates({ host: "127.0.0.1", port });
    expect(refused).toEqual({ ok: false, message: expect.stringMatching(/connection was refused/) });

    const silent = createServer(() => undefined);
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    const started = Date.now();
    const timedOut = await fetchServedCertificates(
      { host: "127.0.0.1", port: (silent.address() as AddressInfo).port },
      { timeoutMs: 300 },
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(timedOut).toEqual({
      ok: false,
      message: expect.stringMatching(/did not complete a TLS handshake/),
    });
    silent.close();
  });
});

describe("the provider external", () => {
  it("is no provider certdesk can order from", () => {
    const registry = createProviderRegistry([]);
    expect(registry.has(EXTERNAL_PROVIDER)).toBe(false);
    expect(registry.nameOf(EXTERNAL_PROVIDER)).toBe("External (imported)");
    expect(() => createProviderRegistry([{ id: EXTERNAL_PROVIDER } as SslProvider])).toThrow(/reserved/);
  });

  it("reads host, host:port, [v6]:port and URLs, and refuses anything else", () => {
    expect(parseHostPort("www.example.com")).toEqual({ host: "www.example.com", port: 443 });
    expect(parseHostPort("Mail.Example.com:465")).toEqual({ host: "mail.example.com", port: 465 });
    expect(parseHostPort("[::1]:8443")).toEqual({ host: "::1", port: 8443 });
    expect(parseHostPort("https://shop.example.com:8443/path")).toEqual({
      host: "shop.example.com",
      port: 8443,
    });
    for (const bad of ["", "exa mple.com", "host:0", "host:70000", "-bad.example.com", "a:b:c.example"]) {
      expect(parseHostPort(bad)).toBeUndefined();
    }
  });
});
