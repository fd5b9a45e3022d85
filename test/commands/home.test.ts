import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DAY_MS, insertOrder } from "../jobs/jobs-support.js";
import { createAcmeClient } from "../support/fixtures.js";
import { useTestApp } from "../support/harness.js";
import { appHomeOpened, textOf } from "../support/modal.js";

const t = useTestApp({ env: { SSL_REQUIRE_APPROVAL: "true", SSL_APPROVERS: "U0APPROVER" } });
let clientId: number;
beforeAll(async () => {
  await t.app.scheduler.stop();
});
beforeEach(async () => {
  clientId = (await createAcmeClient(t.database.db)).id;
});

async function openHome(user: string, tab: "home" | "messages" = "home") {
  const response = await t.driver.interactive(appHomeOpened(user, tab));
  expect(response.status).toBe(200);
}

type Block = { type: string; text?: { text: string }; elements?: { action_id: string; value: string }[] };

/** The Home tab as the sections the user reads: header, then each line with its buttons. */
function sections(view: { blocks: Block[] }): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  let current: string[] = [];
  for (const block of view.blocks) {
    if (block.type === "header") {
      current = [];
      result[block.text?.text ?? ""] = current;
    } else if (block.type === "section") {
      current.push(block.text?.text ?? "");
    } else if (block.type === "actions") {
      current.push(
        block.elements?.map((element) => `[${element.action_id}:${element.value}]`).join(" ") ?? "",
      );
    }
  }
  return result;
}

async function seed() {
  const now = t.clock.now().getTime();
  const waiting = await insertOrder(t.database.db, {
    clientId,
    domain: "waiting.example.com",
    status: "awaiting_approval",
    requestedBy: "U0ANN",
  });
  const ownRequest = await insertOrder(t.database.db, {
    clientId,
    domain: "own-request.example.com",
    status: "awaiting_approval",
    requestedBy: "U0APPROVER",
  });
  const pending = await insertOrder(t.database.db, {
    clientId,
    domain: "pending.example.com",
    status: "pending",
    requestedBy: "U0APPROVER",
  });
  const expiring = await insertOrder(t.database.db, {
    clientId,
    domain: "soon.example.com",
    notAfter: new Date(now + 10 * DAY_MS),
  });
  await insertOrder(t.database.db, {
    clientId,
    domain: "later.example.com",
    notAfter: new Date(now + 60 * DAY_MS),
  });
  const renewed = await insertOrder(t.database.db, {
    clientId,
    domain: "renewed.example.com",
    notAfter: new Date(now + 5 * DAY_MS),
  });
  await insertOrder(t.database.db, {
    clientId,
    domain: "renewed.example.com",
    notAfter: new Date(now + 370 * DAY_MS),
    renewalOfId: renewed.id,
  });
  return { waiting, ownRequest, pending, expiring };
}

describe("App Home tab", () => {
  it("shows an approver what waits for them, their orders in progress and what expires soon", async () => {
    const { waiting, ownRequest, pending, expiring } = await seed();
    await openHome("U0APPROVER");
    const published = await t.slack.waitFor("views.publish");
    expect(published.args.user_id).toBe("U0APPROVER");
    const view = published.args.view as { type: string; blocks: Block[] };
    expect(view.type).toBe("home");
    expect(sections(view)).toEqual({
      "Waiting for your approval": [
        ":raised_hand: *SSL-1001* · waiting.example.com · Acme Ltd\nRequested by <@U0ANN>",
        `[order_approve:${waiting.id}] [order_reject:${waiting.id}] [order_details:${waiting.id}]`,
      ],
      "Your orders in progress": [
        ":hourglass_flowing_sand: *SSL-1003* · pending.example.com · Acme Ltd\nValidating",
        `[order_check_status:${pending.id}] [order_details:${pending.id}] [order_renew:${pending.id}]`,
        ":raised_hand: *SSL-1002* · own-request.example.com · Acme Ltd\nWaiting for approval",
        `[order_details:${ownRequest.id}]`,
      ],
      "Expiring in the next 30 days": [
        ":white_check_mark: *SSL-1004* · soon.example.com · Acme Ltd\nExpires on 2026-12-07",
        `[order_check_status:${expiring.id}] [order_details:${expiring.id}] [order_renew:${expiring.id}]`,
      ],
    });
  });

  it("shows no approval list to someone who may not approve, and says when a list is empty", async () => {
    await openHome("U0ANN");
    const view = (await t.slack.waitFor("views.publish")).args.view;
    expect(textOf(view)).not.toContain("Waiting for your approval");
    expect(textOf(view)).toContain("You have no orders in progress.");
    expect(textOf(view)).toContain("No certificate expires in the next 30 days.");
  });

  it("publishes nothing when the Messages tab is opened", async () => {
    await openHome("U0ANN", "messages");
    await openHome("U0APPROVER");
    const published = await t.slack.waitFor("views.publish");
    expect(published.args.user_id).toBe("U0APPROVER");
    expect(t.slack.callsTo("views.publish")).toHaveLength(1);
  });
});
