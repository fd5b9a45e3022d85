import { beforeEach, describe, expect, it } from "vitest";
import type { OrderStatus } from "../../../src/domain/order.js";
import { type Client, createClient } from "../../../src/orders/clients.js";
import { createAcmeClient } from "../../support/fixtures.js";
import { useTestApp } from "../../support/harness.js";
import { messageButton, textOf } from "../../support/modal.js";
import { insertOrders as insertOrderRows } from "../../support/orders.js";
import type { RecordedCall } from "../../support/slack-api-fake.js";

const t = useTestApp({ env: { SSL_CHANNEL: "C0SSL" } });
let acme: Client;
beforeEach(async () => {
  acme = await createAcmeClient(t.database.db);
});

const DAY = 24 * 3600 * 1000;

async function createGlobex(): Promise<Client> {
  const created = await createClient(t.database.db, {
    name: "Globex",
    country: "US",
    contact: {
      firstName: "Hank",
      lastName: "Scorpio",
      email: "hank@globex.example",
      phone: "+1 415 555 2671",
      title: "CEO",
    },
  });
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
  return created.value;
}

/** Orders straight into the table, oldest first (SSL-1001 is the oldest), a minute apart. */
async function insertOrders(
  client: Client,
  domains: string[],
  extra: (index: number) => { status?: OrderStatus; notAfter?: Date; failureReason?: string } = () => ({}),
) {
  const base = t.clock.now().getTime() - domains.length * 60_000;
  return insertOrderRows(
    t.database.db,
    domains.map((domain, index) => ({
      clientId: client.id,
      domain,
      providerOrderId: `SBX-${index + 1}`,
      status: "pending" as OrderStatus,
      idempotencyKey: `list:${client.id}:${domain}`,
      createdAt: new Date(base + index * 60_000),
      ...extra(index),
    })),
  );
}

type Block = Record<string, unknown> & { block_id?: string; elements?: Record<string, unknown>[] };

async function list(text: string): Promise<RecordedCall> {
  expect((await t.driver.slashCommand(text)).status).toBe(200);
  return t.slack.waitFor("response_url");
}

const blocksOf = (call: RecordedCall) => call.args.blocks as Block[];
const rowIds = (call: RecordedCall) =>
  blocksOf(call)
    .map((block) => block.block_id ?? "")
    .filter((id) => id.startsWith("order_list_row_"));
const pagerButton = (call: RecordedCall, actionId: string) =>
  blocksOf(call)
    .find((block) => block.block_id === "order_list_pages")
    ?.elements?.find((element) => element.action_id === actionId);

/** A click on the ephemeral list, as Slack sends it: with a fresh response_url. */
function clickOnList(
  action: Record<string, unknown>,
  responseUrl = t.slack.responseUrl(),
  triggerId = "trigger-list",
) {
  const payload = messageButton({ channel: "C0OPS", ts: "1700000099.000001" }, "x", "x", {
    userId: "U0ANN",
    responseUrl,
  });
  return t.driver.interactive({
    ...payload,
    trigger_id: triggerId,
    container: { type: "message", message_ts: "1700000099.000001", channel_id: "C0OPS", is_ephemeral: true },
    actions: [{ block_id: "order_list", action_ts: "1700000100.1", ...action }],
  });
}

async function page(actionId: string, button: Record<string, unknown> | undefined): Promise<RecordedCall> {
  expect(button).toBeDefined();
  const responseUrl = t.slack.responseUrl();
  await clickOnList({ type: "button", action_id: actionId, value: button?.value }, responseUrl);
  return t.slack.waitFor("response_url", (call) => responseUrl.endsWith(`/${call.args.responseUrlId}`));
}

describe("/ssl list <client>", () => {
  it("lists the client's certificates newest first, ten a page, with Next and Previous", async () => {
    const domains = Array.from({ length: 12 }, (_, index) => `site${index + 1}.example.com`);
    const acmeOrders = await insertOrders(acme, domains, (index) =>
      index === 0
        ? { status: "issued", notAfter: new Date(t.clock.now().getTime() + 23 * DAY + 3_600_000) }
        : {},
    );
    await insertOrders(await createGlobex(), ["globex.example"]);
    const byReference = new Map(acmeOrders.map((order) => [order.reference, order]));
    const idOf = (reference: string) => byReference.get(reference)?.id;

    const first = await list('list "Acme Ltd"');
    expect(first.args.response_type).toBe("ephemeral");
    expect(blocksOf(first).length).toBeLessThanOrEqual(50);
    expect(rowIds(first)).toEqual(
      Array.from({ length: 10 }, (_, index) => `order_list_row_${idOf(`SSL-${1012 - index}`)}`),
    );
    const shown = textOf(blocksOf(first));
    expect(shown).toContain("Certificates for Acme Ltd");
    expect(shown).toContain("1–10 of 12");
    expect(shown).toContain(":hourglass_flowing_sand: *SSL-1012* · site12.example.com");
    expect(shown).toContain("PositiveSSL (DV) · Validating · not issued yet");
    expect(shown).not.toContain("globex.example");
    const topRow = blocksOf(first)[1] as { accessory: { type: string; options: { value: string }[] } };
    expect(topRow.accessory.type).toBe("overflow");
    expect(topRow.accessory.options.map((option) => option.value)).toEqual([
      `check:${idOf("SSL-1012")}`,
      `details:${idOf("SSL-1012")}`,
      `renew:${idOf("SSL-1012")}`,
    ]);
    expect(pagerButton(first, "order_list_previous")).toBeUndefined();

    const second = await page("order_list_next", pagerButton(first, "order_list_next"));
    expect(second.args.replace_original).toBe(true);
    expect(rowIds(second)).toEqual([
      `order_list_row_${idOf("SSL-1002")}`,
      `order_list_row_${idOf("SSL-1001")}`,
    ]);
    expect(textOf(blocksOf(second))).toContain("11–12 of 12");
    expect(textOf(blocksOf(second))).toContain(
      ":white_check_mark: *SSL-1001* · site1.example.com\\nPositiveSSL (DV) · Issued · expires 2026-12-20 (in 23 days)",
    );
    expect(pagerButton(second, "order_list_next")).toBeUndefined();

    const back = await page("order_list_previous", pagerButton(second, "order_list_previous"));
    expect(rowIds(back)).toEqual(rowIds(first));
  });

  it("tells the caller when no client has that name", async () => {
    await insertOrders(acme, ["www.example.com"]);
    const reply = await list("list Nobody Inc");
    expect(reply.args.response_type).toBe("ephemeral");
    expect(reply.args.text).toBe("No client named “Nobody Inc”; `/ssl clients` lists them.");
  });

  it("points a client without certificates at /ssl order", async () => {
    const reply = await list("list acme ltd");
    expect(reply.args.text).toBe(
      '*Acme Ltd* has no certificates yet. Order one with `/ssl order "Acme Ltd" <domain>`.',
    );
  });
});

describe("/ssl list without a client", () => {
  it("shows the most recent certificates of every client, with the client's name", async () => {
    await insertOrders(acme, ["www.example.com"]);
    await insertOrders(await createGlobex(), ["globex.example"]);
    const reply = await list("list");
    const shown = textOf(blocksOf(reply));
    expect(shown).toContain("Recent certificates");
    expect(shown.indexOf("SSL-1002* · globex.example\\nGlobex · PositiveSSL")).toBeGreaterThan(0);
    expect(shown.indexOf("SSL-1001* · www.example.com\\nAcme Ltd · PositiveSSL")).toBeGreaterThan(
      shown.indexOf("SSL-1002"),
    );
    expect(pagerButton(reply, "order_list_next")).toBeUndefined();
  });

  it("says how to order the first certificate when there are none", async () => {
    const reply = await list("list");
    expect(reply.args.text).toContain("No certificates have been ordered yet");
    expect(reply.args.text).toContain("`/ssl order [client] [domain]`");
  });
});

describe("the row menu", () => {
  it("Check status answers only the caller and leaves the list in place", async () => {
    const [failed] = await insertOrders(acme, ["refuse-shop.example.com"], () => ({
      status: "failed",
      failureReason: "The sandbox refuses refuse-shop.example.com",
    }));
    const responseUrl = t.slack.responseUrl();
    await clickOnList(
      {
        type: "overflow",
        action_id: "order_list_menu",
        selected_option: { text: { type: "plain_text", text: "Check status" }, value: `check:${failed?.id}` },
      },
      responseUrl,
    );
    const reply = await t.slack.waitFor("response_url");
    expect(reply.args).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(reply.args.text).toBe(
      ":information_source: SSL-1001 was refused by the provider: The sandbox refuses refuse-shop.example.com.",
    );
  });

  it("Details and Renew open what the order message's buttons open", async () => {
    const [order] = await insertOrders(acme, ["www.example.com"]);
    const id = String(order?.id);
    for (const [choice, button] of [
      ["details", "order_details"],
      ["renew", "order_renew"],
    ]) {
      t.slack.reset();
      const selected = { text: { type: "plain_text", text: choice }, value: `${choice}:${id}` };
      await clickOnList(
        { type: "overflow", action_id: "order_list_menu", selected_option: selected },
        t.slack.responseUrl(),
        `trigger-list-${choice}`,
      );
      const fromList = await t.slack.waitFor("views.open");
      expect(fromList.args.trigger_id).toBe(`trigger-list-${choice}`);
      await t.driver.interactive(
        messageButton({ channel: "C0SSL", ts: "1700000000.000001" }, String(button), id, {
          userId: "U0ANN",
          responseUrl: t.slack.responseUrl(),
        }),
      );
      const fromMessage = await t.slack.waitFor("views.open", (call) => call !== fromList);
      expect(textOf(fromList.args.view)).toContain("SSL-1001");
      expect(fromList.args.view).toEqual(fromMessage.args.view);
    }
  });
});
