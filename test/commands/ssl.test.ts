import { beforeEach, describe, expect, it } from "vitest";
import { type TestApp, useTestApp } from "../support/harness.js";

const t = useTestApp();
beforeEach(() => t.slack.reset());

describe("/ssl help over signed HTTP", () => {
  it("answers with usage, only to the caller", async () => {
    const response = await t.driver.slashCommand("help");
    expect(response.status).toBe(200);
    const body = response.json() as { text: string; response_type?: string; blocks: unknown[] };
    expect(body.response_type ?? "ephemeral").toBe("ephemeral");
    expect(body.text).toContain("/ssl order [client] [domain]");
    expect(body.text).toContain("/ssl status");
    expect(body.blocks.length).toBeGreaterThan(0);
    expect(t.slack.callsTo("chat.postMessage")).toHaveLength(0);
  });

  it("says what it did not understand, and still shows usage", async () => {
    const response = await t.driver.slashCommand("frobnicate example.com");
    expect(response.status).toBe(200);
    const body = response.json() as { text: string };
    expect(body.text).toContain("I did not understand `/ssl frobnicate example.com`");
    expect(body.text).toContain("/ssl order");
  });

  it("treats an empty /ssl as help", async () => {
    const body = (await t.driver.slashCommand("")).json() as { text: string };
    expect(body.text).toContain("/ssl list [client]");
  });
});

describe("request signing", () => {
  const cases: [string, Parameters<TestApp["driver"]["slashCommand"]>[1]][] = [
    ["an unsigned request", { unsigned: true }],
    ["a request signed more than 5 minutes ago", { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
    ["a request whose body was changed after signing", { tamper: (body) => body.replace("help", "order") }],
  ];
  it.each(cases)("refuses %s with 401 and runs no handler", async (_name, options) => {
    const response = await t.driver.slashCommand("help", options);
    expect(response.status).toBe(401);
    expect(response.text).not.toContain("/ssl order");
    expect(t.slack.calls.filter((call) => call.method !== "auth.test")).toHaveLength(0);
  });
});

describe("/healthz", () => {
  it("is 200 with db ok while the database answers", async () => {
    const response = await fetch(`${t.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ db: "ok" });
  });
});
