import { describe, expect, it } from "vitest";
import { createLogger, type LoggerOptions, LogLevel, redactSecrets } from "../src/log.js";
import { ProviderUnavailableError } from "../src/providers/errors.js";

const PEM = [
  "-----BEGIN PRIVATE KEY-----",
  "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
  "-----END PRIVATE KEY-----",
].join("\n");

/** A logger writing into an array, JSON unless told otherwise. */
function capture(options: LoggerOptions = {}, level = LogLevel.DEBUG) {
  const written: { level: LogLevel; line: string }[] = [];
  const logger = createLogger(level, {
    format: "json",
    ...options,
    sink: (lineLevel, line) => written.push({ level: lineLevel, line }),
  });
  const lines = () => written.map((entry) => entry.line);
  const records = () => lines().map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, written, lines, records };
}

describe("JSON lines", () => {
  it("writes one JSON object a line: level, time, name, msg", () => {
    const { logger, written, records } = capture();
    logger.info("certdesk is running:", "HTTP");
    expect(written).toHaveLength(1);
    expect(written[0]?.level).toBe(LogLevel.INFO);
    expect(written[0]?.line).not.toContain("\n");
    const [record] = records();
    expect(record).toEqual({
      level: "info",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      name: "certdesk",
      msg: "certdesk is running: HTTP",
    });
  });

  it("gives every line about an order its reference as `order`, taken from the message", () => {
    const { logger, records } = capture();
    // As the call sites write them (jobs/poller.ts, commands/reissue/submit.ts, slack/order-notifier.ts).
    logger.warn("SSL-1042 has been submitting for over 10 minutes; flagged in its thread.");
    logger.error("The reissue of SSL-1043 failed:", new Error("the CA said no"));
    logger.debug("Could not post the issue of SSL-1044:", "later");
    logger.info("SSL_CHANNEL is not set: expiry alerts and issue announcements are off.");
    logger.error("The status check failed:", new Error("SSL-1045 is not pending"));
    logger.info("Placed", { order: "SSL-7", provider: "sandbox" });
    expect(records().map((record) => record.order)).toEqual([
      "SSL-1042",
      "SSL-1043",
      "SSL-1044",
      undefined,
      "SSL-1045",
      "SSL-7",
    ]);
    expect(records()[5]).toMatchObject({ provider: "sandbox", msg: "Placed" });
  });

  it("writes other values into the message as before, and a plain object as fields", () => {
    const { logger, records } = capture();
    logger.debug("counts", 42, [1, 2], null);
    logger.info({ provider: "sandbox", level: "not mine", msg: "not mine" }, "placed");
    expect(records()[0]?.msg).toBe("counts 42 [1,2] null");
    expect(records()[1]).toMatchObject({ level: "info", msg: "placed", provider: "sandbox" });
  });

  it("names the logger as Bolt sets it", () => {
    const { logger, records } = capture();
    logger.setName("bolt-app");
    logger.info("hello");
    expect(records()[0]?.name).toBe("bolt-app");
  });
});

describe("pretty text", () => {
  it("writes the time, level, name and message on one line, without JSON or colours", () => {
    const { logger, lines } = capture({ format: "pretty" });
    logger.info("SSL-1042 was placed with Sandbox.");
    expect(lines()).toEqual([
      expect.stringMatching(
        /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4}\] INFO \(certdesk\): SSL-1042 was placed with Sandbox\.$/,
      ),
    ]);
    expect(lines()[0]).not.toMatch(/[{}"]/);
    expect(lines()[0]).not.toContain("\u001b[");
  });

  it("shows an error as its stack under the message", () => {
    const { logger, lines } = capture({ format: "pretty" });
    logger.error("The reissue of SSL-1042 failed:", new Error("the CA said no"));
    const [text] = lines();
    expect(text).toMatch(
      / ERROR \(certdesk\): The reissue of SSL-1042 failed:\n {4}err: Error: the CA said no\n/,
    );
    expect(text).toMatch(/\n\s+at /);
    expect(text).not.toContain('"stack"');
    expect(text).not.toMatch(/\n$/);
  });

  it("colours only when asked or writing to a terminal", () => {
    const plain = capture({ format: "pretty", isTty: true });
    plain.logger.warn("careful");
    expect(plain.lines()[0]).not.toContain("\u001b[");
    const coloured = capture({ format: "pretty", colors: true });
    coloured.logger.warn("careful");
    expect(coloured.lines()[0]).toContain("\u001b[");
  });
});

describe("the format", () => {
  const firstLine = (options: LoggerOptions) => {
    const { logger, lines } = capture(options);
    logger.info("hello");
    return lines()[0] ?? "";
  };

  it("is pretty on a terminal and JSON elsewhere when LOG_FORMAT is unset", () => {
    expect(firstLine({ format: undefined, isTty: true })).toMatch(/ INFO \(certdesk\): hello$/);
    expect(JSON.parse(firstLine({ format: undefined, isTty: false }))).toMatchObject({ msg: "hello" });
  });

  it("is what LOG_FORMAT says, terminal or not", () => {
    expect(JSON.parse(firstLine({ format: "json", isTty: true }))).toMatchObject({ msg: "hello" });
    expect(firstLine({ format: "pretty", isTty: false })).toMatch(/ INFO \(certdesk\): hello$/);
  });
});

describe("redaction", () => {
  it("redacts known secret fields in logged objects, at the top and nested", () => {
    const secrets = ["hunter2-pw", "xoxb-field-token", "signing-field", "hmac-field", "Bearer abc123"];
    const { logger, lines, records } = capture();
    logger.info("Settings", {
      password: "hunter2-pw",
      slack: { botToken: "xoxb-field-token", signingSecret: "signing-field" },
      providers: { acme: { hmacKey: "hmac-field" } },
      headers: { authorization: "Bearer abc123" },
      certificate: { privateKeyPem: PEM, domain: "www.example.com" },
    });
    for (const secret of secrets) expect(lines().join("\n")).not.toContain(secret);
    expect(lines().join("\n")).not.toContain(
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
    );
    expect(records()[0]).toMatchObject({
      password: "[redacted]",
      slack: { botToken: "[redacted]", signingSecret: "[redacted]" },
      providers: { acme: { hmacKey: "[redacted]" } },
      headers: { authorization: "[redacted]" },
      certificate: { privateKeyPem: "[redacted]", domain: "www.example.com" },
    });
  });

  it("redacts secrets in free text: the message and any string in a logged object", () => {
    const { logger, lines, records } = capture();
    logger.info(
      `key ${PEM} token xoxb-1-abc app xapp-1-A-abc db postgres://certdesk:pa55word@db:5432/certdesk`,
      { note: "sent with xoxp-2-def", list: ["xoxb-3-ghi"] },
    );
    const text = lines().join("\n");
    for (const secret of ["MIIEvQIB", "xoxb-1-abc", "xapp-1-A-abc", "pa55word", "xoxp-2-def", "xoxb-3-ghi"]) {
      expect(text).not.toContain(secret);
    }
    expect(records()[0]).toMatchObject({
      msg: "key [private key redacted] token [slack token redacted] app [slack token redacted] db postgres://certdesk:***@db:5432/certdesk",
      note: "sent with [slack token redacted]",
      list: ["[slack token redacted]"],
    });
  });

  it("writes an error as a structured `err` (type, message, stack, code, causes), redacted", () => {
    const cause = new Error("connect to https://admin:s3cr3t@ca.example.com failed");
    const error = new ProviderUnavailableError("sectigo", "Sectigo refused xoxb-9-leaked", { cause });
    Object.assign(error, {
      code: "ECONNRESET",
      config: { headers: { authorization: "Bearer not-to-be-seen" } },
    });
    const { logger, lines, records } = capture();
    logger.error("The status check of SSL-1042 failed:", error);
    const text = lines().join("\n");
    for (const secret of ["xoxb-9-leaked", "s3cr3t", "not-to-be-seen"]) expect(text).not.toContain(secret);
    const [record] = records();
    expect(record).toMatchObject({
      level: "error",
      order: "SSL-1042",
      msg: "The status check of SSL-1042 failed:",
      err: {
        type: "ProviderUnavailableError",
        message: "Sectigo refused [slack token redacted]",
        stack: expect.stringMatching(
          /^ProviderUnavailableError: Sectigo refused \[slack token redacted\]\n\s+at /,
        ),
        code: "ECONNRESET",
        cause: {
          type: "Error",
          message: "connect to https://admin:***@ca.example.com failed",
          stack: expect.stringContaining("https://admin:***@ca.example.com"),
        },
      },
    });
    expect(Object.keys(record?.err as object).sort()).toEqual(["cause", "code", "message", "stack", "type"]);
  });

  it("keeps redactSecrets for callers that print text themselves", () => {
    expect(redactSecrets("xoxb-1-abc")).toBe("[slack token redacted]");
  });
});

describe("LOG_LEVEL", () => {
  it("writes only lines at or above the level, which setLevel changes at run time", () => {
    const { logger, written } = capture({}, LogLevel.INFO);
    logger.debug("hidden");
    logger.info("shown");
    expect(logger.getLevel()).toBe(LogLevel.INFO);
    logger.setLevel(LogLevel.DEBUG);
    logger.debug("now shown");
    expect(logger.getLevel()).toBe(LogLevel.DEBUG);
    logger.setLevel(LogLevel.ERROR);
    logger.warn("hidden too");
    logger.error("shown too");
    expect(written.map((entry) => [entry.level, JSON.parse(entry.line).msg])).toEqual([
      [LogLevel.INFO, "shown"],
      [LogLevel.DEBUG, "now shown"],
      [LogLevel.ERROR, "shown too"],
    ]);
  });
});

describe("credentials in query strings and form bodies", () => {
  it("are masked in free text", () => {
    expect(
      redactSecrets("GET https://my.gogetssl.com/api/orders/status/1?auth_key=abc123secret&x=1 failed"),
    ).toBe("GET https://my.gogetssl.com/api/orders/status/1?auth_key=***&x=1 failed");
    expect(redactSecrets("loginName=reseller&loginPassword=Pa55w0rd!&orderNumber=1")).toBe(
      "loginName=reseller&loginPassword=***&orderNumber=1",
    );
  });
});
