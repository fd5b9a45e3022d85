import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { orders } from "../../../src/db/schema.js";
import { createImportCa, startTlsServer } from "../../support/certificates.js";
import { createAcmeClient } from "../../support/fixtures.js";
import { useTestApp } from "../../support/harness.js";
import { textOf, viewOf, viewSubmission } from "../../support/modal.js";

const t = useTestApp({ env: { SSL_CHANNEL: "C0SSL" } });
const ca = createImportCa();
let clientId: number;
beforeEach(async () => {
  // The certificates are made for today: the app's clock says today too.
  t.clock.set(new Date());
  clientId = (await createAcmeClient(t.database.db)).id;
});

async function openForm() {
  expect((await t.driver.slashCommand("import")).status).toBe(200);
  return viewOf<{ blocks: unknown[] }>(await t.slack.waitFor("views.open"));
}

describe("/ssl import", () => {
  it("opens the form, imports a pasted chain split over the boxes and confirms it with the certificate's name, expiry and client", async () => {
    const view = await openForm();
    const leaf = ca.leaf(["www.example.com"], { days: 45 });
    const response = await t.driver.interactive(
      viewSubmission(
        view,
        { viewId: "V0IMPORT" },
        {
          order_client: String(clientId),
          import_pem_1: leaf.pem,
          import_pem_2: ca.intermediatePem,
        },
      ),
    );
    expect(response.status).toBe(200);
    const done = await t.slack.waitFor("views.update", (call) => textOf(call.args.view).includes("Imported"));
    const until = leaf.notAfter.toISOString().slice(0, 10);
    expect(textOf(done.args.view)).toContain(`Imported *www.example.com* for *Acme Ltd* as *SSL-1001*`);
    expect(textOf(done.args.view)).toContain(`valid until ${until}`);
    const ephemeral = await t.slack.waitFor("chat.postEphemeral");
    expect(ephemeral.args).toMatchObject({ channel: "C0OPS", user: "U0ANN" });
    // The order message in SSL_CHANNEL, and the thread says what was imported.
    await t.slack.waitFor(
      "chat.postMessage",
      (call) => call.args.channel === "C0SSL" && !call.args.thread_ts,
    );
    const thread = await t.slack.waitFor("chat.postMessage", (call) => Boolean(call.args.thread_ts));
    expect(String(thread.args.text)).toMatch(/imported this certificate/);
    const [stored] = await t.database.db.select().from(orders);
    expect(stored).toMatchObject({ provider: "external", status: "issued", clientId });
  });

  it("refuses a pasted private key in the field, and the key appears nowhere", async () => {
    const view = await openForm();
    const leaf = ca.leaf(["key.example.com"]);
    const response = await t.driver.interactive(
      viewSubmission(
        view,
        { viewId: "V0IMPORT" },
        { order_client: String(clientId), import_pem_1: leaf.keyPem },
      ),
    );
    const body = response.json() as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe("errors");
    expect(body.errors.import_pem_blk_1).toMatch(/holds a private key/);
    const keyLine = leaf.keyPem.split("\n")[3] ?? "";
    await t.app.settled();
    expect(response.text).not.toContain(keyLine);
    expect(JSON.stringify(t.slack.calls)).not.toContain(keyLine);
    expect(t.logLines.join("\n")).not.toContain(keyLine);
    expect(await t.database.db.select().from(orders)).toHaveLength(0);
  });

  it("refuses an expired certificate and a text that is not one, keeping the form open", async () => {
    const view = await openForm();
    const expired = ca.leaf(["old.example.com"], { days: -2 });
    for (const [text, words] of [
      [expired.pem, /expired on/],
      ["not a certificate", /not a certificate/],
    ] as const) {
      const response = await t.driver.interactive(
        viewSubmission(view, { viewId: "V0IMPORT" }, { order_client: String(clientId), import_pem_1: text }),
      );
      const body = response.json() as { errors: Record<string, string> };
      expect(body.errors.import_pem_blk_1).toMatch(words);
    }
  });

  describe("from a host", () => {
    const leaf = ca.leaf(["localhost"]);
    let server: Awaited<ReturnType<typeof startTlsServer>>;
    beforeAll(async () => {
      server = await startTlsServer(leaf.pem, leaf.keyPem, [ca.intermediatePem]);
    });
    afterAll(async () => {
      await server.close();
    });

    it("imports inline with `/ssl import host:port client`", async () => {
      const responseUrl = t.slack.responseUrl();
      await t.driver.slashCommand(`import 127.0.0.1:${server.port} Acme Ltd`, { responseUrl });
      const answer = await t.slack.waitFor("response_url");
      expect(String(answer.args.text)).toContain("Imported *localhost* for *Acme Ltd*");
      const [stored] = await t.database.db.select().from(orders);
      expect(stored?.chain).toEqual([ca.intermediatePem]);
    });

    it("shows the form again with what was typed when the host cannot be reached", async () => {
      const view = await openForm();
      await t.driver.interactive(
        viewSubmission(
          view,
          { viewId: "V0IMPORT" },
          { order_client: String(clientId), import_host: "127.0.0.1:1" },
        ),
      );
      const again = await t.slack.waitFor("views.update", (call) =>
        textOf(call.args.view).includes("refused"),
      );
      expect(JSON.stringify(again.args.view)).toContain('"initial_value":"127.0.0.1:1"');
      expect(await t.database.db.select().from(orders)).toHaveLength(0);
    });
  });
});
