import { describe, expect, it } from "vitest";
import { CT_ACTIONS, type CtSightingLine, ctSightingMessage } from "../../src/views/ct-sighting.js";
import { allText, buttonsOf, expectValidBlockKit } from "../support/block-kit.js";
import {
  days,
  HOSTILE,
  HOSTILE_ESCAPED,
  LONGEST_DOMAIN,
  manySans,
  NOW,
  WORST_CLIENT_NAME,
} from "./fixtures.js";

const sighting: CtSightingLine = {
  sightingId: 12,
  clientName: "Acme Ltd",
  issuer: "C=US, O=Let's Encrypt, CN=R3",
  commonName: "shop.example.com",
  names: ["shop.example.com", "www.shop.example.com"],
  notBefore: NOW,
  notAfter: days(90),
  entryUrl: "https://crt.sh/?id=123456789",
};

describe("Certificate Transparency post", () => {
  it("shows the issuer, names, dates and client, a link to the log entry, and Import and Ignore for the sighting", () => {
    const message = ctSightingMessage(sighting);
    expectValidBlockKit("message", message);
    const text = allText(message);
    expect(text).toContain("*Issuer:* C=US, O=Let's Encrypt, CN=R3");
    expect(text).toContain("*Names:* `shop.example.com`, `www.shop.example.com`");
    expect(text).toContain("*Valid:* 2026-11-27 to 2027-02-25");
    expect(text).toContain("*Client:* Acme Ltd");
    expect(text).toContain("<https://crt.sh/?id=123456789|Log entry>");
    expect(message.text).toContain(
      "shop.example.com for Acme Ltd was issued by C=US, O=Let's Encrypt, CN=R3",
    );
    expect(buttonsOf(message).map(({ actionId, text: label, value }) => [actionId, label, value])).toEqual([
      [CT_ACTIONS.import, "Import", "12"],
      [CT_ACTIONS.ignore, "Ignore", "12"],
    ]);
  });

  it("says who imported (as which order) or ignored it, without the buttons", () => {
    const imported = ctSightingMessage(sighting, { kind: "imported", by: "U0ANN", reference: "SSL-1042" });
    expect(allText(imported)).toContain("Imported by <@U0ANN> as *SSL-1042*");
    const ignored = ctSightingMessage(sighting, { kind: "ignored", by: "U0BOB" });
    expect(allText(ignored)).toContain("Ignored by <@U0BOB>: it will not be posted again.");
    for (const message of [imported, ignored]) {
      expectValidBlockKit("message", message);
      expect(buttonsOf(message)).toEqual([]);
    }
  });

  it("escapes what the log and the client say, and stays within Slack's limits with many long names", () => {
    const hostile = ctSightingMessage({
      ...sighting,
      clientName: HOSTILE,
      issuer: HOSTILE,
      commonName: HOSTILE,
      names: [HOSTILE],
    });
    expect(allText(hostile)).not.toContain("<!channel>");
    expect(hostile.text).not.toContain("<!channel>");
    expect(allText(hostile)).toContain(HOSTILE_ESCAPED);

    const long = ctSightingMessage({
      ...sighting,
      clientName: WORST_CLIENT_NAME,
      commonName: LONGEST_DOMAIN,
      names: [LONGEST_DOMAIN, ...manySans(300)],
    });
    expectValidBlockKit("message", long);
    expect(allText(long)).toContain("and 291 more");
  });
});
