import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { type CertdeskApp, createApp } from "../../src/app.js";
import { createVault } from "../../src/certs/vault.js";
import { loadConfig } from "../../src/config.js";
import { createLogger, LogLevel } from "../../src/log.js";
import { buildProviders } from "../../src/providers/build.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { TestClock } from "../support/harness.js";
import { type SlackApiFake, startSlackApiFake } from "../support/slack-api-fake.js";

/** Socket Mode as Slack runs it: apps.connections.open hands out a WebSocket URL, envelopes come down it. */
let slack: SlackApiFake;
let sockets: WebSocketServer;
let database: TestDatabase;
let app: CertdeskApp;
let healthPort: number;
const connected: WebSocket[] = [];

beforeAll(async () => {
  slack = await startSlackApiFake();
  sockets = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  sockets.on("connection", (socket) => {
    connected.push(socket);
    socket.send(JSON.stringify({ type: "hello", num_connections: 1, connection_info: { app_id: "A0TEST" } }));
  });
  await new Promise((resolve) => sockets.once("listening", resolve));
  const wsUrl = `ws://127.0.0.1:${(sockets.address() as AddressInfo).port}/`;
  slack.on("apps.connections.open", () => ({ body: { ok: true, url: wsUrl } }));

  database = await createTestDatabase();
  healthPort = 40_000 + Math.floor(Math.random() * 10_000);
  const config = loadConfig({
    SLACK_BOT_TOKEN: "xoxb-socket",
    SLACK_APP_TOKEN: "xapp-1-socket",
    SLACK_API_URL: slack.apiUrl,
    PORT: String(healthPort),
  });
  const clock = new TestClock();
  const vault = createVault({ keys: [randomBytes(32)] });
  app = createApp(config, {
    database,
    clock,
    logger: createLogger(LogLevel.ERROR, { sink: () => {} }),
    vault,
    providers: await buildProviders(config.providers, { db: database.db, vault, clock }),
  });
  await app.start();
});

afterAll(async () => {
  await app.stop();
  for (const socket of connected) socket.terminate();
  await new Promise((resolve) => sockets.close(resolve));
  await slack.stop();
  await database.close();
});

function nextMessage(socket: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => socket.once("message", (data) => resolve(JSON.parse(String(data)))));
}

describe("Socket Mode (SLACK_APP_TOKEN set)", () => {
  it("connects with the app token and acks /ssl help on the socket with the usage", async () => {
    const opened = await slack.waitFor("apps.connections.open");
    expect(opened.token).toBe("xapp-1-socket");
    const socket = connected[0];
    if (!socket) throw new Error("certdesk did not connect");
    const reply = nextMessage(socket);
    socket.send(
      JSON.stringify({
        envelope_id: "env-1",
        type: "slash_commands",
        accepts_response_payload: true,
        payload: {
          command: "/ssl",
          text: "help",
          user_id: "U0ANN",
          channel_id: "C0OPS",
          team_id: "T0TEST",
          api_app_id: "A0TEST",
          response_url: slack.responseUrl(),
          trigger_id: "trigger-socket",
        },
      }),
    );
    const ack = await reply;
    expect(ack.envelope_id).toBe("env-1");
    expect(JSON.stringify(ack.payload)).toContain("/ssl order [client] [domain]");
  });

  it("serves /healthz on PORT", async () => {
    const response = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ db: "ok" });
  });
});
