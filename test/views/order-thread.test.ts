import { describe, expect, it } from "vitest";
import { type ThreadChange, type ThreadOrder, threadReplyText } from "../../src/views/order-thread.js";
import { days, HOSTILE, HOSTILE_ESCAPED } from "./fixtures.js";

const order: ThreadOrder = {
  reference: "SSL-1042",
  status: "pending",
  dcvMethod: "email",
  approverEmail: "admin@example.com",
  providerName: "GoGetSSL",
  dcvInstructions: null,
  notAfter: null,
  requestedBy: "U0ALICE",
};

const change = (kind: string, detail: Record<string, unknown> = {}, actor = "U0BOB"): ThreadChange => ({
  kind,
  actor,
  detail,
});

describe("order thread replies", () => {
  it("says who received the private key, or that it was withheld and why", () => {
    expect(
      threadReplyText(order, change("key_delivered", { files: ["certificate.pem"] }, "U0ALICE"), false),
    ).toBe(":key: <@U0ALICE> received the private key and certificate files of SSL-1042 by direct message.");
    expect(
      threadReplyText(
        order,
        change("approval_refused", { action: "key_delivery", reason: "not in SSL_APPROVERS" }),
        false,
      ),
    ).toBe(
      ":lock: <@U0BOB> asked for the files of SSL-1042 and received the certificate and chain; the private key was not sent (not in SSL_APPROVERS).",
    );
    // Files without a key leave no line in the thread.
    expect(
      threadReplyText(order, change("files_delivered", { files: ["certificate.pem"] }), false),
    ).toBeUndefined();
  });

  it("on request, says who must approve, or that the order is being placed", () => {
    expect(threadReplyText(order, change("requested", {}, "U0ALICE"), true)).toBe(
      ":raised_hand: Requested by <@U0ALICE>. Someone in SSL_APPROVERS other than the requester must approve it.",
    );
    expect(threadReplyText(order, change("requested", {}, "U0ALICE"), false)).toBe(
      ":outbox_tray: Requested by <@U0ALICE>. Placing the order with GoGetSSL…",
    );
  });

  it("names the renewed order on a renewal, and the renewal on the original's thread", () => {
    expect(
      threadReplyText(
        { ...order, renewalOfReference: "SSL-0999" },
        change("renewal_requested", {}, "U0ALICE"),
        false,
      ),
    ).toBe(":outbox_tray: Requested by <@U0ALICE> (renews SSL-0999). Placing the order with GoGetSSL…");
    expect(
      threadReplyText(order, change("renewal_requested", { renewal: "SSL-2001" }, "U0ALICE"), true),
    ).toBe(":repeat: Renewal *SSL-2001* requested by <@U0ALICE>.");
  });

  it("reports approval, rejection and refused attempts", () => {
    expect(threadReplyText(order, change("approved"), true)).toBe(
      ":white_check_mark: Approved by <@U0BOB>. Placing the order with GoGetSSL…",
    );
    expect(threadReplyText(order, change("rejected", { reason: "Wrong client" }), true)).toBe(
      ":no_entry_sign: Rejected by <@U0BOB>: Wrong client",
    );
    expect(
      threadReplyText(order, change("approval_refused", { action: "reject", reason: "own request" }), true),
    ).toBe(":no_entry: <@U0BOB> tried to reject but may not (own request).");
    expect(threadReplyText(order, change("approval_refused"), true)).toBe(
      ":no_entry: <@U0BOB> tried to approve but may not (not an approver).",
    );
  });

  it("on submission, gives the provider's order number and the next step", () => {
    expect(
      threadReplyText(order, change("submitted", { providerOrderId: "GG-778899" }, "system"), false),
    ).toBe(
      ":inbox_tray: GoGetSSL accepted the order (GG-778899).\n" +
        ":email: GoGetSSL e-mailed *admin@example.com*; the client must approve before the certificate is issued.",
    );
    const dns = threadReplyText(
      {
        ...order,
        dcvMethod: "dns",
        approverEmail: null,
        dcvInstructions: [
          {
            domain: "www.example.com",
            method: "dns",
            dnsRecord: { name: "_a.www.example.com", type: "CNAME", value: "b.sectigo.com" },
          },
        ],
      },
      change("submitted", { providerOrderId: "GG-1" }, "system"),
      false,
    );
    expect(dns).toContain("add the DNS record `_a.www.example.com CNAME b.sectigo.com`");
  });

  it("on failure, says the order was not placed and who can order again", () => {
    expect(
      threadReplyText(order, change("submission_failed", { message: "Invalid CSR" }, "system"), false),
    ).toBe(
      ":x: The order was not placed with GoGetSSL: Invalid CSR\n<@U0ALICE> can fix it and order again with `/ssl order`.",
    );
  });

  it("when the provider did not answer, says not to order again", () => {
    const text = threadReplyText(order, change("submission_unknown", {}, "system"), false);
    expect(text).toContain("Do not order again");
    expect(text).toContain("GoGetSSL's control panel");
  });

  it("on a status change, says when it is valid until once issued, else the provider's summary", () => {
    expect(
      threadReplyText(
        { ...order, status: "issued", notAfter: days(365) },
        change("status_changed", {}, "poller"),
        false,
      ),
    ).toBe("Issued :white_check_mark: — valid until 2027-11-27");
    expect(
      threadReplyText(order, change("status_changed", { summary: "DCV e-mail sent" }, "poller"), false),
    ).toBe("Validating — DCV e-mail sent");
    expect(
      threadReplyText({ ...order, status: "cancelled" }, change("status_changed", {}, "poller"), false),
    ).toBe("Cancelled — status changed at the provider");
  });

  it("says who revoked which certificate, and why in words", () => {
    const revoked = { ...order, status: "revoked" as const };
    expect(
      threadReplyText(revoked, change("revoked", { reason: "keyCompromise", certificate: 1 }), false),
    ).toBe(":no_entry: <@U0BOB> revoked the certificate of SSL-1042 (Key compromised).");
    expect(threadReplyText(revoked, change("revoked", { reason: "superseded", certificate: 2 }), false)).toBe(
      ":no_entry: <@U0BOB> revoked the certificate of SSL-1042 · certificate 2 (Replaced by another certificate (superseded)).",
    );
    expect(threadReplyText(revoked, change("revoked", { reason: HOSTILE, certificate: 1 }), false)).toBe(
      `:no_entry: <@U0BOB> revoked the certificate of SSL-1042 (${HOSTILE_ESCAPED}).`,
    );
  });

  it("stays silent on events the thread does not report", () => {
    for (const kind of [
      "status_checked",
      "files_delivered",
      "key_delivery_failed",
      "alert_snoozed",
      "unknown",
    ]) {
      expect(threadReplyText(order, change(kind), false)).toBeUndefined();
    }
  });

  it("escapes hostile reasons, provider messages and names; a non-Slack actor is shown as text", () => {
    expect(threadReplyText(order, change("rejected", { reason: HOSTILE }), true)).toBe(
      `:no_entry_sign: Rejected by <@U0BOB>: ${HOSTILE_ESCAPED}`,
    );
    const failed = threadReplyText(
      { ...order, providerName: "<!here>" },
      change("submission_failed", { message: HOSTILE }, "system"),
      false,
    );
    expect(failed).toContain(`&lt;!here&gt;: ${HOSTILE_ESCAPED}`);
    expect(failed).not.toContain("<!channel>");
    expect(threadReplyText(order, change("renewal_requested", { renewal: "<SSL>" }, "poller"), true)).toBe(
      ":repeat: Renewal *&lt;SSL&gt;* requested by poller.",
    );
  });
});
