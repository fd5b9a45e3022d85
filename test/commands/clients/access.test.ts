import { describe, expect, it } from "vitest";
import { findClientByName } from "../../../src/orders/clients.js";
import { createAcmeClient } from "../../support/fixtures.js";
import { useTestApp } from "../../support/harness.js";
import { messageButton, viewOf, viewSubmission } from "../../support/modal.js";

/** SSL_ORDERERS names someone else: the caller (U0ANN) may look at clients but not change them. */

const t = useTestApp({ env: { SSL_ORDERERS: "U0OTHER" } });

const REFUSAL = "Only people in SSL_ORDERERS can add or edit clients.";

async function replyText(): Promise<string> {
  return String((await t.slack.waitFor("response_url")).args.text);
}

describe("a user who may not order", () => {
  it("is refused `/ssl client add` and `/ssl client edit` with a clear ephemeral message, and no modal opens", async () => {
    await createAcmeClient(t.database.db);
    await t.driver.slashCommand("client add");
    expect(await replyText()).toContain(REFUSAL);
    t.slack.reset();
    await t.driver.slashCommand("client edit Acme Ltd");
    expect(await replyText()).toContain(REFUSAL);
    expect(t.slack.callsTo("views.open")).toHaveLength(0);
  });

  it("cannot save a client modal obtained some other way", async () => {
    // Opened by someone who may order, submitted by the caller: submission checks access again.
    await t.driver.slashCommand("client add", { userId: "U0OTHER" });
    const othersModal = viewOf(await t.slack.waitFor("views.open"));
    const response = await t.driver.interactive(
      viewSubmission(
        othersModal,
        { viewId: "V0OTHER" },
        {
          client_name: "Acme Ltd",
          client_country: "GB",
          client_contact_first_name: "Jane",
          client_contact_last_name: "Doe",
          client_contact_email: "jane@acme.example",
          client_contact_phone: "020 7946 0001",
        },
      ),
    );
    expect(response.json()).toEqual({
      response_action: "errors",
      errors: { client_name: expect.stringContaining(REFUSAL) },
    });
    expect(await findClientByName(t.database.db, "Acme Ltd")).toBeUndefined();
  });

  it("may list the clients, but the Edit button refuses", async () => {
    const client = await createAcmeClient(t.database.db);
    await t.driver.slashCommand("clients");
    expect(await replyText()).toMatch(/^Clients 1–1 of 1/);
    t.slack.reset();
    await t.driver.interactive(
      messageButton(
        { channel: "C0OPS", ts: "1700000000.000001" },
        "client_list_edit",
        String(client.id),
        { userId: "U0ANN", responseUrl: t.slack.responseUrl() },
        `client_list_row_${client.id}`,
      ),
    );
    const refusal = await t.slack.waitFor("response_url");
    expect(refusal.args).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(String(refusal.args.text)).toContain(REFUSAL);
    expect(t.slack.callsTo("views.open")).toHaveLength(0);
  });

  it("is let in once listed", async () => {
    await t.driver.slashCommand("client add", { userId: "U0OTHER" });
    expect((await t.slack.waitFor("views.open")).args.view).toMatchObject({ callback_id: "client_add" });
  });
});
