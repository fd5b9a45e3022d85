import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Scheduler } from "../../src/jobs/scheduler.js";
import { testScheduler } from "../jobs/jobs-support.js";
import { createAcmeClient } from "../support/fixtures.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { TestHttpFileServer } from "../support/http-file-server.js";
import { messageButton, textOf, viewBlockAction, viewSubmission } from "../support/modal.js";
import { waitForLoadedOrderForm } from "../support/order-modal.js";
import { reloadOrder } from "../support/orders.js";
import { type PebbleServer, pebbleInstalled, startPebble } from "../support/pebble.js";

/**
 * An ACME order end to end through Slack against Pebble, Let's Encrypt's test CA: the order form,
 * the review (free: no approval), the thread's DNS record or HTTP file, "Record is in place" (the
 * "Will it issue?" check, then the CA is asked to validate), the poll that finalizes and downloads,
 * and the certificate as Details delivers it. The customer's site is a local web server and their
 * DNS is pebble-challtestsrv, which both Pebble and certdesk's check read.
 */

type View = Record<string, unknown>;

let pebble: PebbleServer;
let site: TestHttpFileServer;
let t: TestApp;
let scheduler: Scheduler;

beforeAll(async () => {
  site = await TestHttpFileServer.start();
  pebble = await startPebble({ httpPort: site.port });
  t = await startTestApp({
    env: {
      SSL_CHANNEL: "C0SSL",
      SSL_PROVIDERS: "acme",
      // Paid orders wait for an approver; free certificates do not (only with =all).
      SSL_REQUIRE_APPROVAL: "true",
      SSL_APPROVERS: "U0SEC",
      ACME_DIRECTORY_URL: pebble.directoryUrl,
      ACME_CA_BUNDLE: pebble.caBundlePath,
      ACME_EMAIL: "certs@example.com",
      DNS_SERVERS: pebble.dnsServer,
      VALIDATION_CHECK_HTTP_PORT: String(site.port),
    },
  });
  await t.app.catalogue.get();
  scheduler = await testScheduler(t);
}, 30_000);
afterAll(async () => {
  await t?.stop();
  await pebble?.close();
  await site?.close();
});
beforeEach(async () => {
  await t.app.settled();
  await t.database.truncateAll();
  t.slack.reset();
  site.setRoutes({});
  await createAcmeClient(t.database.db);
});

/** /ssl order through both steps with `inputs` on step 1; the review and the order's id. */
async function order(domain: string, inputs: Record<string, string>) {
  expect((await t.driver.slashCommand(`order "Acme Ltd" ${domain}`)).status).toBe(200);
  const form = await waitForLoadedOrderForm(t.slack);
  const step1 = await t.driver.interactive(viewSubmission(form.view, { viewId: form.viewId }, inputs));
  const pushed = step1.json() as { response_action: string; view: View; errors?: unknown };
  expect(pushed.errors).toBeUndefined();
  expect(pushed.response_action).toBe("push");
  const review = pushed.view;
  expect((review as { submit?: { text: string } }).submit?.text).toBe("Place order");
  await t.driver.interactive(viewSubmission(review, { viewId: "V-STEP2", previousViewId: form.viewId }));
  await t.slack.waitFor("views.update", (call) => textOf(call.args.view).includes("placed with"));
  const [row] = await t.database.db.query.orders.findMany();
  if (!row) throw new Error("no order was stored");
  return { review: textOf(review), order: await reloadOrder(t.database.db, row.id) };
}

async function pollUntil(orderId: number, status: string) {
  for (let round = 0; round < 100; round++) {
    t.clock.advance(60_000);
    await scheduler.runPoll();
    const current = await reloadOrder(t.database.db, orderId);
    if (current.status === status) return current;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`order ${orderId} never became ${status}`);
}

const recordIsInPlace = (orderId: number) =>
  t.driver.interactive(
    messageButton({ channel: "C0SSL", ts: "1700000000.000100" }, "order_check_readiness", String(orderId), {
      userId: "U0BOB",
      responseUrl: t.slack.responseUrl(),
    }),
  );

describe.skipIf(!pebbleInstalled() && !process.env.CI)("an ACME order through Slack, against Pebble", () => {
  it("orders by DNS record (free, no approval), issues once the TXT record is in place, delivers, and revokes", async () => {
    const { review, order: placed } = await order("shop.example.com", {});
    expect(review).toContain("Price: *free*");
    expect(placed.approvedBy).toBeNull();
    expect(placed.status).toBe("pending");
    expect(placed.providerOrderId).toMatch(/^ACME-\d+$/);
    const [instruction] = placed.dcvInstructions ?? [];
    expect(instruction?.dnsRecord).toMatchObject({ name: "_acme-challenge.shop.example.com", type: "TXT" });
    const thread = await t.slack.waitFor(
      "chat.postMessage",
      (call) => call.args.thread_ts !== undefined && String(call.args.text).includes("_acme-challenge"),
    );
    expect(String(thread.args.text)).toContain(instruction?.dnsRecord?.value ?? "?");
    // The CA validates only when told: the thread's button says the record is in place.
    expect(textOf(thread.args.blocks)).toContain("Record is in place");
    expect(textOf(thread.args.blocks)).not.toContain("Resend approval e-mail");

    await pebble.setTxt("_acme-challenge.shop.example.com", instruction?.dnsRecord?.value ?? "");
    await recordIsInPlace(placed.id);
    const told = String((await t.slack.waitFor("response_url")).args.text);
    expect(told).toContain("*Record is in place* for *SSL-1001*: nothing in the way");
    expect(told).toContain("was asked to validate now");

    const issued = await pollUntil(placed.id, "issued");
    const certificate = new X509Certificate(issued.certificate ?? "");
    expect(certificate.subjectAltName).toContain("DNS:shop.example.com");
    expect(certificate.checkIssued(new X509Certificate(await pebble.intermediatePem()))).toBe(true);

    // Delivered as any certificate: Details → Certificate → the files by direct message.
    await t.driver.interactive(
      messageButton(
        { channel: "C0SSL", ts: issued.slackMessageTs ?? "" },
        "order_details",
        String(issued.id),
        {
          userId: "U0ANN",
          responseUrl: t.slack.responseUrl(),
        },
      ),
    );
    const details = (
      await t.slack.waitFor("views.open", (call) => textOf(call.args.view).includes("details_tabs"))
    ).args.view as View;
    await t.driver.interactive(
      viewBlockAction(details, { viewId: "VD", userId: "U0ANN" }, "details_tab_certificate"),
    );
    const tab = (
      await t.slack.waitFor("views.update", (call) => textOf(call.args.view).includes("details_send_files"))
    ).args.view as View;
    expect(textOf(tab)).toContain("shop.example.com");
    await t.driver.interactive(viewBlockAction(tab, { viewId: "VD", userId: "U0ANN" }, "details_send_files"));
    const upload = await t.slack.waitFor("files.completeUploadExternal");
    expect(upload.args.channel_id).toBe("DU0ANN");
    expect((upload.args.files as { title: string }[]).map((file) => file.title)).toEqual([
      "certificate.pem",
      "chain.pem",
      "fullchain.pem",
    ]);
    expect(await pebble.certificateStatus(certificate.serialNumber)).toBe("Valid");
    // ACME renews instead of reissuing: the issued order's message offers Renew, not Reissue.
    const issuedMessage = t.slack
      .callsTo("chat.update")
      .filter((call) => textOf(call.args.blocks).includes("Issued"))
      .at(-1);
    expect(textOf(issuedMessage?.args.blocks)).toContain('"action_id":"order_renew"');
    expect(textOf(issuedMessage?.args.blocks)).not.toContain('"action_id":"order_reissue"');

    // Revoked from Details by an approver, with a reason: the CA revokes it, the thread says so.
    await t.driver.interactive(
      messageButton(
        { channel: "C0SSL", ts: issued.slackMessageTs ?? "" },
        "order_details",
        String(issued.id),
        {
          userId: "U0SEC",
          responseUrl: t.slack.responseUrl(),
        },
      ),
    );
    const approverDetails = (
      await t.slack.waitFor(
        "views.open",
        (call) =>
          textOf(call.args.view).includes("details_revoke") && call !== t.slack.callsTo("views.open")[0],
      )
    ).args.view as View;
    await t.driver.interactive(
      viewBlockAction(approverDetails, { viewId: "VD2", userId: "U0SEC" }, "details_revoke"),
    );
    const form = (await t.slack.waitFor("views.push")).args.view as View;
    await t.driver.interactive(
      viewSubmission(
        form,
        { viewId: "V-REVOKE", userId: "U0SEC", previousViewId: "VD2" },
        { revoke_reason: "superseded" },
      ),
    );
    await t.slack.waitFor("views.update", (call) => textOf(call.args.view).includes("was revoked"));
    expect((await reloadOrder(t.database.db, issued.id)).status).toBe("revoked");
    expect(await pebble.certificateStatus(certificate.serialNumber)).toBe("Revoked");
    const revokedReply = await t.slack.waitFor(
      "chat.postMessage",
      (call) =>
        call.args.thread_ts !== undefined && String(call.args.text).includes("revoked the certificate"),
    );
    expect(String(revokedReply.args.text)).toContain("<@U0SEC>");
  });
});

describe.skipIf(!pebbleInstalled() && !process.env.CI)("ACME validation by HTTP file, against Pebble", () => {
  it("issues once the file the thread names is served, with no click: the poll checks and asks the CA", async () => {
    const { order: placed } = await order("blog.example.com", { order_dcv_method: "http" });
    const [instruction] = placed.dcvInstructions ?? [];
    expect(instruction?.httpUrl).toMatch(
      /^http:\/\/blog\.example\.com\/\.well-known\/acme-challenge\/[\w-]+$/,
    );
    const thread = await t.slack.waitFor(
      "chat.postMessage",
      (call) => call.args.thread_ts !== undefined && String(call.args.text).includes("acme-challenge"),
    );
    expect(String(thread.args.text)).toContain(instruction?.httpContent ?? "?");

    // Before the file is there, polls do not ask the CA (a challenge fails for good once answered).
    t.clock.advance(60_000);
    expect(await scheduler.runPoll()).toMatchObject({ askedToValidate: 0 });
    expect((await reloadOrder(t.database.db, placed.id)).status).toBe("pending");

    site.setRoutes({
      [new URL(instruction?.httpUrl ?? "http://x/").pathname]: {
        status: 200,
        body: instruction?.httpContent ?? "",
      },
    });
    const issued = await pollUntil(placed.id, "issued");
    expect(new X509Certificate(issued.certificate ?? "").subjectAltName).toContain("DNS:blog.example.com");
    const reply = await t.slack.waitFor(
      "chat.postMessage",
      (call) => call.args.thread_ts !== undefined && String(call.args.text).startsWith("Issued"),
    );
    expect(String(reply.args.text)).toContain("valid until");
  });

  it("does not ask the CA while the file cannot be seen (the site does not answer): the challenge stays open", async () => {
    const { order: placed } = await order("slow.example.com", { order_dcv_method: "http" });
    const [instruction] = placed.dcvInstructions ?? [];
    // Only a warning for certdesk's check (maybe a slow site), but an answered challenge is final.
    site.setRoutes({ [new URL(instruction?.httpUrl ?? "http://x/").pathname]: { hang: true } });
    t.clock.advance(60_000);
    expect(await scheduler.runPoll()).toMatchObject({ askedToValidate: 0 });
    const status = await t.providers.get("acme").getStatus(placed.providerOrderId ?? "");
    expect(status.domains).toEqual([{ domain: "slow.example.com", method: "http", state: "pending" }]);
    site.setRoutes({});
  }, 20_000);

  it("shows the CA's refusal in plain words when the file is wrong, and the order is rejected", async () => {
    const { order: placed } = await order("wrong.example.com", { order_dcv_method: "http" });
    const [instruction] = placed.dcvInstructions ?? [];
    site.setRoutes({
      [new URL(instruction?.httpUrl ?? "http://x/").pathname]: {
        status: 200,
        body: "not the key authorization",
      },
    });
    // The person says it is in place; certdesk's own check sees a wrong file and does not ask the CA.
    await recordIsInPlace(placed.id);
    expect(String((await t.slack.waitFor("response_url")).args.text)).toContain("1 problem");
    expect((await reloadOrder(t.database.db, placed.id)).status).toBe("pending");

    // Asked anyway (as a CA may be asked by another tool), the CA refuses: the thread says why.
    await t.providers.get("acme").recheckValidation?.({
      providerOrderId: placed.providerOrderId ?? "",
      reference: placed.reference,
      csrPem: placed.csr ?? "",
      domains: [{ domain: "wrong.example.com", method: "http" }],
    });
    const rejected = await pollUntil(placed.id, "rejected");
    expect(rejected.statusDetail?.lines[0]).toMatch(
      /^The CA did not find the expected content at the validation file or record \(wrong\.example\.com\): .*did not match/,
    );
    const reply = await t.slack.waitFor(
      "chat.postMessage",
      (call) => call.args.thread_ts !== undefined && String(call.args.text).includes("expected content"),
    );
    expect(String(reply.args.text)).toContain("Rejected");
  });
});
