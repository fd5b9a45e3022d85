import { describe, expect, it } from "vitest";
import { validationsMessage } from "../../src/views/validations.js";
import { blockById, expectValidBlockKit } from "../support/block-kit.js";
import { days, HOSTILE, HOSTILE_ESCAPED, LONGEST_DOMAIN, textOf } from "./fixtures.js";

const line = (reference: string, overrides = {}) => ({
  reference,
  primaryDomain: "www.example.com",
  clientName: "Acme Ltd",
  status: "issued",
  dcvMethod: "email",
  approverEmail: "admin@example.com",
  at: days(20),
  ...overrides,
});

describe("/ssl validations message", () => {
  it("lists each group with what it needs, or says there is none", () => {
    const message = validationsMessage({
      byEmail: [line("SSL-1001")],
      expiringSoon: [line("SSL-1002", { dcvMethod: "dns", domain: "shop.example.com" })],
      stuck: [],
      stuckAfterHours: 24,
    });
    expectValidBlockKit("message", message);
    expect(textOf(blockById(message.blocks, "validations_email"))).toContain(
      "*SSL-1001* · www.example.com — Acme Ltd — validated by admin@example.com, certificate until 2026-12-17",
    );
    expect(textOf(blockById(message.blocks, "validations_expiring"))).toContain(
      "*SSL-1002* · shop.example.com — Acme Ltd — DNS record, reusable until 2026-12-17",
    );
    expect(textOf(blockById(message.blocks, "validations_stuck"))).toContain("_None._");
  });

  it("escapes names and stays within a message's limits with long lists", () => {
    const many = Array.from({ length: 20 }, (_, index) =>
      line(`SSL-${2000 + index}`, { clientName: HOSTILE, primaryDomain: LONGEST_DOMAIN }),
    );
    const message = validationsMessage({
      byEmail: many,
      expiringSoon: many,
      stuck: many,
      stuckAfterHours: 24,
    });
    expectValidBlockKit("message", message);
    expect(JSON.stringify(message)).not.toContain("<!channel>");
    expect(textOf(blockById(message.blocks, "validations_email"))).toContain(HOSTILE_ESCAPED.slice(0, 20));
  });
});
