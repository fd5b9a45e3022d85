import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { problemsOf } from "./support/config-problems.js";

const minimal = { SLACK_BOT_TOKEN: "xoxb-1-abc", SLACK_SIGNING_SECRET: "s3cr3t-signing" };

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig(minimal);
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe("./data");
    expect(config.providers.enabled).toEqual(["sandbox"]);
    expect(config.providers.settings.sandbox?.SANDBOX_APPROVAL_SECONDS).toBe(60);
    expect(config.slack.socketMode).toBe(false);
    expect(config.requireApproval).toBe(false);
    expect(config.orderers).toEqual([]);
    expect(config.ctSearchUrl).toBe("https://crt.sh");
    expect(config.schedule).toEqual({
      pollCron: "*/15 * * * *",
      expiryCron: "0 9 * * *",
      forecastCron: "0 9 * * 1",
      probeCron: "0 6 * * *",
      ctCron: "0 7 * * *",
      expiryDays: [30, 14, 7, 1],
      expiryDigest: false,
      timeZone: "UTC",
    });
  });

  it("reads the check's resolvers (DNS_SERVERS) and HTTP port, and refuses bad ones", () => {
    expect(loadConfig(minimal).checks).toEqual({ dnsServers: [], httpPort: 80 });
    expect(
      loadConfig({ ...minimal, DNS_SERVERS: "1.1.1.1, 127.0.0.1:5353", VALIDATION_CHECK_HTTP_PORT: "8080" })
        .checks,
    ).toEqual({ dnsServers: ["1.1.1.1", "127.0.0.1:5353"], httpPort: 8080 });
    const problems = problemsOf({
      ...minimal,
      DNS_SERVERS: "dns.example.com",
      VALIDATION_CHECK_HTTP_PORT: "99999",
    });
    expect(problems.find((line) => line.includes("DNS_SERVERS"))).toMatch(/dns\.example\.com/);
    expect(problems.find((line) => line.includes("VALIDATION_CHECK_HTTP_PORT"))).toContain(
      "must be a port number",
    );
  });

  it("reads the whole-number settings with their defaults and refuses other text", () => {
    const defaults = loadConfig(minimal);
    expect([defaults.stuckAfterHours, defaults.autoReissueDays]).toEqual([24, 0]);
    const set = loadConfig({ ...minimal, STUCK_AFTER_HOURS: "48", AUTO_REISSUE_DAYS: "14" });
    expect([set.stuckAfterHours, set.autoReissueDays]).toEqual([48, 14]);
    const problems = problemsOf({ ...minimal, STUCK_AFTER_HOURS: "0", AUTO_REISSUE_DAYS: "two weeks" });
    expect(problems.find((line) => line.includes("STUCK_AFTER_HOURS"))).toContain(
      "must be a whole number of hours above 0",
    );
    expect(problems.find((line) => line.includes("AUTO_REISSUE_DAYS"))).toContain(
      "must be a whole number of days, 0 for off",
    );
  });

  it("selects Socket Mode when an app token is set, without a signing secret", () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1-A" });
    expect(config.slack.socketMode).toBe(true);
  });

  it("explains how to fix a missing bot token and signing secret, in one list", () => {
    const problems = problemsOf({});
    expect(problems).toContain(
      "SLACK_BOT_TOKEN is missing: install the app from manifest.yml and copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions",
    );
    expect(problems.some((p) => p.startsWith("SLACK_SIGNING_SECRET is missing: HTTP mode needs it"))).toBe(
      true,
    );
  });

  it("lists every malformed value, naming the variable and the fix", () => {
    const problems = problemsOf({
      ...minimal,
      PORT: "99999",
      SSL_PROVIDERS: "sandbox,verisign",
      POLL_CRON: "every minute",
      EXPIRY_DAYS: "30,0,x",
      TZ: "Mars/Olympus",
      SSL_CHANNEL: "#ssl",
      SSL_APPROVERS: "U123ABC,bob",
      SSL_REQUIRE_APPROVAL: "maybe",
      CERTDESK_KEY: "short",
    });
    const variables = problems.map((p) => p.split(" ")[0]);
    expect(variables).toEqual(
      expect.arrayContaining([
        "PORT",
        "SSL_PROVIDERS",
        "POLL_CRON",
        "EXPIRY_DAYS",
        "TZ",
        "SSL_CHANNEL",
        "SSL_APPROVERS",
        "SSL_REQUIRE_APPROVAL",
        "CERTDESK_KEY",
      ]),
    );
    expect(problems.find((p) => p.startsWith("SSL_PROVIDERS"))).toContain('"verisign"');
    expect(problems.find((p) => p.startsWith("CERTDESK_KEY"))).toContain("openssl rand -base64 32");
  });

  it("never echoes a secret value, even a malformed one", () => {
    const secretValues = {
      SLACK_BOT_TOKEN: "xoxp-user-token-not-a-bot-token-9f8e7d",
      SLACK_APP_TOKEN: "xoxb-wrong-kind-of-token-1a2b3c",
      CERTDESK_KEY: "not-base64-secret-material-@@@",
      SECTIGO_LOGIN_PASSWORD: "hunter2-sectigo",
    };
    const problems = problemsOf({ ...secretValues, SSL_PROVIDERS: "sectigo", SLACK_SIGNING_SECRET: "x" });
    const message = new ConfigError(problems).message;
    for (const value of Object.values(secretValues)) expect(message).not.toContain(value);
    expect(message).toContain("SLACK_BOT_TOKEN is not a bot token");
    expect(message).toContain("SECTIGO_LOGIN_NAME is missing");
  });

  it("requires provider credentials only for enabled providers", () => {
    expect(() => loadConfig({ ...minimal, SSL_PROVIDERS: "sandbox" })).not.toThrow();
    const problems = problemsOf({ ...minimal, SSL_PROVIDERS: "gogetssl" });
    expect(problems.map((p) => p.split(" ")[0]).sort()).toEqual(["GOGETSSL_PASSWORD", "GOGETSSL_USER"]);
  });

  it("requires CERTDESK_KEY with PostgreSQL, where replicas must share it", () => {
    const problems = problemsOf({ ...minimal, DATABASE_URL: "postgres://u@db/certdesk" });
    expect(problems[0]).toMatch(/^CERTDESK_KEY is missing: with DATABASE_URL/);
    const key = Buffer.alloc(32, 7).toString("base64");
    expect(loadConfig({ ...minimal, DATABASE_URL: "postgres://u@db/x", CERTDESK_KEY: key }).certdeskKey).toBe(
      key,
    );
  });

  it("parses thresholds, lists and flags", () => {
    const config = loadConfig({
      ...minimal,
      EXPIRY_DAYS: "7, 30,1",
      SSL_ORDERERS: "U1AAA, S2BBB",
      SSL_REQUIRE_APPROVAL: "TRUE",
      SSL_PROVIDERS: "sandbox, sectigo",
      SECTIGO_LOGIN_NAME: "reseller",
      SECTIGO_LOGIN_PASSWORD: "pw",
      SECTIGO_TEST: "true",
    });
    expect(config.schedule.expiryDays).toEqual([30, 7, 1]);
    expect(config.orderers).toEqual(["U1AAA", "S2BBB"]);
    expect(config.requireApproval).toBe(true);
    expect(config.providers.settings.sectigo).toMatchObject({
      SECTIGO_LOGIN_NAME: "reseller",
      SECTIGO_TEST: true,
    });
  });

  it("accepts provider API URLs only over https, except on loopback", () => {
    const gogetssl = { ...minimal, SSL_PROVIDERS: "gogetssl", GOGETSSL_USER: "u", GOGETSSL_PASSWORD: "p" };
    for (const allowed of [
      "https://sandbox.gogetssl.com/api",
      "http://127.0.0.1:8080/api",
      "http://localhost/api",
      "http://[::1]:9/api",
    ]) {
      expect(
        loadConfig({ ...gogetssl, GOGETSSL_API_URL: allowed }).providers.settings.gogetssl?.GOGETSSL_API_URL,
      ).toBe(allowed);
    }
    const problems = problemsOf({
      ...gogetssl,
      GOGETSSL_API_URL: "http://proxy.example.com/api",
      SECTIGO_API_URL: "http://10.0.0.5",
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^GOGETSSL_API_URL must be an https:\/\/ URL \(plain http is allowed only on localhost/,
        ),
        expect.stringMatching(/^SECTIGO_API_URL must be an https:\/\/ URL/),
      ]),
    );
  });

  it("reads earlier keys from CERTDESK_OLD_KEYS and refuses entries that are not keys", () => {
    const [a, b] = [Buffer.alloc(32, 1).toString("base64"), Buffer.alloc(32, 2).toString("base64")];
    expect(loadConfig(minimal).oldKeys).toEqual([]);
    expect(loadConfig({ ...minimal, CERTDESK_OLD_KEYS: ` ${a}, ${b} ` }).oldKeys).toEqual([a, b]);
    const problems = problemsOf({ ...minimal, CERTDESK_OLD_KEYS: `${a},not-a-key` });
    expect(problems).toEqual([expect.stringMatching(/^CERTDESK_OLD_KEYS has an entry that is not a key/)]);
    expect(problems.join()).not.toContain(a);
  });

  it("reads LOG_FORMAT (json or pretty; unset or empty leaves it to the terminal) and refuses others", () => {
    expect(loadConfig(minimal).logFormat).toBeUndefined();
    expect(loadConfig({ ...minimal, LOG_FORMAT: "" }).logFormat).toBeUndefined();
    expect(loadConfig({ ...minimal, LOG_FORMAT: "json" }).logFormat).toBe("json");
    expect(loadConfig({ ...minimal, LOG_FORMAT: " pretty " }).logFormat).toBe("pretty");
    expect(loadConfig({ ...minimal, LOG_LEVEL: "debug" }).logLevel).toBe("debug");
    const problems = problemsOf({ ...minimal, LOG_FORMAT: "logfmt-xyz" });
    expect(problems).toEqual([expect.stringMatching(/^LOG_FORMAT must be json .* or pretty /)]);
    expect(problems.join()).not.toContain("logfmt-xyz");
  });
});

describe("METRICS_TOKEN", () => {
  it("is unset by default (GET /metrics open) and read when set", () => {
    expect(loadConfig(minimal).metricsToken).toBeUndefined();
    expect(loadConfig({ ...minimal, METRICS_TOKEN: "  " }).metricsToken).toBeUndefined();
    const token = "9c1f0e6a2b7d4c38a5e1f0b2c3d4e5f6";
    expect(loadConfig({ ...minimal, METRICS_TOKEN: ` ${token}\n` }).metricsToken).toBe(token);
  });

  it("refuses a short token or one with spaces, never echoing it", () => {
    for (const [value, problem] of [
      ["hunter2", "METRICS_TOKEN is too short: use at least 16 random characters"],
      ["correct horse battery staple", "METRICS_TOKEN must be printable characters without spaces"],
    ] as const) {
      const problems = problemsOf({ ...minimal, METRICS_TOKEN: value });
      expect(problems).toEqual([expect.stringContaining(problem)]);
      expect(new ConfigError(problems).message).not.toContain(value);
    }
  });
});
