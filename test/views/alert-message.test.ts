import { describe, expect, it } from "vitest";
import {
  ALERT_ACTIONS,
  type AlertView,
  type CertificateLine,
  expiryAlertMessage,
  expiryDigestMessages,
  expiryThreadReply,
  issuedMessage,
  STUCK_ACTIONS,
  stuckSubmissionMessage,
  stuckSubmissionText,
} from "../../src/views/alert-message.js";
import { ORDER_MESSAGE_ACTIONS } from "../../src/views/order-message.js";
import { buttonsOf, expectValidBlockKit } from "../support/block-kit.js";
import { days, HOSTILE, HOSTILE_ESCAPED, LONGEST_DOMAIN, textOf, WORST_CLIENT_NAME } from "./fixtures.js";

const certificate: CertificateLine = {
  orderId: 42,
  reference: "SSL-1042",
  primaryDomain: "www.example.com",
  clientName: "Acme Ltd",
  notAfter: new Date("2027-06-14T12:00:00Z"),
};

const expiring: AlertView = { alertId: 7, kind: "expiring", threshold: 30, daysLeft: 23 };
const expired: AlertView = { alertId: 8, kind: "expired", threshold: 0, daysLeft: 0 };

describe("issued message", () => {
  it("says what was issued, for whom and until when, with a Details button for the order", () => {
    const message = issuedMessage(certificate);
    expectValidBlockKit("message", message);
    expect(message.text).toBe("✅ SSL-1042 www.example.com issued for Acme Ltd — valid until 2027-06-14");
    expect(textOf(message.blocks[0])).toBe(
      "✅ *SSL-1042* www.example.com issued for Acme Ltd — valid until 2027-06-14",
    );
    expect(buttonsOf(message)).toEqual([
      expect.objectContaining({ actionId: ORDER_MESSAGE_ACTIONS.details, text: "Details", value: "42" }),
    ]);
    expect(message.blocks[1]?.block_id).toBe("issued_actions:42");
  });

  it("escapes a hostile client name in the blocks and in the fallback text", () => {
    const message = issuedMessage({ ...certificate, clientName: HOSTILE });
    expect(message.text).toContain(HOSTILE_ESCAPED);
    expect(textOf(message.blocks[0])).toContain(HOSTILE_ESCAPED);
    expect(JSON.stringify(message)).not.toContain("<!channel>");
  });

  it("stays valid with the longest domain and a worst-case client name", () => {
    expectValidBlockKit(
      "message",
      issuedMessage({ ...certificate, primaryDomain: LONGEST_DOMAIN, clientName: WORST_CLIENT_NAME }),
    );
  });
});

describe("expiry alert", () => {
  it("counts the days left and offers Renew (no subscription left), Snooze and Acknowledge", () => {
    const message = expiryAlertMessage(expiring, certificate);
    expectValidBlockKit("message", message);
    expect(message.text).toBe("⏳ SSL-1042 www.example.com for Acme Ltd expires in 23 days, on 2027-06-14");
    expect(textOf(message.blocks[0])).toContain("⏳ *SSL-1042* www.example.com");
    expect(textOf(message.blocks[1])).toBe("30-day expiry alert");
    expect(buttonsOf(message)).toEqual([
      expect.objectContaining({
        actionId: ORDER_MESSAGE_ACTIONS.renew,
        text: "Renew — new purchase",
        value: "42",
        style: "primary",
      }),
      expect.objectContaining({ actionId: ALERT_ACTIONS.snooze, text: "Snooze 7 days", value: "7" }),
      expect.objectContaining({ actionId: ALERT_ACTIONS.acknowledge, text: "Acknowledge", value: "7" }),
    ]);
    expect(message.blocks[2]?.block_id).toBe("alert_actions:7");
  });

  it("offers a free Reissue while the subscription outlives the certificate, Renew when it ends with it", () => {
    const covered = expiryAlertMessage(expiring, {
      ...certificate,
      coverageEndsAt: new Date("2027-12-03T12:00:00Z"),
    });
    expectValidBlockKit("message", covered);
    expect(buttonsOf(covered)[0]).toEqual(
      expect.objectContaining({
        actionId: ORDER_MESSAGE_ACTIONS.reissue,
        text: "Reissue — free, covered until 3 Dec 2027",
        value: "42",
        style: "primary",
      }),
    );
    const lastOne = expiryAlertMessage(expiring, { ...certificate, coverageEndsAt: certificate.notAfter });
    expect(buttonsOf(lastOne)[0]).toEqual(
      expect.objectContaining({ actionId: ORDER_MESSAGE_ACTIONS.renew, text: "Renew — new purchase" }),
    );
  });

  it("says 1 day, and less than a day, in words", () => {
    expect(expiryAlertMessage({ ...expiring, daysLeft: 1 }, certificate).text).toContain("expires in 1 day,");
    expect(expiryAlertMessage({ ...expiring, daysLeft: 0 }, certificate).text).toContain(
      "expires in less than a day, on 2027-06-14",
    );
  });

  it("says when an expired certificate expired", () => {
    const message = expiryAlertMessage(expired, { ...certificate, notAfter: days(-3) });
    expect(message.text).toBe("🚨 SSL-1042 www.example.com for Acme Ltd expired on 2026-11-24");
    expect(textOf(message.blocks[1])).toBe("Expired certificate");
  });

  it("once snoozed or acknowledged, says by whom and keeps only Renew", () => {
    const snoozed = expiryAlertMessage(expiring, certificate, {
      kind: "snoozed",
      by: "U0ALICE",
      until: days(7),
    });
    expectValidBlockKit("message", snoozed);
    expect(textOf(snoozed.blocks[1])).toBe(
      "30-day expiry alert · :zzz: Snoozed by <@U0ALICE> until 2026-12-04.",
    );
    expect(buttonsOf(snoozed).map((button) => button.actionId)).toEqual([ORDER_MESSAGE_ACTIONS.renew]);

    const acknowledged = expiryAlertMessage(expired, certificate, { kind: "acknowledged", by: "U0BOB" });
    expect(textOf(acknowledged.blocks[1])).toContain("Acknowledged by <@U0BOB>: no more alerts");
    expect(buttonsOf(acknowledged)).toHaveLength(1);
  });

  it("cannot notify the channel through the client name, not even in the fallback text", () => {
    const message = expiryAlertMessage(expiring, { ...certificate, clientName: "<!channel>" });
    expect(message.text).toContain("&lt;!channel&gt;");
    expect(JSON.stringify(message)).not.toContain("<!channel>");
    expect(expiryThreadReply(expiring, { ...certificate, clientName: "<!here>" })).not.toContain("<!here>");
  });

  it("replies in the order's thread with the bold headline", () => {
    expect(expiryThreadReply(expiring, certificate)).toBe(
      "⏳ *SSL-1042* www.example.com for Acme Ltd expires in 23 days, on 2027-06-14",
    );
  });

  it("stays valid with the longest domain and a worst-case client name", () => {
    expectValidBlockKit(
      "message",
      expiryAlertMessage(expiring, {
        ...certificate,
        primaryDomain: LONGEST_DOMAIN,
        clientName: WORST_CLIENT_NAME,
      }),
    );
  });
});

describe("expiry digest", () => {
  const entry = (index: number, overrides: Partial<CertificateLine> = {}) => ({
    alert: { alertId: index, kind: "expiring" as const, threshold: 14, daysLeft: 10 },
    certificate: {
      ...certificate,
      orderId: index,
      reference: `SSL-${1000 + index}`,
      primaryDomain: `host${index}.example.com`,
      ...overrides,
    },
  });

  it("puts a few alerts in one message under a heading", () => {
    const messages = expiryDigestMessages([entry(1), entry(2), entry(3)]);
    expect(messages).toHaveLength(1);
    const [message] = messages;
    if (!message) throw new Error("no message");
    expectValidBlockKit("message", message);
    expect(message.count).toBe(3);
    expect(message.text).toBe("⏳ Expiry digest: 3 certificates crossed an alert threshold");
    expect(message.blocks).toHaveLength(2);
    expect(textOf(message.blocks[1]).split("\n")).toEqual([
      "• ⏳ *SSL-1001* host1.example.com for Acme Ltd expires in 10 days, on 2027-06-14",
      "• ⏳ *SSL-1002* host2.example.com for Acme Ltd expires in 10 days, on 2027-06-14",
      "• ⏳ *SSL-1003* host3.example.com for Acme Ltd expires in 10 days, on 2027-06-14",
    ]);
  });

  it("says 1 certificate in the singular", () => {
    expect(expiryDigestMessages([entry(1)])[0]?.text).toBe(
      "⏳ Expiry digest: 1 certificate crossed an alert threshold",
    );
    expect(expiryDigestMessages([])).toEqual([]);
  });

  it("splits 500 alerts with long names into parts that each fit a message, losing none", () => {
    const entries = Array.from({ length: 500 }, (_, index) =>
      entry(index, { primaryDomain: LONGEST_DOMAIN, clientName: WORST_CLIENT_NAME }),
    );
    const messages = expiryDigestMessages(entries);
    expect(messages.length).toBeGreaterThan(1);
    for (const [index, message] of messages.entries()) {
      expectValidBlockKit("message", message);
      expect(message.text).toContain(`(part ${index + 1} of ${messages.length}): 500 certificates`);
      expect(message.blocks[0]?.block_id).toBe("digest_head");
    }
    expect(messages.reduce((sum, message) => sum + message.count, 0)).toBe(500);
    const lines = messages.flatMap((message) =>
      message.blocks.slice(1).flatMap((b) => textOf(b).split("\n")),
    );
    expect(lines).toHaveLength(500);
    expect(lines[499]).toContain("*SSL-1499*");
  });

  it("fits many short alerts 49 sections to a message", () => {
    const entries = Array.from({ length: 3000 }, (_, index) => entry(index));
    const messages = expiryDigestMessages(entries);
    for (const message of messages) expectValidBlockKit("message", message);
    expect(messages[0]?.blocks).toHaveLength(50);
    expect(messages.reduce((sum, message) => sum + message.count, 0)).toBe(3000);
  });

  it("escapes hostile names in the digest", () => {
    const [message] = expiryDigestMessages([entry(1, { clientName: HOSTILE })]);
    expect(textOf(message?.blocks[1])).toContain(HOSTILE_ESCAPED);
  });
});

describe("stuck submission", () => {
  it("tells people to look in the provider's control panel before ordering again", () => {
    expect(stuckSubmissionText("SSL-1042", "GoGetSSL", 30)).toBe(
      ":warning: SSL-1042 has been on its way to GoGetSSL for over 30 minutes without an order number, " +
        "so certdesk cannot ask GoGetSSL about it. Someone should look for it in GoGetSSL's control panel before ordering again.",
    );
  });

  it("offers to record the provider's order number, or to mark it not placed after a confirmation", () => {
    const message = stuckSubmissionMessage({ id: 42, reference: "SSL-1042" }, "GoGetSSL", 30);
    expectValidBlockKit("message", message);
    expect(message.blocks[0]?.block_id).toBe("stuck_notice");
    expect(message.blocks[1]?.block_id).toBe("stuck_actions:42");
    const [placed, notPlaced] = buttonsOf(message);
    expect(placed).toMatchObject({
      actionId: STUCK_ACTIONS.placed,
      value: "42",
      text: "It was placed: record GoGetSSL's order number",
    });
    expect(notPlaced).toMatchObject({ actionId: STUCK_ACTIONS.notPlaced, value: "42", style: "danger" });
    expect(JSON.stringify(notPlaced?.confirm)).toContain(
      "Only if GoGetSSL's control panel has no such order. SSL-1042 then ends as failed",
    );
  });

  it("escapes the provider's name in mrkdwn and stays valid when it is very long", () => {
    expect(stuckSubmissionText("SSL-1", "<!channel>", 30)).not.toContain("<!channel>");
    const message = stuckSubmissionMessage(
      { id: 1, reference: "SSL-1" },
      `${HOSTILE} ${"p".repeat(3000)}`,
      90,
    );
    expectValidBlockKit("message", message);
  });
});
