import { describe, expect, it } from "vitest";
import { helpMessage } from "../../src/views/help.js";
import { expectValidBlockKit } from "../support/block-kit.js";
import { textOf } from "./fixtures.js";

describe("help message", () => {
  it("introduces certdesk and lists every command, as blocks and as fallback text", () => {
    const message = helpMessage();
    expectValidBlockKit("message", message);
    expect(textOf(message.blocks[0])).toContain("certdesk orders and tracks SSL/TLS certificates");
    const usage = textOf(message.blocks[1]);
    for (const command of [
      "/ssl order",
      "/ssl list",
      "/ssl status",
      "/ssl renew",
      "/ssl clients",
      "/ssl help",
    ]) {
      expect(usage).toContain(command);
      expect(message.text).toContain(command);
    }
    expect(usage.split("\n").every((line) => line.startsWith("• "))).toBe(true);
    expect(textOf(message.blocks[2])).toContain("Check status · Details · Reissue · Renew");
  });

  it("quotes what it did not understand, with backticks neutralised and mrkdwn escaped", () => {
    const message = helpMessage("ordr `rm -rf` <!channel> & co");
    expectValidBlockKit("message", message);
    const intro = textOf(message.blocks[0]);
    expect(intro).toBe(
      "I did not understand `/ssl ordr 'rm -rf' &lt;!channel&gt; &amp; co`. Here is what I can do:",
    );
    expect(message.text).not.toContain("<!channel>");
  });

  it("shortens a very long unknown command to 200 characters and stays valid", () => {
    const message = helpMessage("x".repeat(5000));
    expectValidBlockKit("message", message);
    expect(textOf(message.blocks[0])).toContain(`/ssl ${"x".repeat(199)}…\``);

    const worst = helpMessage("&".repeat(5000));
    expectValidBlockKit("message", worst);
  });
});
