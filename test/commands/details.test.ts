import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import forge from "node-forge";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCsr } from "../../src/certs/csr.js";
import { inspectCertificate } from "../../src/certs/inspect.js";
import { generateKeyPair } from "../../src/certs/keys.js";
import { createVault } from "../../src/certs/vault.js";
import { accessRefusals, orderEvents } from "../../src/db/schema.js";
import { LogLevel } from "../../src/log.js";
import type { OrderRequest } from "../../src/orders/order-service.js";
import { getOrder, type Order, updateOrder } from "../../src/orders/repository.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, useTestApp } from "../support/harness.js";
import { messageButton, messageShortcut, textOf, viewBlockAction } from "../support/modal.js";
import { orderRequest } from "../support/orders.js";
import type { RecordedCall } from "../support/slack-api-fake.js";

const t = useTestApp({ env: { SSL_CHANNEL: "C0SSL", SSL_APPROVERS: "U0SEC" } });
let clientId: number;
beforeAll(async () => {
  await t.app.catalogue.get();
});
beforeEach(async () => {
  clientId = (await createAcmeClient(t.database.db)).id;
});

type View = Record<string, unknown>;

const request = (overrides: Partial<OrderRequest> = {}) =>
  orderRequest(clientId, { idempotencyKey: "details-1", ...overrides });

async function reload(id: number): Promise<Order> {
  const order = await getOrder(t.database.db, id);
  if (!order) throw new Error(`order ${id} vanished`);
  return order;
}

/** Placed with the sandbox, which issues on the next status check (SANDBOX_APPROVAL_SECONDS=0). */
async function placedOrder(prepare?: (order: Order) => Promise<void>): Promise<Order> {
  const { order } = await t.app.orders.createOrder(request());
  await prepare?.(order);
  const outcome = await t.app.orders.place(order.id, "U0ANN");
  expect(outcome.kind).toBe("placed");
  return reload(order.id);
}

async function issuedOrder(prepare?: (order: Order) => Promise<void>): Promise<Order> {
  const order = await placedOrder(prepare);
  expect((await t.app.status.checkStatus(order.id, "system")).kind).toBe("changed");
  const issued = await reload(order.id);
  expect(issued.status).toBe("issued");
  return issued;
}

/** Clicks Details on the order message and returns the modal as Slack would hold it. */
async function openDetails(order: Order, userId: string): Promise<{ view: View; viewId: string }> {
  const message = { channel: order.slackChannel ?? "", ts: order.slackMessageTs ?? "" };
  await t.driver.interactive(
    messageButton(message, "order_details", String(order.id), { userId, responseUrl: t.slack.responseUrl() }),
  );
  const opened = await t.slack.waitFor("views.open");
  return { view: opened.args.view as View, viewId: `VD-${userId}` };
}

async function clickInModal(view: View, viewId: string, userId: string, actionId: string, until: string) {
  const before = t.slack.callsTo("views.update").length;
  const response = await t.driver.interactive(viewBlockAction(view, { viewId, userId }, actionId));
  expect(response.status).toBe(200);
  const updated = await t.slack.waitFor(
    "views.update",
    (call) =>
      call.args.view_id === viewId &&
      t.slack.callsTo("views.update").indexOf(call) >= before &&
      textOf(call.args.view).includes(until),
  );
  return updated.args.view as View;
}

const showTab = (view: View, viewId: string, userId: string, tab: string, until: string) =>
  clickInModal(view, viewId, userId, `details_tab_${tab}`, until);

/** The bytes of an uploaded file: the fake keeps the multipart body the WebClient sent. */
function uploadedFile(fileId: string): Buffer {
  const raw = t.slack.uploads.get(fileId);
  if (!raw) throw new Error(`no upload ${fileId}`);
  const boundary = raw.subarray(0, raw.indexOf("\r\n")).toString();
  const start = raw.indexOf("\r\n\r\n") + 4;
  return raw.subarray(start, raw.indexOf(`\r\n${boundary}`, start));
}

async function deliveredFiles(userId: string): Promise<{ call: RecordedCall; files: Map<string, Buffer> }> {
  const call = await t.slack.waitFor("files.completeUploadExternal");
  const entries = call.args.files as { id: string; title: string }[];
  expect(call.args.channel_id).toBe(`D${userId}`);
  return { call, files: new Map(entries.map((entry) => [entry.title, uploadedFile(entry.id)])) };
}

/** Every base64 line of a PEM body: none may show up where the key must not be. */
function pemLines(pem: string): string[] {
  return pem.split("\n").filter((line) => line.length > 0 && !line.startsWith("-----"));
}

function visibleEverywhereButDm(): string {
  const calls = t.slack.calls.filter((call) => call.method !== "file.upload");
  return [textOf(calls), ...t.logLines].join("\n");
}

describe("order details", () => {
  it("shows the overview, provider status, timeline and 'not issued yet' before issue", async () => {
    const order = await placedOrder();
    const { view, viewId } = await openDetails(order, "U0ANN");
    const overview = textOf(view);
    for (const text of [
      "SSL-1001",
      "Acme Ltd",
      "www.example.com",
      "PositiveSSL (DV)",
      "1 year",
      "Apache/mod_ssl",
      "E-mail to admin@example.com",
      "Sandbox · order SBX-1",
      "<@U0ANN>",
    ]) {
      expect(overview).toContain(text);
    }
    expect(JSON.parse((view as { private_metadata: string }).private_metadata)).toEqual({
      orderId: order.id,
      tab: "overview",
    });

    const status = textOf(await showTab(view, viewId, "U0ANN", "status", "details_timeline"));
    expect(status).toContain("No detailed status yet");
    expect(status).toContain("*www.example.com*: pending — e-mail to admin@example.com");
    expect(status).toContain("Requested — <@U0ANN>");
    expect(status).toContain("Placed with the provider (SBX-1) — <@U0ANN>");

    const certificate = textOf(await showTab(view, viewId, "U0ANN", "certificate", "details_not_issued"));
    expect(certificate).toContain("Not issued yet");
    expect(certificate).not.toContain("details_send_files");
  });

  it("shows the provider's status lines, DCV state and the certificate once issued", async () => {
    const order = await issuedOrder();
    const { view, viewId } = await openDetails(order, "U0ANN");
    expect(textOf(view)).toContain("Issued");

    const status = textOf(await showTab(view, viewId, "U0ANN", "status", "details_timeline"));
    expect(status).toContain("Certificate issued by certdesk Sandbox CA");
    expect(status).toContain(":white_check_mark: *www.example.com*: validated");
    expect(status).toContain("Status pending → issued");
    expect(status).toContain("— system");

    const tab = await showTab(view, viewId, "U0ANN", "certificate", "details_send_files");
    const certificate = textOf(tab);
    const details = inspectCertificate(order.certificate ?? "");
    expect(certificate).toContain(details.sha256Fingerprint);
    expect(certificate).toContain(details.serialNumber);
    expect(certificate).toContain("certdesk Sandbox CA");
    expect(certificate).toContain(pemLines(order.certificate ?? "")[3]);
    expect(certificate).toContain("Send me the files");
    expect(certificate).toContain("The private key goes to SSL_APPROVERS only");
  });

  it("opens from the ssl_details message shortcut, and says when the message is not an order", async () => {
    const order = await placedOrder();
    const shortcut = (ts: string) =>
      messageShortcut("ssl_details", { channel: "C0SSL", ts }, t.slack.responseUrl());
    await t.driver.interactive(shortcut(order.slackMessageTs ?? ""));
    expect(textOf((await t.slack.waitFor("views.open")).args.view)).toContain("SSL-1001");

    await t.driver.interactive(shortcut("1600000000.000001"));
    const answer = await t.slack.waitFor("response_url");
    expect(answer.args.text).toContain("This shortcut works on certdesk order messages");
  });
});

describe("Send me the files", () => {
  it("gives an approver the key and a PFX by DM, shows the password once, and audits it in the thread", async () => {
    const order = await issuedOrder();
    const privateKey = t.vault.decrypt(order.encryptedPrivateKey ?? "");
    const { view, viewId } = await openDetails(order, "U0SEC");
    const tab = await showTab(view, viewId, "U0SEC", "certificate", "details_send_files");
    expect(textOf(tab)).toContain("the private key and a PFX bundle");

    // At DEBUG the WebClient writes request bodies: the key and the password must still stay out.
    t.app.bolt.logger.setLevel(LogLevel.DEBUG);
    await clickInModal(
      tab,
      viewId,
      "U0SEC",
      "details_send_files",
      "The PFX password is in your direct messages",
    ).finally(() => t.app.bolt.logger.setLevel(LogLevel.INFO));
    // The password: only in an ephemeral message to this person in the DM that holds the files.
    const passwordMessage = await t.slack.waitFor("chat.postEphemeral");
    expect(passwordMessage.args).toMatchObject({ channel: "DU0SEC", user: "U0SEC" });
    const password = /`([A-Za-z0-9]{20})`/.exec(String(passwordMessage.args.text))?.[1] ?? "";
    expect(password).toHaveLength(20);

    const { call, files } = await deliveredFiles("U0SEC");
    expect([...files.keys()]).toEqual([
      "certificate.pem",
      "chain.pem",
      "fullchain.pem",
      "private-key.pem",
      "www.example.com.pfx",
    ]);
    expect(String(call.args.initial_comment)).toContain("*private key*");
    expect(files.get("certificate.pem")?.toString()).toBe(`${order.certificate?.trim()}\n`);
    expect(files.get("private-key.pem")?.toString()).toBe(privateKey);
    expect(files.get("fullchain.pem")?.toString()).toContain(order.chain?.[0]?.trim());

    const pfx = forge.pkcs12.pkcs12FromAsn1(
      forge.asn1.fromDer(files.get("www.example.com.pfx")?.toString("binary") ?? ""),
      password,
    );
    const bag = (type: string) => pfx.getBags({ bagType: type })[type]?.[0];
    const keyBag = bag(forge.pki.oids.pkcs8ShroudedKeyBag ?? "");
    const certificateBag = bag(forge.pki.oids.certBag ?? "");
    const key = keyBag?.key as forge.pki.rsa.PrivateKey | undefined;
    const publicKey = certificateBag?.cert?.publicKey as forge.pki.rsa.PublicKey | undefined;
    expect(key?.n.toString(16)).toBeDefined();
    expect(key?.n.toString(16)).toBe(publicKey?.n.toString(16));

    const [event] = await t.database.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.kind, "key_delivered"));
    expect(event).toMatchObject({ orderId: order.id, actor: "U0SEC" });
    const reply = await t.slack.waitFor("chat.postMessage", (message) =>
      String(message.args.text).includes("received the private key"),
    );
    expect(reply.args).toMatchObject({ channel: "C0SSL", thread_ts: order.slackThreadTs });
    expect(String(reply.args.text)).toContain("<@U0SEC>");

    const exposed = visibleEverywhereButDm();
    for (const line of pemLines(privateKey)) expect(exposed).not.toContain(line);
    expect(t.logLines.some((line) => line.includes("http request body"))).toBe(true);
    expect(t.logLines.join("\n")).not.toContain(password);
    const elsewhere = t.slack.calls.filter((recorded) => recorded !== passwordMessage);
    expect(textOf(elsewhere)).not.toContain(password);
    const stored = await t.database.db.select().from(orderEvents);
    expect(textOf(stored)).not.toContain(password);
  });

  it("records the key delivery before uploading, and records and tells a failed upload", async () => {
    const order = await issuedOrder();
    const { view, viewId } = await openDetails(order, "U0SEC");
    const tab = await showTab(view, viewId, "U0SEC", "certificate", "details_send_files");
    t.slack.on("files.getUploadURLExternal", () => ({
      body: { ok: false, error: "not_allowed_token_type" },
    }));
    const failed = await clickInModal(tab, viewId, "U0SEC", "details_send_files", "went wrong");
    expect(textOf(failed)).not.toContain("Sent to your direct messages");
    const kinds = (
      await t.database.db
        .select()
        .from(orderEvents)
        .where(eq(orderEvents.orderId, order.id))
        .orderBy(orderEvents.id)
    ).map((event) => event.kind);
    expect(kinds.slice(-2)).toEqual(["key_delivered", "key_delivery_failed"]);
    expect(t.slack.callsTo("chat.postEphemeral")).toEqual([]);
  });

  it("gives someone outside SSL_APPROVERS the certificate and chain only, and audits the refusal", async () => {
    const order = await issuedOrder();
    const privateKey = t.vault.decrypt(order.encryptedPrivateKey ?? "");
    const { view, viewId } = await openDetails(order, "U0ANN");
    const tab = await showTab(view, viewId, "U0ANN", "certificate", "details_send_files");
    const sent = await clickInModal(
      tab,
      viewId,
      "U0ANN",
      "details_send_files",
      "Sent to your direct messages",
    );
    expect(textOf(sent)).not.toContain("PFX password");
    expect(textOf(sent)).toContain("The private key goes to SSL_APPROVERS only.");
    expect(t.slack.callsTo("chat.postEphemeral")).toEqual([]);

    const { call, files } = await deliveredFiles("U0ANN");
    expect([...files.keys()]).toEqual(["certificate.pem", "chain.pem", "fullchain.pem"]);
    expect(String(call.args.initial_comment)).toContain("The private key goes to SSL_APPROVERS only.");
    for (const line of pemLines(privateKey)) {
      expect(visibleEverywhereButDm()).not.toContain(line);
      for (const content of files.values()) expect(content.toString()).not.toContain(line);
    }

    const events = await t.database.db.select().from(orderEvents).where(eq(orderEvents.orderId, order.id));
    expect(events.map((event) => event.kind)).not.toContain("key_delivered");
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: "approval_refused",
        actor: "U0ANN",
        detail: { action: "key_delivery", reason: "not in SSL_APPROVERS" },
      }),
    );
    const threadReplies = t.slack
      .callsTo("chat.postMessage")
      .filter((message) => String(message.args.text).includes("received the private key"));
    expect(threadReplies).toEqual([]);
    const refusal = await t.slack.waitFor("chat.postMessage", (message) =>
      String(message.args.text).includes("the private key was not sent"),
    );
    expect(refusal.args).toMatchObject({ channel: "C0SSL", thread_ts: order.slackThreadTs });
    expect(String(refusal.args.text)).toContain("<@U0ANN>");
    expect(String(refusal.args.text)).toContain("not in SSL_APPROVERS");
  });

  it("says the PFX password did not arrive, and still records the key as delivered, when only that message fails", async () => {
    const order = await issuedOrder();
    const { view, viewId } = await openDetails(order, "U0SEC");
    const tab = await showTab(view, viewId, "U0SEC", "certificate", "details_send_files");
    t.slack.on("chat.postEphemeral", () => ({ body: { ok: false, error: "user_not_in_channel" } }));
    const sent = textOf(await clickInModal(tab, viewId, "U0SEC", "details_send_files", "could not be sent"));
    expect(sent).toContain("Sent to your direct messages");
    expect(sent).toContain("press *Send me the files* again for a new bundle");
    const kinds = (
      await t.database.db.select().from(orderEvents).where(eq(orderEvents.orderId, order.id))
    ).map((event) => event.kind);
    expect(kinds).toContain("key_delivered");
    expect(kinds).not.toContain("key_delivery_failed");
    await t.slack.waitFor("chat.postMessage", (call) =>
      String(call.args.text).includes("received the private key"),
    );
  });

  it("sends the legacy 3DES PFX only when asked for, for old Windows servers", async () => {
    const order = await issuedOrder();
    const { view, viewId } = await openDetails(order, "U0SEC");
    const tab = await showTab(view, viewId, "U0SEC", "certificate", "details_send_files_legacy_pfx");
    expect(textOf(tab)).toContain("PFX for Windows Server 2016 or older");
    await clickInModal(
      tab,
      viewId,
      "U0SEC",
      "details_send_files_legacy_pfx",
      "The PFX password is in your direct messages",
    );
    const password = /`([A-Za-z0-9]{20})`/.exec(
      String((await t.slack.waitFor("chat.postEphemeral")).args.text),
    )?.[1];
    const { files } = await deliveredFiles("U0SEC");
    const dir = await mkdtemp(path.join(tmpdir(), "certdesk-pfx-"));
    const file = path.join(dir, "legacy.pfx");
    await writeFile(file, files.get("www.example.com.pfx") ?? Buffer.alloc(0));
    // openssl writes -info to stderr.
    const run = spawnSync(
      "openssl",
      ["pkcs12", "-info", "-noout", "-in", file, "-passin", `pass:${password}`],
      {
        encoding: "utf8",
      },
    );
    const info = `${run.stdout}${run.stderr}`;
    await rm(dir, { recursive: true, force: true });
    expect(info).toContain("pbeWithSHA1And3-KeyTripleDES-CBC");
    const [event] = await t.database.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.kind, "key_delivered"));
    expect(event?.detail).toMatchObject({ pfx: true, pfxFormat: "legacy-3des" });
  });

  it("gives an approver a PFX for an EC key too", async () => {
    const order = await issuedOrder(async (created) => {
      const { privateKeyPem } = await generateKeyPair("ec-p256");
      const csr = await createCsr({
        privateKeyPem,
        subject: { commonName: created.primaryDomain, country: "GB" },
        domains: [created.primaryDomain],
      });
      await updateOrder(
        t.database.db,
        created.id,
        { csr, encryptedPrivateKey: t.vault.encrypt(privateKeyPem), keyAlgorithm: "ec-p256" },
        t.clock.now(),
      );
    });
    const { view, viewId } = await openDetails(order, "U0SEC");
    const tab = await showTab(view, viewId, "U0SEC", "certificate", "details_send_files");
    const sent = textOf(
      await clickInModal(
        tab,
        viewId,
        "U0SEC",
        "details_send_files",
        "The PFX password is in your direct messages",
      ),
    );
    expect(sent).not.toContain("No PFX");
    const passwordMessage = await t.slack.waitFor("chat.postEphemeral");
    expect(String(passwordMessage.args.text)).toMatch(/`[A-Za-z0-9]{20}`/);

    const { files } = await deliveredFiles("U0SEC");
    expect([...files.keys()]).toEqual([
      "certificate.pem",
      "chain.pem",
      "fullchain.pem",
      "private-key.pem",
      "www.example.com.pfx",
    ]);
    expect(files.get("private-key.pem")?.toString()).toContain("BEGIN PRIVATE KEY");
    const [event] = await t.database.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.kind, "key_delivered"));
    expect(event?.detail).toMatchObject({ pfx: true });
  });
});

describe("private keys with SSL_APPROVERS empty (the default)", () => {
  it("sends nobody the key, says how to enable it, and audits each refusal", async () => {
    const open = await startTestApp({ env: { SSL_CHANNEL: "C0SSL" } });
    try {
      const owner = await createAcmeClient(open.database.db);
      const { order } = await open.app.orders.createOrder(
        orderRequest(owner.id, { idempotencyKey: "open-1" }),
      );
      await open.app.orders.place(order.id, "U0ANN");
      await open.app.status.checkStatus(order.id, "system");
      const issued = await getOrder(open.database.db, order.id);
      if (!issued?.slackMessageTs) throw new Error("not posted");
      await open.driver.interactive(
        messageButton({ channel: "C0SSL", ts: issued.slackMessageTs }, "order_details", String(order.id), {
          userId: "U0ANN",
          responseUrl: open.slack.responseUrl(),
        }),
      );
      const opened = (await open.slack.waitFor("views.open")).args.view as View;
      await open.driver.interactive(
        viewBlockAction(opened, { viewId: "VOPEN", userId: "U0ANN" }, "details_tab_certificate"),
      );
      const tab = (
        await open.slack.waitFor("views.update", (call) =>
          textOf(call.args.view).includes("details_send_files"),
        )
      ).args.view as View;
      expect(textOf(tab)).toContain("Private keys go to nobody yet");
      expect(textOf(tab)).toContain("SSL_APPROVERS");
      await open.driver.interactive(
        viewBlockAction(tab, { viewId: "VOPEN", userId: "U0ANN" }, "details_send_files"),
      );
      const upload = await open.slack.waitFor("files.completeUploadExternal");
      const titles = (upload.args.files as { title: string }[]).map((file) => file.title);
      expect(titles).toEqual(["certificate.pem", "chain.pem", "fullchain.pem"]);
      expect(String(upload.args.initial_comment)).toContain("Private keys go to nobody");
      const told = await open.slack.waitFor("chat.postMessage", (call) =>
        String(call.args.text).includes("the private key was not sent (SSL_APPROVERS is empty)"),
      );
      expect(told.args.thread_ts).toBe(issued.slackThreadTs);
      const [refusal] = await open.database.db.select().from(accessRefusals);
      expect(refusal).toMatchObject({
        actor: "U0ANN",
        action: "key_delivery",
        subject: "SSL-1001",
        reason: "SSL_APPROVERS is empty",
      });
    } finally {
      await open.stop();
    }
  });
});

describe("a key stored under an earlier key-encryption key (CERTDESK_OLD_KEYS)", () => {
  it("is still delivered to an approver", async () => {
    const oldKey = randomBytes(32);
    const rotated = await startTestApp({
      env: { SSL_CHANNEL: "C0SSL", SSL_APPROVERS: "U0SEC" },
      oldVaultKeys: [oldKey],
    });
    try {
      const owner = await createAcmeClient(rotated.database.db);
      const { order } = await rotated.app.orders.createOrder(
        orderRequest(owner.id, { idempotencyKey: "old-key" }),
      );
      await rotated.app.orders.place(order.id, "U0ANN");
      await rotated.app.status.checkStatus(order.id, "system");
      const issued = await getOrder(rotated.database.db, order.id);
      const plain = rotated.vault.decrypt(issued?.encryptedPrivateKey ?? "");
      // As a row encrypted before the rotation looks.
      const underOldKey = createVault({ keys: [oldKey] }).encrypt(plain);
      await updateOrder(
        rotated.database.db,
        order.id,
        { encryptedPrivateKey: underOldKey },
        rotated.clock.now(),
      );
      await rotated.driver.interactive(
        messageButton(
          { channel: "C0SSL", ts: issued?.slackMessageTs ?? "" },
          "order_details",
          String(order.id),
          {
            userId: "U0SEC",
            responseUrl: rotated.slack.responseUrl(),
          },
        ),
      );
      const opened = (await rotated.slack.waitFor("views.open")).args.view as View;
      await rotated.driver.interactive(
        viewBlockAction(opened, { viewId: "VOLD", userId: "U0SEC" }, "details_tab_certificate"),
      );
      const tab = (
        await rotated.slack.waitFor("views.update", (call) =>
          textOf(call.args.view).includes("details_send_files"),
        )
      ).args.view as View;
      await rotated.driver.interactive(
        viewBlockAction(tab, { viewId: "VOLD", userId: "U0SEC" }, "details_send_files"),
      );
      const upload = await rotated.slack.waitFor("files.completeUploadExternal");
      const titles = (upload.args.files as { title: string }[]).map((file) => file.title);
      expect(titles).toContain("private-key.pem");
      const keyFile = (upload.args.files as { id: string; title: string }[]).find(
        (file) => file.title === "private-key.pem",
      );
      const raw = rotated.slack.uploads.get(keyFile?.id ?? "") ?? Buffer.alloc(0);
      expect(raw.toString()).toContain(plain.trim().split("\n")[1] ?? "missing");
    } finally {
      await rotated.stop();
    }
  });
});
