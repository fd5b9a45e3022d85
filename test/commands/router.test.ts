import { App, type Receiver } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { routeById } from "../../src/commands/router.js";

/** A Bolt app fed by hand: `deliver` is what a receiver does with a request. */
function boltApp() {
  const receiver: Receiver = { init: () => {}, start: async () => undefined, stop: async () => undefined };
  const app = new App({
    receiver,
    authorize: async () => ({ botToken: "xoxb-test", botId: "BBOT", botUserId: "UBOT" }),
  });
  const deliver = async (body: Record<string, unknown>) => {
    let acked: unknown;
    const ack = async (answer?: unknown) => {
      acked = answer ?? "acked";
    };
    await app.processEvent({ body, ack });
    return acked;
  };
  return { app, deliver };
}

const click = (actionId: string) => ({
  type: "block_actions",
  team: { id: "T1" },
  user: { id: "U1", team_id: "T1" },
  api_app_id: "A1",
  actions: [{ type: "button", action_id: actionId, block_id: "b", action_ts: "1" }],
  token: "t",
});

describe("routing by id", () => {
  it("runs the listener registered for the clicked id, and only it", async () => {
    const { app, deliver } = boltApp();
    const routed = routeById(app);
    const ran: string[] = [];
    for (const id of ["first", "second"]) {
      routed.app.action(id, async ({ ack }) => {
        ran.push(id);
        await ack();
      });
    }
    expect(await deliver(click("second"))).toBe("acked");
    expect(ran).toEqual(["second"]);
    expect(routed.ids("action")).toEqual(["first", "second"]);
  });

  it("leaves a RegExp constraint to Bolt", async () => {
    const { app, deliver } = boltApp();
    const routed = routeById(app);
    const ran: string[] = [];
    routed.app.action(/^tab_/, async ({ ack, action }) => {
      ran.push((action as { action_id: string }).action_id);
      await ack();
    });
    await deliver(click("tab_chain"));
    expect(ran).toEqual(["tab_chain"]);
    expect(routed.ids("action")).toEqual([]);
  });

  it("refuses a second listener for the same id, which Bolt would run as well", () => {
    const { app } = boltApp();
    const routed = routeById(app);
    routed.app.view("form", async ({ ack }) => ack());
    expect(() => routed.app.view("form", async ({ ack }) => ack())).toThrow(
      'app.view("form") is registered twice',
    );
  });
});
