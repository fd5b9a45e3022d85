import { describe, expect, it } from "vitest";
import { orderConfirmationView } from "../../src/views/order-modal.js";
import { type PlacementSubject, placementOutcomeMessage } from "../../src/views/placement-outcome.js";
import { expectValidBlockKit } from "../support/block-kit.js";
import { HOSTILE, HOSTILE_ESCAPED, LONGEST_DOMAIN } from "./fixtures.js";

const subject: PlacementSubject = {
  reference: "SSL-1042",
  providerName: "GoGetSSL",
  domain: "www.example.com",
};
const renewal: PlacementSubject = { ...subject, reference: "SSL-2001", renews: "SSL-1042" };

describe("placement outcome", () => {
  it("placed: says the domain is being validated and where to follow it", () => {
    expect(placementOutcomeMessage({ kind: "placed" }, subject)).toEqual({
      text: ":white_check_mark: *SSL-1042* placed with GoGetSSL: www.example.com is being validated.",
      detail: "Follow it in the order's thread: it says what happens next.",
    });
    expect(placementOutcomeMessage({ kind: "placed" }, renewal)).toEqual({
      text: ":white_check_mark: *SSL-2001* renews SSL-1042: placed with GoGetSSL, www.example.com is being validated.",
      detail: "Follow it in its own thread; the original order's thread links to it.",
    });
  });

  it("placed but not recorded: paid for, do not order (or renew) again", () => {
    const order = placementOutcomeMessage(
      { kind: "placed_unrecorded", providerOrderId: "GG-778899" },
      subject,
    );
    expect(order.text).toBe(
      ":warning: *SSL-1042* was placed with GoGetSSL (their order GG-778899) and is paid for, but certdesk could not record it.",
    );
    expect(order.detail).toMatch(/^Do not order it again\./);
    const renewed = placementOutcomeMessage({ kind: "placed_unrecorded", providerOrderId: "GG-1" }, renewal);
    expect(renewed.detail).toMatch(/^Do not renew it again\./);
  });

  it("unknown: sent but not confirmed; certdesk checks and reports in the thread", () => {
    expect(placementOutcomeMessage({ kind: "unknown" }, subject)).toEqual({
      text: ":warning: *SSL-1042* was sent, but GoGetSSL did not confirm it.",
      detail: "Do not order it again: certdesk checks with the provider and reports in the order's thread.",
    });
    expect(placementOutcomeMessage({ kind: "unknown" }, renewal).detail).toContain("Do not renew it again");
  });

  it("not placed: says what the order is, in words", () => {
    expect(placementOutcomeMessage({ kind: "not_placed", status: "awaiting_approval" }, subject)).toEqual({
      text: ":information_source: *SSL-1042* is awaiting approval.",
    });
  });

  it("escapes every name, and fits the confirmation modal however long they are", () => {
    const hostile = { reference: HOSTILE, providerName: HOSTILE, domain: HOSTILE, renews: HOSTILE };
    const message = placementOutcomeMessage({ kind: "placed_unrecorded", providerOrderId: HOSTILE }, hostile);
    expect(message.text).toContain(
      `*${HOSTILE_ESCAPED}* was placed with ${HOSTILE_ESCAPED} (their order ${HOSTILE_ESCAPED})`,
    );
    expect(message.text).not.toContain("<!channel>");

    const long = placementOutcomeMessage(
      { kind: "placed" },
      { ...renewal, providerName: "&".repeat(2000), domain: LONGEST_DOMAIN },
    );
    expectValidBlockKit("modal", orderConfirmationView(long.text, long.detail));
  });
});
