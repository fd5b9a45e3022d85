import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import type { SlackApiFake } from "./slack-api-fake.js";
import type { DriverResponse } from "./slack-driver.js";

/**
 * Slack's side of Socket Mode: apps.connections.open (on the Web API fake) hands out this server's
 * URL; requests go down the socket as envelopes and the app's acks come back up, as with Slack.
 * The same calls as SlackDriver, so a test can run in either mode.
 */
export class SocketModeDriver {
  private server?: WebSocketServer;
  private socket?: WebSocket;
  private connected?: Promise<WebSocket>;
  private readonly acks = new Map<string, (payload: unknown) => void>();
  /** Connections the app made so far (a reconnect makes another). */
  connections = 0;

  constructor(
    private readonly slack: SlackApiFake,
    private readonly defaults: { teamId: string; userId: string; channelId: string },
  ) {}

  async start(): Promise<this> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    this.server = server;
    await new Promise((resolve) => server.once("listening", resolve));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    this.slack.on("apps.connections.open", () => ({ body: { ok: true, url } }));
    this.connected = new Promise((resolve) => {
      server.on("connection", (socket) => {
        this.socket = socket;
        this.connections += 1;
        socket.on("message", (data) => {
          const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
          if (message.envelope_id) this.acks.get(message.envelope_id)?.(message.payload);
        });
        socket.send(
          JSON.stringify({ type: "hello", num_connections: 1, connection_info: { app_id: "A0TEST" } }),
        );
        resolve(socket);
      });
    });
    return this;
  }

  /** Resolves once the app connected and got its hello. */
  async ready(): Promise<void> {
    await this.connected;
  }

  /**
   * Slack's `disconnect` message (it refreshes connections now and then): the app closes this socket
   * and, after the client's reconnect delay (5 s), connects again through apps.connections.open.
   */
  async requestRefresh(): Promise<void> {
    const socket = this.socket ?? (await this.connected);
    socket?.send(JSON.stringify({ type: "disconnect", reason: "refresh_requested" }));
  }

  slashCommand(text: string, options: { userId?: string; channelId?: string; responseUrl?: string } = {}) {
    return this.send("slash_commands", {
      command: "/ssl",
      text,
      user_id: options.userId ?? this.defaults.userId,
      channel_id: options.channelId ?? this.defaults.channelId,
      team_id: this.defaults.teamId,
      api_app_id: "A0TEST",
      response_url: options.responseUrl ?? this.slack.responseUrl(),
      trigger_id: `trigger-${randomUUID()}`,
    });
  }

  interactive(payload: Record<string, unknown>): Promise<DriverResponse> {
    return this.send("interactive", payload);
  }

  private async send(type: string, payload: Record<string, unknown>): Promise<DriverResponse> {
    const socket = (await this.connected) && this.socket;
    if (!socket) throw new Error("the app never connected");
    const envelopeId = randomUUID();
    const acked = new Promise<unknown>((resolve) => this.acks.set(envelopeId, resolve));
    socket.send(JSON.stringify({ envelope_id: envelopeId, type, accepts_response_payload: true, payload }));
    const answer = await acked;
    this.acks.delete(envelopeId);
    const text = answer === undefined ? "" : JSON.stringify(answer);
    return { status: 200, text, json: () => JSON.parse(text) as unknown };
  }

  async stop(): Promise<void> {
    this.socket?.terminate();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
