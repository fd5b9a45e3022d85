import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { problemsOf } from "./support/config-problems.js";

/** Secrets from files (`NAME_FILE`), as Docker/compose secrets and systemd credentials give them. */

const dir = mkdtempSync(path.join(tmpdir(), "certdesk-config-"));
function secretFile(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe("NAME_FILE variables", () => {
  it("reads each secret from its file, without the final line break", () => {
    const key = "q2P6aUYkD0q8W5pVnEoZr9eO9Uo4yT0c1vHk2b3n4mE=";
    const config = loadConfig({
      SLACK_BOT_TOKEN_FILE: secretFile("bot", "xoxb-from-a-file\n"),
      SLACK_SIGNING_SECRET_FILE: secretFile("signing", "signing-from-a-file\n"),
      DATABASE_URL_FILE: secretFile("db", "postgres://certdesk:pw@db:5432/certdesk\n"),
      CERTDESK_KEY_FILE: secretFile("key", `${key}\n`),
      SSL_PROVIDERS: "gogetssl",
      GOGETSSL_USER: "reseller@example.com",
      GOGETSSL_PASSWORD_FILE: secretFile("gogetssl", "provider-password\r\n"),
    });
    expect(config.slack.botToken).toBe("xoxb-from-a-file");
    expect(config.slack.signingSecret).toBe("signing-from-a-file");
    expect(config.databaseUrl).toBe("postgres://certdesk:pw@db:5432/certdesk");
    expect(config.certdeskKey).toBe(key);
    expect(config.providers.settings.gogetssl?.GOGETSSL_PASSWORD).toBe("provider-password");
  });

  it("checks a value read from a file like any other", () => {
    expect(
      problemsOf({
        SLACK_BOT_TOKEN_FILE: secretFile("user-token", "xoxp-not-a-bot\n"),
        SLACK_SIGNING_SECRET: "s",
      }),
    ).toEqual([expect.stringMatching(/^SLACK_BOT_TOKEN is not a bot token/)]);
  });

  it("refuses a variable set both ways, and names an unreadable file, never showing a value", () => {
    const problems = problemsOf({
      SLACK_BOT_TOKEN: "xoxb-direct",
      SLACK_BOT_TOKEN_FILE: secretFile("bot-too", "xoxb-from-file"),
      SLACK_SIGNING_SECRET_FILE: path.join(dir, "missing"),
    });
    expect(problems).toContain("SLACK_BOT_TOKEN and SLACK_BOT_TOKEN_FILE are both set: keep one");
    expect(problems).toContain(
      "SLACK_SIGNING_SECRET_FILE names a file that cannot be read (ENOENT): check the path and its permissions",
    );
    const text = problems.join("\n");
    expect(text).not.toContain("xoxb-direct");
    expect(text).not.toContain("xoxb-from-file");
    expect(text).not.toContain(dir);
  });
});
