import { getTableName, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/db/schema.js";
import { getOrder, updateOrder } from "../../src/orders/repository.js";
import { createAcmeClient } from "../support/fixtures.js";
import { SIGNING_SECRET, SOCKET_APP_TOKEN, useTestApp } from "../support/harness.js";
import { messageButton, textOf, viewBlockAction } from "../support/modal.js";
import { orderRequest } from "../support/orders.js";

/**
 * A whole order → issue → key delivery flow with LOG_LEVEL=debug, over HTTP and over Socket Mode
 * (whose client logs every envelope it receives at debug level), then a search for every secret in
 * everything certdesk wrote: log lines, Slack calls (the DM's file bytes and the password's one
 * ephemeral message excepted), and every database column other than the encrypted ones.
 */
describe.each(["http", "socket"] as const)("secrets never leak (%s)", (mode) => {
  const t = useTestApp({
    mode,
    env: { SSL_CHANNEL: "C0SSL", SSL_APPROVERS: "U0SEC", LOG_LEVEL: "debug" },
    resetEachTest: false,
  });

  type View = Record<string, unknown>;

  async function clickInModal(view: View, viewId: string, actionId: string, until: string): Promise<View> {
    const before = t.slack.callsTo("views.update").length;
    await t.driver.interactive(viewBlockAction(view, { viewId, userId: "U0SEC" }, actionId));
    const updated = await t.slack.waitFor(
      "views.update",
      (call) =>
        t.slack.callsTo("views.update").indexOf(call) >= before && textOf(call.args.view).includes(until),
    );
    return updated.args.view as View;
  }

  /** Every row of every table, minus the two columns that hold vault ciphertext. */
  async function databaseText(): Promise<string> {
    const tables = Object.values(schema).filter(
      (value) => typeof value === "object" && value && "getSQL" in value,
    );
    const dumps: string[] = [];
    for (const table of tables) {
      const name = getTableName(table as never);
      const rows = (await t.database.db.execute(sql.raw(`select * from "${name}"`))) as unknown as
        | { rows?: Record<string, unknown>[] }
        | Record<string, unknown>[];
      const list = Array.isArray(rows) ? rows : (rows.rows ?? []);
      dumps.push(JSON.stringify(list.map(({ encrypted_private_key: _ciphertext, ...rest }) => rest)));
    }
    return dumps.join("\n");
  }

  it("keeps the private key, PFX password, tokens and signing secret out of logs, Slack and the database", async () => {
    const client = await createAcmeClient(t.database.db);
    const { order } = await t.app.orders.createOrder(
      orderRequest(client.id, { idempotencyKey: "secrets-1" }),
    );
    expect((await t.app.orders.place(order.id, "U0ANN")).kind).toBe("placed");
    expect((await t.app.status.checkStatus(order.id, "system")).kind).toBe("changed");
    const issued = await getOrder(t.database.db, order.id);
    if (!issued?.encryptedPrivateKey || !issued.slackMessageTs)
      throw new Error("order was not issued and posted");

    const message = { channel: issued.slackChannel ?? "", ts: issued.slackMessageTs };
    await t.driver.interactive(
      messageButton(message, "order_details", String(order.id), {
        userId: "U0SEC",
        responseUrl: t.slack.responseUrl(),
      }),
    );
    const opened = (await t.slack.waitFor("views.open")).args.view as View;
    const tab = await clickInModal(opened, "VS", "details_tab_certificate", "details_send_files");
    await clickInModal(tab, "VS", "details_send_files", "The PFX password is in your direct messages");
    const passwordMessage = await t.slack.waitFor("chat.postEphemeral");
    const password = /`([A-Za-z0-9]{20})`/.exec(String(passwordMessage.args.text))?.[1] ?? "";
    expect(password).toHaveLength(20);

    const privateKey = t.vault.decrypt(issued.encryptedPrivateKey);
    const keyLines = privateKey.split("\n").filter((line) => line.length > 40);
    const secrets = [
      ...keyLines,
      "xoxb-test-token",
      SIGNING_SECRET,
      SOCKET_APP_TOKEN,
      t.vaultKey.toString("base64"),
      t.vaultKey.toString("hex"),
    ];

    const logs = t.logLines.join("\n");
    // Debug really is on: request bodies and (in Socket Mode) every envelope are in the log.
    expect(logs).toContain("http request body");
    if (mode === "socket") expect(logs).toContain("Received a message on the WebSocket");
    // The DM upload's raw bytes are the one place the key may go; one ephemeral message in that DM is
    // the one place the password may go.
    // The tokens themselves authenticate each call (the fake records them): only what the calls carry counts.
    const slackText = textOf(
      t.slack.calls
        .filter((call) => call.method !== "file.upload" && call !== passwordMessage)
        .map((call) => ({ method: call.method, args: call.args })),
    );
    const stored = await databaseText();
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      expect(slackText).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
    expect(logs).not.toContain(password);
    expect(slackText).not.toContain(password);
    expect(stored).not.toContain(password);
    expect(stored).not.toContain("BEGIN PRIVATE KEY");

    const uploads = t.slack.callsTo("files.completeUploadExternal");
    expect(uploads.length).toBeGreaterThan(0);
    for (const upload of uploads) expect(String(upload.args.channel_id)).toMatch(/^D/);
  });

  it("refuses a tampered ciphertext with a clear message and sends nothing", async () => {
    const [order] = await t.database.db.select().from(schema.orders);
    if (!order?.encryptedPrivateKey) throw new Error("no order from the previous test");
    const parts = order.encryptedPrivateKey.split(".");
    const body = parts[4] ?? "";
    parts[4] = `${body.slice(0, -2)}${body.endsWith("AA") ? "BB" : "AA"}`;
    await updateOrder(t.database.db, order.id, { encryptedPrivateKey: parts.join(".") }, t.clock.now());
    t.slack.reset();
    await t.driver.interactive(
      messageButton(
        { channel: order.slackChannel ?? "", ts: order.slackMessageTs ?? "" },
        "order_details",
        String(order.id),
        {
          userId: "U0SEC",
          responseUrl: t.slack.responseUrl(),
        },
      ),
    );
    const opened = (await t.slack.waitFor("views.open")).args.view as View;
    const tab = await clickInModal(opened, "VT", "details_tab_certificate", "details_send_files");
    const failed = textOf(await clickInModal(tab, "VT", "details_send_files", "could not be decrypted"));
    expect(failed).toContain("CERTDESK_KEY");
    expect(t.slack.callsTo("files.completeUploadExternal")).toHaveLength(0);
  });
});
