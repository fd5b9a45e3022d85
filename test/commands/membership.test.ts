import { asc } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMembership } from "../../src/commands/membership.js";
import { accessRefusals, orderDrafts } from "../../src/db/schema.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, type TestApp, TestClock } from "../support/harness.js";
import { messageButton, textOf, viewBlockAction, viewSubmission } from "../support/modal.js";

/**
 * Guests and people of other workspaces may do nothing: every kind of request they send is refused
 * where they are looking, audited once, and reaches no handler.
 */

const GUEST = "U0GUEST";
const SINGLE_CHANNEL_GUEST = "U0SCGUEST";
const STRANGER = "U0STRANGER";
const MEMBER = "U0MEMBER";

let t: TestApp;
beforeAll(async () => {
  // The guests are even named in both lists: being a guest is refused all the same.
  t = await startTestApp({
    env: { SSL_CHANNEL: "C0SSL", SSL_ORDERERS: `${GUEST},${MEMBER}`, SSL_APPROVERS: `${GUEST},${MEMBER}` },
  });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  await t.database.truncateAll();
  t.slack.reset();
  t.slack.users.set(GUEST, { is_restricted: true });
  t.slack.users.set(SINGLE_CHANNEL_GUEST, { is_restricted: true, is_ultra_restricted: true });
  t.slack.users.set(STRANGER, { team_id: "T0ELSEWHERE" });
  // users.info answers are cached for ten minutes: each test asks afresh.
  t.clock.advance(10 * 60_000 + 1);
});

async function refusals() {
  return t.database.db.select().from(accessRefusals).orderBy(asc(accessRefusals.id));
}

describe("guests and other workspaces", () => {
  it("refuses a guest's /ssl order in the ephemeral answer, opens nothing and audits it once", async () => {
    const response = await t.driver.slashCommand("order acme www.example.com", { userId: GUEST });
    expect(response.status).toBe(200);
    const answer = response.json() as { response_type: string; text: string };
    expect(answer.response_type).toBe("ephemeral");
    expect(answer.text).toContain("guest accounts cannot use it");
    expect(t.slack.callsTo("views.open")).toHaveLength(0);
    expect(await refusals()).toMatchObject([
      { actor: GUEST, action: "use", subject: "/ssl order", reason: "guest account" },
    ]);
  });

  it("refuses a person of another workspace on a message button, by ephemeral message", async () => {
    await createAcmeClient(t.database.db);
    const response = await t.driver.interactive(
      messageButton({ channel: "C0SSL", ts: "1700000000.000001" }, "order_details", "1", {
        userId: STRANGER,
        responseUrl: t.slack.responseUrl(),
      }),
    );
    expect(response.status).toBe(200);
    const reply = await t.slack.waitFor("response_url");
    expect(reply.args).toMatchObject({ response_type: "ephemeral" });
    expect(String(reply.args.text)).toContain("people from other organisations cannot use it");
    expect(t.slack.callsTo("views.open")).toHaveLength(0);
    expect(await refusals()).toMatchObject([
      { actor: STRANGER, action: "use", subject: "button order_details", reason: "another workspace" },
    ]);
  });

  it("sends a guest no key, though named in SSL_APPROVERS: Send me the files is refused by DM", async () => {
    const details = {
      type: "modal",
      callback_id: "ssl_order_details",
      private_metadata: JSON.stringify({ orderId: 1, tab: "certificate" }),
      blocks: [
        {
          type: "actions",
          block_id: "details_files",
          elements: [
            { type: "button", action_id: "details_send_files", text: { type: "plain_text", text: "Send" } },
          ],
        },
      ],
    };
    await t.driver.interactive(
      viewBlockAction(details, { viewId: "VDETAILS", userId: GUEST }, "details_send_files"),
    );
    const dm = await t.slack.waitFor("chat.postMessage", (call) => call.args.channel === GUEST);
    expect(String(dm.args.text)).toContain("guest accounts cannot use it");
    expect(t.slack.callsTo("files.getUploadURLExternal")).toEqual([]);
    expect(await refusals()).toMatchObject([
      { actor: GUEST, action: "use", subject: "button details_send_files", reason: "guest account" },
    ]);
  });

  it("answers a guest's form submission with a notice in the modal and stores nothing", async () => {
    const client = await createAcmeClient(t.database.db);
    const form = {
      type: "modal",
      callback_id: "ssl_order_step1",
      private_metadata: JSON.stringify({ channelId: "C0OPS" }),
      blocks: [
        {
          type: "input",
          block_id: "client_blk",
          element: {
            type: "external_select",
            action_id: "order_client",
            initial_option: { value: String(client.id), text: { type: "plain_text", text: "Acme" } },
          },
        },
      ],
    };
    const response = await t.driver.interactive(
      viewSubmission(form, { viewId: "VGUEST", userId: SINGLE_CHANNEL_GUEST }),
    );
    const answer = response.json() as { response_action: string; view: unknown };
    expect(answer.response_action).toBe("update");
    expect(textOf(answer.view)).toContain("guest accounts cannot use it");
    expect(await t.database.db.select().from(orderDrafts)).toEqual([]);
    expect((await refusals()).map((row) => row.subject)).toEqual(["form ssl_order_step1"]);
  });

  it("gives a guest no client names in a search, and a notice instead of the Home tab", async () => {
    await createAcmeClient(t.database.db);
    const search = await t.driver.interactive({
      type: "block_suggestion",
      user: { id: GUEST, team_id: "T0TEST" },
      team: { id: "T0TEST" },
      action_id: "order_client",
      block_id: "client_blk",
      value: "acme",
      view: { id: "VX", type: "modal", callback_id: "ssl_order_step1" },
    });
    expect(search.json()).toEqual({ options: [] });

    await t.http.post(
      JSON.stringify({
        type: "event_callback",
        team_id: "T0TEST",
        api_app_id: "A0TEST",
        event: { type: "app_home_opened", user: GUEST, channel: "D0GUEST", tab: "home" },
        event_id: "Ev1",
        event_time: 1,
      }),
      { contentType: "application/json" },
    );
    const published = await t.slack.waitFor("views.publish");
    expect(published.args.user_id).toBe(GUEST);
    expect(textOf(published.args.view)).toContain("guest accounts cannot use it");
    expect(textOf(published.args.view)).not.toContain("Acme");
  });

  it("lets full members through and asks Slack about each person once in ten minutes", async () => {
    for (let i = 0; i < 3; i += 1) {
      const help = await t.driver.slashCommand("help", { userId: MEMBER });
      expect(help.text).toContain("/ssl order [client] [domain]");
    }
    await t.driver.slashCommand("help", { userId: GUEST });
    await t.driver.slashCommand("help", { userId: GUEST });
    const asked = t.slack.callsTo("users.info").map((call) => call.args.user);
    expect(asked).toEqual([MEMBER, GUEST]);
    expect(await refusals()).toHaveLength(2);
  });

  it("refuses, without auditing, when Slack cannot say who the person is", async () => {
    t.slack.on("users.info", () => ({ body: { ok: false, error: "user_not_found" } }));
    const response = await t.driver.slashCommand("order", { userId: "U0UNKNOWN" });
    expect((response.json() as { text: string }).text).toContain("could not confirm your account");
    expect(t.slack.callsTo("views.open")).toHaveLength(0);
    expect(await refusals()).toEqual([]);
  });
});

describe("membership rules", () => {
  it("counts users of the same Enterprise Grid organisation as members, and strangers as outsiders", async () => {
    t.slack.users.set("U0GRID", { team_id: "T0SISTER", enterprise_user: { enterprise_id: "E0ORG" } });
    t.slack.users.set("U0OUTSIDE", { team_id: "T0SISTER", enterprise_user: { enterprise_id: "E0OTHER" } });
    t.slack.users.set("U0EXT", { team_id: "T0TEST", is_stranger: true });
    const membership = createMembership(t.app.slack.userInfo, new TestClock(), () => ({
      teamId: "T0TEST",
      enterpriseId: "E0ORG",
    }));
    expect(await membership.check("U0GRID")).toEqual({ ok: true });
    expect(await membership.check("U0OUTSIDE")).toEqual({ ok: false, reason: "another workspace" });
    expect(await membership.check("U0EXT")).toEqual({ ok: false, reason: "another workspace" });
    expect(await membership.check(MEMBER)).toEqual({ ok: true });
  });
});

describe("requests no handler knows, and LOG_LEVEL", () => {
  it("acknowledges an unknown button and an unknown form at once, saying so at debug level only", async () => {
    const debug = await startTestApp({ env: { LOG_LEVEL: "debug" } });
    try {
      const button = await debug.driver.interactive(
        messageButton({ channel: "C0SSL", ts: "1700000000.000001" }, "no_such_action", "1", {
          userId: MEMBER,
          responseUrl: debug.slack.responseUrl(),
        }),
      );
      // Bolt alone answers 404 after its 3-second wait.
      expect(button.status).toBe(200);
      const form = await debug.driver.interactive(
        viewSubmission({ type: "modal", callback_id: "no_such_form", blocks: [] }, { viewId: "VNONE" }),
      );
      expect(form.status).toBe(200);
      const lines = debug.logLines.join("\n");
      expect(lines).toMatch(
        / DEBUG .*No handler answered a block_actions \(no_such_action\); acknowledged it\./,
      );
      expect(lines).toMatch(/ DEBUG .*No handler answered a view_submission \(no_such_form\)/);
      expect(lines).not.toContain("not acknowledged");
    } finally {
      await debug.stop();
    }
    // The default level (info) writes no debug line, whatever Bolt would like.
    t.logLines.length = 0;
    const button = await t.driver.interactive(
      messageButton({ channel: "C0SSL", ts: "1700000000.000001" }, "no_such_action", "1", {
        userId: MEMBER,
        responseUrl: t.slack.responseUrl(),
      }),
    );
    // Bolt alone answers 404 after its 3-second wait.
    expect(button.status).toBe(200);
    const form = await t.driver.interactive(
      viewSubmission({ type: "modal", callback_id: "no_such_form", blocks: [] }, { viewId: "VNONE" }),
    );
    expect(form.status).toBe(200);
    expect(t.logLines.filter((line) => line.includes(" DEBUG "))).toEqual([]);
  });
});
