import { describe, expect, it } from "vitest";
import { type FileDeliveryText, filesCommentText, pfxPasswordText } from "../../src/views/file-delivery.js";
import { HOSTILE } from "./fixtures.js";

const delivery: FileDeliveryText = {
  reference: "SSL-1042",
  domain: "www.example.com",
  includesKey: true,
  hasPfx: true,
  mayReceiveKey: true,
  keysEnabled: true,
};

describe("files comment", () => {
  it("with the key and a PFX: lists the files and says the password follows", () => {
    expect(filesCommentText(delivery).split("\n")).toEqual([
      "Files of *SSL-1042* (www.example.com):",
      ":key: certificate, chain, full chain, *private key* and a PFX bundle (its password follows, visible only to you).",
      "Keep the private key out of channels and tickets.",
    ]);
  });

  it("with the key but no PFX: says why", () => {
    const text = filesCommentText({ ...delivery, hasPfx: false, pfxUnavailable: "the key is not RSA" });
    expect(text).toContain(":key: certificate, chain, full chain, *private key*.");
    expect(text).toContain(":warning: No PFX: the key is not RSA");
  });

  it("to a key holder when certdesk holds no key for the order", () => {
    expect(filesCommentText({ ...delivery, includesKey: false, hasPfx: false })).toBe(
      "Files of *SSL-1042* (www.example.com):\ncertificate, chain and full chain. certdesk holds no private key for this order.",
    );
  });

  it("to someone else: the key goes to SSL_APPROVERS only, or to nobody while that is empty", () => {
    const other = { ...delivery, includesKey: false, hasPfx: false, mayReceiveKey: false };
    expect(filesCommentText(other)).toContain(
      ":lock: certificate, chain and full chain. The private key goes to SSL_APPROVERS only.",
    );
    expect(filesCommentText({ ...other, keysEnabled: false })).toContain(
      "Private keys go to nobody until an admin names who may receive them in SSL_APPROVERS.",
    );
  });

  it("escapes the domain as shown to people", () => {
    expect(filesCommentText({ ...delivery, domain: "<!channel>" })).toContain("(&lt;!channel&gt;)");
    expect(filesCommentText({ ...delivery, domain: HOSTILE })).not.toContain("<!channel>");
  });
});

describe("PFX password and thread notes", () => {
  it("shows the password once, in code, with how to get a new one", () => {
    const text = pfxPasswordText("SSL-1042", "Xk3-9pQ-77a");
    expect(text).toContain(":key: Password of the PFX bundle of *SSL-1042*: `Xk3-9pQ-77a`");
    expect(text).toContain("Shown once and only to you; certdesk keeps no copy.");
  });
});
