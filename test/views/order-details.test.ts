import type { ActionsBlock, ModalView } from "@slack/types";
import { describe, expect, it } from "vitest";
import type { CertificateDetails } from "../../src/domain/certificate.js";
import {
  DETAILS_ACTIONS,
  DETAILS_CALLBACK,
  type DetailsOrder,
  type DetailsTab,
  describeEvent,
  detailsMessageView,
  type OrderDetailsData,
  orderDetailsView,
  type TimelineEvent,
} from "../../src/views/order-details.js";
import { blockById, buttonsOf, expectValidBlockKit } from "../support/block-kit.js";
import {
  days,
  HOSTILE,
  HOSTILE_ESCAPED,
  LONGEST_DOMAIN,
  manySans,
  NOW,
  textOf,
  WORST_CLIENT_NAME,
} from "./fixtures.js";

const PEM = `-----BEGIN CERTIFICATE-----\n${"MIIFazCCA1OgAwIBAgIUb3J0aGVyIGNlcnRpZmljYXRl\n".repeat(30)}-----END CERTIFICATE-----\n`;

const order: DetailsOrder = {
  reference: "SSL-1042",
  status: "pending",
  primaryDomain: "www.example.com",
  sans: ["shop.example.com"],
  productName: "PositiveSSL Multi-Domain (DV)",
  periodMonths: 24,
  dcvMethod: "email",
  approverEmail: "admin@example.com",
  providerOrderId: "GG-778899",
  requestedBy: "U0ALICE",
  approvedBy: "U0BOB",
  createdAt: days(-2),
  notBefore: null,
  notAfter: null,
  coverageEndsAt: null,
  failureReason: null,
  statusDetail: null,
  dcvInstructions: null,
  certificate: null,
  keyHeld: true,
  quotedPrice: "55.00 USD",
  cost: null,
};

const certificate: CertificateDetails = {
  subject: "www.example.com",
  sans: ["www.example.com", "shop.example.com"],
  issuer: "Sectigo RSA Domain Validation Secure Server CA",
  serialNumber: "00C0FFEE1234",
  sha256Fingerprint: Array.from({ length: 32 }, () => "AB").join(":"),
  notBefore: days(-1),
  notAfter: days(395),
};

const issued: DetailsOrder = {
  ...order,
  status: "issued",
  certificate: PEM,
  notBefore: certificate.notBefore,
  notAfter: certificate.notAfter,
  cost: "54.89 USD",
};

function data(overrides: Partial<OrderDetailsData> = {}): OrderDetailsData {
  return {
    orderId: 42,
    order,
    clientName: "Acme Ltd",
    providerName: "GoGetSSL",
    serverTypeLabel: "Apache/mod_ssl",
    renewedBy: [],
    certificates: [],
    events: [],
    keyPolicy: { mayReceiveKey: true, keysEnabled: true },
    tab: "overview",
    privateMetadata: JSON.stringify({ orderId: 42, tab: "overview" }),
    ...overrides,
  };
}

const texts = (view: ModalView) => view.blocks.map(textOf).join("\n");
const body = (view: ModalView) => view.blocks.slice(3);

describe("order details, every tab", () => {
  it.each(["overview", "status", "certificate"] as DetailsTab[])(
    "%s: heads with the order and its status, and marks the current tab",
    (tab) => {
      const view = orderDetailsView(data({ tab }));
      expectValidBlockKit("modal", view);
      expect(view.callback_id).toBe(DETAILS_CALLBACK);
      expect(view.title.text).toBe("Details SSL-1042");
      expect(view.close?.text).toBe("Close");
      expect(view.submit).toBeUndefined();
      expect(view.private_metadata).toBe(JSON.stringify({ orderId: 42, tab: "overview" }));
      expect(textOf(blockById(view.blocks, "details_head"))).toBe(
        ":hourglass_flowing_sand: *SSL-1042* · www.example.com — *Validating*",
      );
      const tabs = blockById(view.blocks, "details_tabs") as ActionsBlock;
      const buttons = buttonsOf(tabs);
      expect(buttons.map((button) => button.actionId)).toEqual([
        `${DETAILS_ACTIONS.tabPrefix}overview`,
        `${DETAILS_ACTIONS.tabPrefix}status`,
        `${DETAILS_ACTIONS.tabPrefix}certificate`,
      ]);
      const current = buttons.filter((button) => button.style === "primary");
      expect(current).toEqual([expect.objectContaining({ value: tab })]);
      expect(current[0]?.text.startsWith("• ")).toBe(true);
    },
  );
});

describe("order details, Overview", () => {
  it("shows client, domains, product, period, validation, provider, people, price and dates", () => {
    const view = orderDetailsView(data());
    const shown = texts(view);
    for (const expected of [
      "*Client*\nAcme Ltd",
      "*Domains*\nwww.example.com, shop.example.com",
      "*Product*\nPositiveSSL Multi-Domain (DV)",
      "*Period*\n2 years",
      "*Server type*\nApache/mod_ssl",
      "*Domain validation*\nE-mail to admin@example.com",
      "*Provider*\nGoGetSSL · order GG-778899",
      "*Requested by*\n<@U0ALICE> · approved by <@U0BOB>",
      "*Price*\n55.00 USD",
      `*Created*\n<!date^${Math.floor(days(-2).getTime() / 1000)}^{date_short}|2026-11-25>`,
      "*Valid from*\n—",
    ]) {
      expect(shown).toContain(expected);
    }
  });

  it("says one domain in the singular, a provider not placed yet, and validation by HTTP or DNS", () => {
    const http = texts(
      orderDetailsView(
        data({ order: { ...order, sans: [], providerOrderId: null, dcvMethod: "http", approvedBy: null } }),
      ),
    );
    expect(http).toContain("*Domain*\nwww.example.com");
    expect(http).toContain("*Provider*\nGoGetSSL · not placed yet");
    expect(http).toContain("*Domain validation*\nHTTP file");
    expect(http).toContain("*Requested by*\n<@U0ALICE>\n");
    expect(texts(orderDetailsView(data({ order: { ...order, dcvMethod: "dns" } })))).toContain(
      "*Domain validation*\nDNS record",
    );
  });

  it("shows what was charged once known, and that Sectigo publishes no prices otherwise", () => {
    expect(texts(orderDetailsView(data({ order: issued })))).toContain("*Price*\n54.89 USD charged");
    expect(
      texts(orderDetailsView(data({ providerName: "Sectigo", order: { ...order, quotedPrice: null } }))),
    ).toContain("*Price*\nprice not available (Sectigo publishes no prices)");
  });

  it("links the order it renews and the renewals of it", () => {
    const view = orderDetailsView(data({ renews: "SSL-0999", renewedBy: ["SSL-2001", "SSL-2002"] }));
    expect(textOf(blockById(view.blocks, "details_renewals"))).toBe(
      ":leftwards_arrow_with_hook: Renews *SSL-0999*\n:arrow_right_hook: Renewed by *SSL-2001*, *SSL-2002*",
    );
    expect(view.blocks.map((block) => block.block_id)).toContain("details_renewals");
    expect(orderDetailsView(data()).blocks.map((block) => block.block_id)).not.toContain("details_renewals");
  });

  it("shows why an order failed, escaped", () => {
    const view = orderDetailsView(
      data({ order: { ...order, status: "failed", failureReason: `Provider said: ${HOSTILE}` } }),
    );
    expectValidBlockKit("modal", view);
    expect(texts(view)).toContain(`:x: Provider said: ${HOSTILE_ESCAPED}`);
    expect(textOf(view.blocks[0])).toContain("*Failed*");
    expect(JSON.stringify(view)).not.toContain("<!channel>");
  });

  it("stays valid with 100 long SANs, the longest domain, a worst-case client name and a huge failure", () => {
    const view = orderDetailsView(
      data({
        clientName: WORST_CLIENT_NAME,
        serverTypeLabel: "s".repeat(3000),
        order: {
          ...order,
          primaryDomain: LONGEST_DOMAIN,
          sans: manySans(100),
          productName: "&".repeat(1000),
          failureReason: "<".repeat(5000),
        },
        renewedBy: Array.from({ length: 300 }, (_, index) => `SSL-${index}`),
      }),
    );
    expectValidBlockKit("modal", view);
    expect(texts(view)).toContain("*Domains*\n");
  });
});

describe("order details, certificates of the subscription", () => {
  const lines: OrderDetailsData["certificates"] = [
    {
      label: "SSL-1042",
      reason: "initial",
      status: "issued",
      serial: "00C0FFEE1234",
      notBefore: days(-200),
      notAfter: days(-1),
      keySource: "generated",
      keyAlgorithm: "rsa-2048",
    },
    {
      label: "SSL-1042 · certificate 2",
      reason: "reissue",
      status: "issued",
      serial: "00BEEF",
      notBefore: days(-1),
      notAfter: days(198),
      keySource: "client_csr",
      keyAlgorithm: "ec-p256",
    },
  ];

  it("lists every certificate with why it was issued, its key and dates, and the coverage end", () => {
    const view = orderDetailsView(
      data({ order: { ...issued, coverageEndsAt: days(500) }, certificates: lines }),
    );
    expectValidBlockKit("modal", view);
    const list = textOf(blockById(view.blocks, "details_certificates"));
    expect(list).toContain("*SSL-1042* (first, RSA-2048)");
    expect(list).toContain("*SSL-1042 · certificate 2* (reissue, client's CSR)");
    expect(list).toContain("serial `00BEEF`");
    expect(list).not.toContain("revoked");
    const revoked = orderDetailsView(
      data({
        order: { ...issued, status: "revoked" },
        certificates: lines.map((line, index) => (index === 1 ? { ...line, status: "revoked" } : line)),
      }),
    );
    expect(textOf(blockById(revoked.blocks, "details_certificates"))).toMatch(
      /• \*SSL-1042 · certificate 2\* \(reissue, client's CSR\) — .+ · serial `00BEEF` · :no_entry: revoked$/,
    );
    expect(texts(view)).toContain(
      `*Covered until*\n<!date^${Math.floor(days(500).getTime() / 1000)}^{date_short}|`,
    );
    expect(buttonsOf(body(view)).map((button) => button.text)).toContain("Reissue (free)");
  });

  it("offers the validation actions, carrying the order's id, while the provider waits", () => {
    const pending = orderDetailsView(data());
    expect(
      buttonsOf(body(pending))
        .filter((button) => button.value === "42")
        .map((button) => button.text),
    ).toEqual(["Resend approval e-mail", "Change validation", "Will it issue?"]);
    const dns = orderDetailsView(data({ order: { ...order, dcvMethod: "dns" } }));
    expect(buttonsOf(body(dns)).map((button) => button.text)).not.toContain("Resend approval e-mail");
    const issuedView = orderDetailsView(data({ order: issued }));
    expect(buttonsOf(body(issuedView)).map((button) => button.text)).not.toContain("Change validation");
  });

  it("says why there is no Reissue button when one cannot be asked for", () => {
    const view = orderDetailsView(
      data({ order: issued, reissueRefusal: "SSL-1042 · certificate 2 is already on its way." }),
    );
    expect(buttonsOf(body(view)).map((button) => button.text)).not.toContain("Reissue (free)");
    expect(texts(view)).toContain("SSL-1042 · certificate 2 is already on its way.");
  });

  it("offers Revoke… to an approver, behind a confirm dialog, carrying the order's id", () => {
    const view = orderDetailsView(data({ order: issued, mayRevoke: true }));
    expectValidBlockKit("modal", view);
    const buttons = buttonsOf(blockById(view.blocks, "details_lifecycle"));
    expect(buttons.map((button) => button.text)).toEqual(["Reissue (free)", "Revoke…"]);
    expect(buttons[1]).toMatchObject({ actionId: DETAILS_ACTIONS.revoke, value: "42", style: "danger" });
    expect(buttons[1]?.confirm).toEqual({
      title: { type: "plain_text", text: "Revoke the certificate?", emoji: true },
      text: {
        type: "plain_text",
        text: "Browsers will refuse the certificate of SSL-1042 at once, and this cannot be undone. Next you choose the reason.",
        emoji: true,
      },
      confirm: { type: "plain_text", text: "Continue", emoji: true },
      deny: { type: "plain_text", text: "Cancel", emoji: true },
      style: "danger",
    });
    // Beside the reason there is no Reissue button, Revoke… stays.
    const refused = orderDetailsView(
      data({ order: issued, mayRevoke: true, reissueRefusal: "Certificate 2 is on its way." }),
    );
    expect(buttonsOf(body(refused)).map((button) => button.text)).toEqual(["Revoke…"]);
    expect(texts(refused)).toContain("Certificate 2 is on its way.");
  });

  it("offers no Revoke… to others, nor on an order that is not issued", () => {
    for (const view of [
      orderDetailsView(data({ order: issued })),
      orderDetailsView(data({ order, mayRevoke: true })),
      orderDetailsView(data({ order: { ...issued, status: "revoked" }, mayRevoke: true })),
    ]) {
      expectValidBlockKit("modal", view);
      expect(buttonsOf(view).map((button) => button.actionId)).not.toContain(DETAILS_ACTIONS.revoke);
    }
    const revoked = orderDetailsView(data({ order: { ...issued, status: "revoked" } }));
    expect(textOf(blockById(revoked.blocks, "details_head"))).toBe(
      ":no_entry: *SSL-1042* · www.example.com — *Revoked*",
    );
    expect(buttonsOf(body(revoked)).map((button) => button.text)).not.toContain("Reissue (free)");
  });

  it("says the key stays with the client when the client supplied the CSR, with no legacy PFX button", () => {
    const view = orderDetailsView(
      data({ tab: "certificate", order: { ...issued, keyHeld: false }, certificate }),
    );
    expect(texts(view)).toContain("the private key stays with the client");
    expect(buttonsOf(body(view)).map((button) => button.text)).toEqual(["Send me the files"]);
  });
});

describe("order details, Status", () => {
  const statusView = (overrides: Partial<OrderDetailsData> = {}) =>
    orderDetailsView(data({ tab: "status", ...overrides }));

  it("says there is no detailed status yet, and why", () => {
    expect(textOf(blockById(statusView().blocks, "details_provider_status"))).toBe(
      "*GoGetSSL says*\nNo detailed status yet: use *Check status* on the order message.",
    );
    const unplaced = statusView({ order: { ...order, providerOrderId: null } });
    expect(textOf(blockById(unplaced.blocks, "details_provider_status"))).toContain(
      "the order has not reached the provider.",
    );
  });

  it("lists the provider's own words, escaped", () => {
    const view = statusView({
      order: { ...order, statusDetail: { lines: ["Awaiting validation", "Note: <b>&</b>"], domains: [] } },
    });
    expect(textOf(blockById(view.blocks, "details_provider_status"))).toBe(
      "*GoGetSSL says*\n• Awaiting validation\n• Note: &lt;b&gt;&amp;&lt;/b&gt;",
    );
  });

  it("shows each domain's validation state and what to publish", () => {
    const view = statusView({
      order: {
        ...order,
        dcvMethod: "dns",
        statusDetail: {
          lines: [],
          domains: [
            { domain: "www.example.com", state: "validated" },
            { domain: "shop.example.com", state: "failed" },
          ],
        },
        dcvInstructions: [
          {
            domain: "shop.example.com",
            method: "dns",
            dnsRecord: { name: "_abc.shop.example.com", type: "CNAME", value: "xyz.sectigo.com" },
          },
        ],
      },
    });
    expect(textOf(blockById(view.blocks, "details_dcv"))).toBe(
      "*Domain validation*\n:white_check_mark: *www.example.com*: validated\n" +
        ":x: *shop.example.com*: failed — `_abc.shop.example.com CNAME xyz.sectigo.com`",
    );
  });

  it("shows HTTP files, approver e-mails, and 'not started' before the order is placed", () => {
    const http = statusView({
      order: {
        ...order,
        sans: [],
        dcvMethod: "http",
        dcvInstructions: [
          {
            domain: "www.example.com",
            method: "http",
            httpUrl: "http://www.example.com/.well-known/pki-validation/a.txt",
          },
        ],
      },
    });
    expect(textOf(blockById(http.blocks, "details_dcv"))).toBe(
      "*Domain validation*\n:hourglass_flowing_sand: *www.example.com*: pending — file `http://www.example.com/.well-known/pki-validation/a.txt`",
    );
    const email = statusView({ order: { ...order, sans: [], providerOrderId: null } });
    expect(textOf(blockById(email.blocks, "details_dcv"))).toBe(
      "*Domain validation*\n:white_circle: *www.example.com*: not started — e-mail to admin@example.com",
    );
  });

  it("shows the timeline with who did what and when, or that nothing was recorded", () => {
    expect(textOf(blockById(statusView().blocks, "details_timeline"))).toBe(
      "*Timeline*\nNothing recorded yet.",
    );
    const events: TimelineEvent[] = [
      { at: days(-2), actor: "U0ALICE", kind: "requested", detail: {} },
      { at: days(-1), actor: "U0BOB", kind: "approved", detail: {} },
      { at: NOW, actor: "poller", kind: "status_changed", detail: { from: "submitting", to: "pending" } },
    ];
    const timeline = textOf(blockById(statusView({ events }).blocks, "details_timeline"));
    expect(timeline.split("\n")).toEqual([
      "*Timeline*",
      `• <!date^${Math.floor(days(-2).getTime() / 1000)}^{date_short} {time}|2026-11-25 12:00 UTC> — Requested — <@U0ALICE>`,
      `• <!date^${Math.floor(days(-1).getTime() / 1000)}^{date_short} {time}|2026-11-26 12:00 UTC> — Approved — <@U0BOB>`,
      `• <!date^${Math.floor(NOW.getTime() / 1000)}^{date_short} {time}|2026-11-27 12:00 UTC> — Status submitting → pending — poller`,
    ]);
  });

  it("keeps the last 40 of 500 events and drops the oldest lines to fit 3000 characters", () => {
    const events: TimelineEvent[] = Array.from({ length: 500 }, (_, index) => ({
      at: new Date(NOW.getTime() - (500 - index) * 60_000),
      actor: "poller",
      kind: "submission_failed",
      detail: { message: `${index}: ${"&".repeat(400)}` },
    }));
    const view = statusView({ events });
    expectValidBlockKit("modal", view);
    const timeline = textOf(blockById(view.blocks, "details_timeline"));
    expect(timeline.startsWith("*Timeline* (last 40 of 500)")).toBe(true);
    expect(timeline.length).toBeLessThanOrEqual(3000);
    expect(timeline).toContain("499: ");
    expect(timeline).not.toContain("460: ");
  });

  it("stays valid with 100 SANs that each have DNS instructions and long provider lines", () => {
    const sans = manySans(100);
    const view = statusView({
      order: {
        ...order,
        primaryDomain: LONGEST_DOMAIN,
        sans,
        dcvMethod: "dns",
        statusDetail: {
          lines: Array.from({ length: 50 }, () => "<".repeat(200)),
          domains: sans.map((domain) => ({ domain, state: "pending" })),
        },
        dcvInstructions: sans.map((domain) => ({
          domain,
          method: "dns" as const,
          dnsRecord: {
            name: `_${"h".repeat(32)}.${domain}`,
            type: "CNAME" as const,
            value: `${"v".repeat(64)}.sectigo.com`,
          },
        })),
      },
    });
    expectValidBlockKit("modal", view);
  });
});

describe("describeEvent", () => {
  const event = (kind: string, detail: Record<string, unknown> = {}): TimelineEvent => ({
    at: NOW,
    actor: "U0ALICE",
    kind,
    detail,
  });

  it("puts each audit event in words", () => {
    expect(describeEvent(event("requested"))).toBe("Requested");
    expect(describeEvent(event("renewal_requested", { renewal: "SSL-2001" }))).toBe(
      "Renewal SSL-2001 requested",
    );
    expect(describeEvent(event("renewal_requested"))).toBe("Renewal requested");
    expect(describeEvent(event("rejected", { reason: "Wrong client" }))).toBe("Rejected: Wrong client");
    expect(describeEvent(event("approval_refused", { action: "key_delivery" }))).toBe(
      "Asked for the private key, refused (not in SSL_APPROVERS)",
    );
    expect(describeEvent(event("approval_refused", { reason: "own request" }))).toBe(
      "Approval refused (own request)",
    );
    expect(describeEvent(event("submitted", { providerOrderId: "GG-1" }))).toBe(
      "Placed with the provider (GG-1)",
    );
    expect(describeEvent(event("status_changed", { from: "pending", to: "issued", summary: "Done" }))).toBe(
      "Status pending → issued (Done)",
    );
    expect(describeEvent(event("key_delivered"))).toBe("Received the private key and certificate files");
    expect(describeEvent(event("alert_snoozed"))).toBe("Expiry alerts snoozed");
    expect(describeEvent(event("revoked", { reason: "cessationOfOperation", certificate: 2 }))).toBe(
      "Certificate 2 revoked: Site closed (cessation of operation)",
    );
  });

  it("escapes provider text and unknown kinds, and clips each detail to 300 characters", () => {
    expect(describeEvent(event("submission_failed", { message: HOSTILE }))).toBe(
      `Refused by the provider: ${HOSTILE_ESCAPED}`,
    );
    expect(describeEvent(event("<weird>"))).toBe("&lt;weird&gt;");
    expect(describeEvent(event("rejected", { reason: "r".repeat(1000) }))).toHaveLength(
      "Rejected: ".length + 300,
    );
  });
});

describe("order details, Certificate", () => {
  const certView = (overrides: Partial<OrderDetailsData> = {}) =>
    orderDetailsView(data({ tab: "certificate", order: issued, certificate, ...overrides }));

  it("says the certificate is not issued yet, without file buttons", () => {
    const view = orderDetailsView(data({ tab: "certificate" }));
    expect(textOf(blockById(view.blocks, "details_not_issued"))).toBe(
      ":hourglass_flowing_sand: *Not issued yet* — SSL-1042 is validating. " +
        "The certificate, its chain and the key files are here once the provider issues it.",
    );
    expect(buttonsOf(body(view))).toEqual([]);
  });

  it("shows the certificate's details, fingerprint and PEM", () => {
    const view = certView();
    expectValidBlockKit("modal", view);
    const shown = texts(view);
    expect(shown).toContain("*Subject*\nwww.example.com");
    expect(shown).toContain("*Issuer*\nSectigo RSA Domain Validation Secure Server CA");
    expect(shown).toContain("*Serial*\n`00C0FFEE1234`");
    expect(shown).toContain("*Names (SAN)*\nwww.example.com, shop.example.com");
    expect(textOf(blockById(view.blocks, "details_fingerprint"))).toContain(certificate.sha256Fingerprint);
    expect(textOf(blockById(view.blocks, "details_pem"))).toBe(`\`\`\`${PEM.trim()}\`\`\``);
  });

  it("points to the files when the PEM is too long to show", () => {
    const long = `-----BEGIN CERTIFICATE-----\n${"A".repeat(4000)}\n-----END CERTIFICATE-----`;
    const view = certView({ order: { ...issued, certificate: long } });
    expectValidBlockKit("modal", view);
    expect(view.blocks.map((block) => block.block_id)).not.toContain("details_pem");
    expect(texts(view)).toContain("The certificate is too long to show here; *Send me the files* has it.");
  });

  it("offers the legacy PFX and the private key only to someone who may receive keys", () => {
    const approver = certView();
    expect(buttonsOf(blockById(approver.blocks, "details_files")).map((button) => button.actionId)).toEqual([
      DETAILS_ACTIONS.sendFiles,
      DETAILS_ACTIONS.sendFilesLegacyPfx,
    ]);
    expect(texts(approver)).toContain(
      ":key: Sent to you by direct message: certificate, chain, full chain, the private key",
    );

    const other = certView({ keyPolicy: { mayReceiveKey: false, keysEnabled: true } });
    expect(buttonsOf(blockById(other.blocks, "details_files")).map((button) => button.actionId)).toEqual([
      DETAILS_ACTIONS.sendFiles,
    ]);
    expect(texts(other)).toContain(
      ":lock: Sent to you by direct message: certificate, chain and full chain. The private key goes to SSL_APPROVERS only.",
    );
    expect(texts(other)).not.toContain("the private key and a PFX");
  });

  it("says nobody receives private keys while SSL_APPROVERS is empty", () => {
    const view = certView({ keyPolicy: { mayReceiveKey: false, keysEnabled: false } });
    expect(texts(view)).toContain("Private keys go to nobody yet");
    expect(buttonsOf(blockById(view.blocks, "details_files"))).toHaveLength(1);
  });

  it("reports the delivery: sending, sent (with the PFX password's fate) or failed", () => {
    const delivery = (state: OrderDetailsData["delivery"]) =>
      textOf(blockById(certView({ delivery: state }).blocks, "details_delivery"));
    expect(delivery({ state: "sending" })).toBe(":hourglass_flowing_sand: Preparing your files…");
    expect(delivery({ state: "failed", message: "Slack refused <the> upload" })).toBe(
      ":x: Slack refused &lt;the&gt; upload",
    );
    const sent = delivery({
      state: "sent",
      filenames: ["www.example.com.crt", "www.example.com.key", "www.example.com.pfx"],
      includesKey: true,
      pfxPassword: "sent",
    });
    expect(sent).toContain(
      ":white_check_mark: Sent to your direct messages: `www.example.com.crt`, `www.example.com.key`, `www.example.com.pfx`.",
    );
    expect(sent).toContain("The PFX password is in your direct messages");
    expect(sent).not.toContain("SSL_APPROVERS only");

    const failedPassword = delivery({
      state: "sent",
      filenames: ["a.crt"],
      includesKey: true,
      pfxPassword: "failed",
      pfxUnavailable: "EC keys need the modern format",
    });
    expect(failedPassword).toContain(":warning: The PFX password could not be sent");
    expect(failedPassword).toContain(":warning: No PFX: EC keys need the modern format");

    const withoutKey = delivery({
      state: "sent",
      filenames: ["a.crt"],
      includesKey: false,
      pfxPassword: "none",
    });
    expect(withoutKey).toContain(":lock: The private key goes to SSL_APPROVERS only.");
    expect(withoutKey).not.toContain("PFX password");
  });

  it("never shows a PFX password in the view", () => {
    const view = certView({
      delivery: { state: "sent", filenames: ["a.pfx"], includesKey: true, pfxPassword: "sent" },
    });
    expect(JSON.stringify(view)).not.toMatch(/password[^.]*: `/);
  });

  it("stays valid with 100 SANs, long names and a long delivery failure", () => {
    const view = certView({
      certificate: {
        ...certificate,
        subject: LONGEST_DOMAIN,
        issuer: "&".repeat(1000),
        sans: [LONGEST_DOMAIN, ...manySans(100)],
      },
      delivery: { state: "failed", message: "<".repeat(5000) },
    });
    expectValidBlockKit("modal", view);
  });
});

describe("details message view", () => {
  it("shows a single message in a closable modal", () => {
    const view = detailsMessageView("SSL-1042 no longer exists.");
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(DETAILS_CALLBACK);
    expect(view.title.text).toBe("Order details");
    expect(view.close?.text).toBe("Close");
    expect(view.blocks.map((block) => textOf(block))).toEqual(["SSL-1042 no longer exists."]);
    expectValidBlockKit("modal", detailsMessageView("x".repeat(10_000)));
  });
});
