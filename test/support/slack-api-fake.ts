import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for Slack's Web API (SLACK_API_URL) that answers as Slack does and records
 * every call. It also receives response_url posts and file uploads (files upload v2).
 */

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  token?: string;
  /** Slack's error when it refused the call (only `hash_conflict` is decided by the fake itself). */
  refused?: string;
  /** What the fake answered (for views.open: the view with its id and hash). */
  answer?: Record<string, unknown>;
}

type MethodHandler = (args: Record<string, unknown>, call: RecordedCall) => SlackReply | Promise<SlackReply>;
export interface SlackReply {
  status?: number;
  headers?: Record<string, string>;
  body: Record<string, unknown>;
}

/** Form fields the WebClient JSON-encodes. */
const JSON_FIELDS = new Set(["view", "blocks", "attachments", "files", "metadata"]);

export class SlackApiFake {
  readonly calls: RecordedCall[] = [];
  readonly uploads = new Map<string, Buffer>();
  private readonly events = new EventEmitter();
  private readonly overrides = new Map<string, MethodHandler>();
  private readonly rateLimits = new Map<string, { remaining: number; retryAfter: number }>();
  private counter = 0;
  private tsCounter = 0;
  /** Each view's current hash: views.update with another `hash` is refused, as Slack does. */
  private readonly viewHashes = new Map<string, string>();
  readonly userGroups = new Map<string, string[]>();
  /** users.info profile fields per user (e.g. is_restricted, team_id); the rest is made up. */
  readonly users = new Map<string, Record<string, unknown>>();
  private server?: Server;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        (reply) => {
          res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
          res.end(JSON.stringify(reply.body));
        },
        (error: unknown) => {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ ok: false, error: String(error) }));
        },
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** A fresh response_url for a simulated slash command or message action. */
  responseUrl(): string {
    this.counter += 1;
    return `${this.url}/respond/${this.counter}`;
  }

  /** Replace Slack's answer for one method until reset. */
  on(method: string, handler: MethodHandler): void {
    this.overrides.set(method, handler);
  }

  reset(): void {
    this.calls.length = 0;
    this.users.clear();
    this.overrides.clear();
    this.rateLimits.clear();
    this.uploads.clear();
    this.viewHashes.clear();
  }

  /** The next `times` calls of `method` get HTTP 429 with Retry-After. */
  rateLimit(method: string, times: number, retryAfterSeconds = 1): void {
    this.rateLimits.set(method, { remaining: times, retryAfter: retryAfterSeconds });
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Resolves with the first call (already made or future) that matches; rejects after `timeoutMs`. */
  waitFor(
    method: string,
    predicate: (call: RecordedCall) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<RecordedCall> {
    const existing = this.callsTo(method).find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const listener = (call: RecordedCall) => {
        if (call.method !== method || !predicate(call)) return;
        clearTimeout(timer);
        this.events.off("call", listener);
        resolve(call);
      };
      const timer = setTimeout(() => {
        this.events.off("call", listener);
        reject(new Error(`Slack API fake: no ${method} call matched within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on("call", listener);
    });
  }

  private async handle(req: IncomingMessage): Promise<SlackReply> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", this.url);
    const [, kind, name] = url.pathname.split("/");
    if (kind === "upload" && name) {
      this.uploads.set(name, raw);
      this.record({ method: "file.upload", args: { fileId: name, bytes: raw.length } });
      return { body: { ok: true } };
    }
    const args = parseArgs(req.headers["content-type"] ?? "", raw);
    if (kind === "respond") {
      return this.record({ method: "response_url", args: { ...args, responseUrlId: name } }, () => ({
        ok: true,
      }));
    }
    if (kind !== "api" || !name) return { status: 404, body: { ok: false, error: "not_found" } };
    const token =
      (req.headers.authorization ?? "").replace(/^Bearer /, "") || (args.token as string | undefined);
    const limit = this.rateLimits.get(name);
    if (limit && limit.remaining > 0) {
      limit.remaining -= 1;
      this.record({ method: `${name}#ratelimited`, args, token });
      return {
        status: 429,
        headers: { "retry-after": String(limit.retryAfter) },
        body: { ok: false, error: "ratelimited" },
      };
    }
    const call: RecordedCall = { method: name, args, token };
    const override = this.overrides.get(name);
    const reply = override ? await override(args, call) : { body: this.defaultAnswer(name, args) };
    if (reply.body.ok === false && typeof reply.body.error === "string") call.refused = reply.body.error;
    call.answer = reply.body;
    this.record(call);
    return reply;
  }

  private record(call: RecordedCall, answer?: () => Record<string, unknown>): SlackReply {
    this.calls.push(call);
    this.events.emit("call", call);
    return { body: answer?.() ?? { ok: true } };
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `1700000000.${String(this.tsCounter).padStart(6, "0")}`;
  }

  private defaultAnswer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    this.counter += 1;
    const id = this.counter;
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          user_id: "UBOT",
          bot_id: "BBOT",
          team_id: "T0TEST",
          user: "certdesk",
          team: "Test",
        };
      case "views.open":
      case "views.push":
      case "views.publish":
        this.viewHashes.set(`V${id}`, `h${id}`);
        return { ok: true, view: { ...(args.view as object), id: `V${id}`, hash: `h${id}` } };
      case "views.update": {
        const viewId = String(args.view_id ?? `V${id}`);
        if (typeof args.hash === "string" && this.viewHashes.get(viewId) !== args.hash) {
          return { ok: false, error: "hash_conflict" };
        }
        this.viewHashes.set(viewId, `h${id}`);
        return { ok: true, view: { ...(args.view as object), id: viewId, hash: `h${id}` } };
      }
      case "chat.postMessage": {
        const ts = this.nextTs();
        const channel = String(args.channel).startsWith("U")
          ? `D${String(args.channel).slice(1)}`
          : args.channel;
        return { ok: true, channel, ts, message: { ts, text: args.text, blocks: args.blocks } };
      }
      case "chat.update":
        return { ok: true, channel: args.channel, ts: args.ts };
      case "chat.postEphemeral":
        return { ok: true, message_ts: this.nextTs() };
      case "conversations.open":
        return { ok: true, channel: { id: `D${String(args.users ?? "X").split(",")[0]}` } };
      case "users.info":
        return {
          ok: true,
          user: {
            id: args.user,
            team_id: "T0TEST",
            name: `user-${String(args.user)}`,
            real_name: `User ${String(args.user)}`,
            is_restricted: false,
            is_ultra_restricted: false,
            ...this.users.get(String(args.user)),
          },
        };
      case "usergroups.users.list":
        return { ok: true, users: this.userGroups.get(String(args.usergroup)) ?? [] };
      case "files.getUploadURLExternal":
        return { ok: true, upload_url: `${this.url}/upload/F${id}`, file_id: `F${id}` };
      case "files.completeUploadExternal":
        return {
          ok: true,
          files: ((args.files as { id: string; title?: string }[]) ?? []).map((file) => ({
            id: file.id,
            title: file.title,
          })),
        };
      default:
        return { ok: false, error: "unknown_method" };
    }
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseArgs(contentType: string, raw: Buffer): Record<string, unknown> {
  const text = raw.toString("utf8");
  if (contentType.startsWith("application/json"))
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    const args: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(text)) {
      args[key] = JSON_FIELDS.has(key) ? safeJson(value) : value;
    }
    return args;
  }
  return { raw: text };
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export async function startSlackApiFake(): Promise<SlackApiFake> {
  return new SlackApiFake().start();
}
