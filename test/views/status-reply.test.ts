import { describe, expect, it } from "vitest";
import { type StatusReplyClock, type StatusReplyOrder, statusReply } from "../../src/views/status-reply.js";
import { blockById, expectValidBlockKit } from "../support/block-kit.js";
import { days, HOSTILE, HOSTILE_ESCAPED, LONGEST_DOMAIN, manySans, NOW, textOf } from "./fixtures.js";

const clock: StatusReplyClock = { now: NOW, timeZone: "Europe/London" };
const minutes = (count: number) => new Date(NOW.getTime() + count * 60_000);

const order: StatusReplyOrder = {
  reference: "SSL-1042",
  primaryDomain: "www.example.com",
  status: "pending",
  dcvMethod: "email",
  approverEmail: "admin@example.com",
  statusDetail: null,
  notAfter: null,
  lastCheckedAt: minutes(-10),
  createdAt: days(-2),
};

describe("status reply", () => {
  it("changed: from and to, and where the change shows", () => {
    const reply = statusReply(
      { kind: "changed", order: { ...order, status: "issued", notAfter: days(365) }, from: "pending" },
      clock,
    );
    expectValidBlockKit("message", reply);
    expect(reply.text).toBe(
      ":white_check_mark: *SSL-1042* · www.example.com: Validating → *Issued* — valid until 2027-11-27. The order's message and thread show the change.",
    );
    expect(reply.blocks).toHaveLength(1);
    expect(reply.blocks[0]?.block_id).toBe("status_reply");
    const failed = statusReply(
      { kind: "changed", order: { ...order, status: "failed" }, from: "submitting" },
      clock,
    );
    expect(failed.text).toContain("Submitting to the provider → *Failed*. The order's");
  });

  it("unchanged: since the previous check (time today, day and time before), and who it waits for", () => {
    const today = statusReply({ kind: "unchanged", order, previousCheckAt: minutes(-90) }, clock);
    expectValidBlockKit("message", today);
    expect(today.text).toBe(
      ":hourglass_flowing_sand: *SSL-1042* · www.example.com\nNo change since 10:30: waiting for admin@example.com to approve.",
    );
    const first = statusReply({ kind: "unchanged", order, previousCheckAt: null }, clock);
    expect(first.text).toContain(
      "No change since it was ordered (25 Nov 12:00): waiting for admin@example.com to approve.",
    );
  });

  it("says what a pending order waits for, by validation method, and an issued one's expiry", () => {
    const standing = (overrides: Partial<StatusReplyOrder>) =>
      statusReply({ kind: "unchanged", order: { ...order, ...overrides }, previousCheckAt: null }, clock)
        .text;
    expect(standing({ dcvMethod: "http" })).toContain(
      ": waiting for the validation file to be published on the domain.",
    );
    expect(standing({ dcvMethod: "dns" })).toContain(": waiting for the validation DNS record.");
    expect(standing({ approverEmail: null })).toContain(": waiting for the approver to approve.");
    expect(standing({ status: "issued", notAfter: days(23) })).toContain(
      ": issued, expires 2026-12-20 (in 23 days).",
    );
    expect(standing({ status: "submitting" })).toContain(": submitting to the provider.");
  });

  it("shows times in the configured time zone", () => {
    const reply = statusReply(
      { kind: "unchanged", order, previousCheckAt: new Date("2026-11-27T08:15:00Z") },
      { now: NOW, timeZone: "Asia/Tokyo" },
    );
    expect(reply.text).toContain("No change since 17:15:");
  });

  it("too soon: when it was last checked and when the provider allows the next check", () => {
    const reply = statusReply({ kind: "too_soon", order, nextCheckAt: minutes(5) }, clock);
    expectValidBlockKit("message", reply);
    expect(reply.text).toBe(
      ":stopwatch: *SSL-1042* · www.example.com\nLast checked at 11:50: waiting for admin@example.com to approve.\n" +
        "The provider allows the next check at 12:05 (in 5 minutes).",
    );
    const never = statusReply(
      { kind: "too_soon", order: { ...order, lastCheckedAt: null }, nextCheckAt: minutes(1) },
      clock,
    );
    expect(never.text).toContain("\nLast checked: waiting");
  });

  it("not checkable: says why, escaped", () => {
    const reply = statusReply(
      { kind: "not_checkable", reason: "SSL-1042 was <rejected> & cannot be checked" },
      clock,
    );
    expectValidBlockKit("message", reply);
    expect(reply.text).toBe(":information_source: SSL-1042 was &lt;rejected&gt; &amp; cannot be checked");
  });

  it("provider error: says nothing changed, with the provider's message clipped and escaped", () => {
    const reply = statusReply(
      { kind: "provider_error", order, providerName: "GoGetSSL", message: "Service unavailable. " },
      clock,
    );
    expectValidBlockKit("message", reply);
    expect(reply.text).toBe(
      ":warning: *SSL-1042* · www.example.com\nGoGetSSL did not answer: Service unavailable. Nothing changed; try again later.",
    );
    const long = statusReply(
      { kind: "provider_error", order, providerName: HOSTILE, message: `${HOSTILE} ${"x".repeat(5000)}` },
      clock,
    );
    expectValidBlockKit("message", long);
    expect(long.text).toContain(`${HOSTILE_ESCAPED} did not answer: ${HOSTILE_ESCAPED}`);
    expect(long.text).not.toContain("<!channel>");
    expect(long.text.length).toBeLessThan(1000);
  });

  it("adds the provider's own words and each domain's state under the answer, at most 8 lines", () => {
    const reply = statusReply(
      {
        kind: "unchanged",
        previousCheckAt: null,
        order: {
          ...order,
          statusDetail: {
            lines: ["Awaiting DCV", "<b>note</b>"],
            domains: [
              { domain: "www.example.com", state: "validated" },
              { domain: "shop.example.com", state: "pending" },
            ],
          },
        },
      },
      clock,
    );
    expect(textOf(blockById(reply.blocks, "status_reply_detail"))).toBe(
      "Provider: Awaiting DCV · &lt;b&gt;note&lt;/b&gt; · www.example.com: validated · shop.example.com: pending",
    );
    const single = statusReply(
      {
        kind: "unchanged",
        previousCheckAt: null,
        order: {
          ...order,
          statusDetail: { lines: [], domains: [{ domain: "www.example.com", state: "pending" }] },
        },
      },
      clock,
    );
    expect(single.blocks).toHaveLength(1);
    const many = statusReply(
      {
        kind: "unchanged",
        previousCheckAt: null,
        order: {
          ...order,
          statusDetail: { lines: Array.from({ length: 20 }, (_, index) => `line ${index}`), domains: [] },
        },
      },
      clock,
    );
    expect(textOf(many.blocks[1]).split(" · ")).toHaveLength(8);
  });

  it("stays valid with the longest domain, 100 SAN states and long provider lines", () => {
    const sans = manySans(100);
    const reply = statusReply(
      {
        kind: "unchanged",
        previousCheckAt: null,
        order: {
          ...order,
          primaryDomain: LONGEST_DOMAIN,
          approverEmail: `admin@${LONGEST_DOMAIN}`,
          statusDetail: {
            lines: Array.from({ length: 20 }, () => "&".repeat(1000)),
            domains: sans.map((domain) => ({ domain, state: "<".repeat(100) })),
          },
        },
      },
      clock,
    );
    expectValidBlockKit("message", reply);
  });
});
