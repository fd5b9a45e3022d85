import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { App } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from "vitest";
import { z } from "zod";
import { useTestApp } from "./support/harness.js";
import type { DriverResponse } from "./support/slack-driver.js";

/**
 * manifest.yml kept honest, on the app itself: everything the manifest sends (each slash command,
 * shortcut and bot event) is answered by the running app, everything the app registers is in the
 * manifest, every scope the manifest asks for is needed by a Web API call in src/ (or by a feature
 * no method names, with the reason below), and every call's scope is asked for.
 */

const ROOT = resolve(import.meta.dirname, "..");
const SRC = join(ROOT, "src");
const MANIFEST_TEXT = readFileSync(join(ROOT, "manifest.yml"), "utf8");

// ---------------------------------------------------------------------------------------------
// A reader for the YAML manifest.yml uses: block maps and lists, plain and quoted scalars,
// comments. No YAML parser is installed and this file needs no more; anything else (flow
// collections, anchors, block scalars, tabs) is refused rather than read wrongly.

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };
interface Line {
  indent: number;
  text: string;
  number: number;
}

function readSimpleYaml(source: string): Yaml {
  const lines: Line[] = [];
  for (const [index, raw] of source.split(/\r?\n/).entries()) {
    const leading = raw.match(/^[ \t]*/)?.[0] ?? "";
    if (leading.includes("\t")) throw new Error(`line ${index + 1}: tabs in indentation`);
    const text = raw.trim();
    if (text === "" || text.startsWith("#")) continue;
    if (text === "---" || text === "...") throw new Error(`line ${index + 1}: one document only`);
    lines.push({ indent: leading.length, text, number: index + 1 });
  }
  let at = 0;
  const fail = (line: Line | undefined, what: string): never => {
    throw new Error(`manifest.yml line ${line?.number ?? "end"}: ${what}`);
  };
  const isItem = (line: Line) => line.text === "-" || line.text.startsWith("- ");
  const KEY = /^([A-Za-z0-9_][\w.-]*):(?:\s+(.*))?$/;

  function block(indent: number): Yaml {
    const first = lines[at];
    if (!first) return fail(first, "a value was expected");
    return isItem(first) ? list(indent) : map(indent);
  }

  function map(indent: number): { [key: string]: Yaml } {
    const result: { [key: string]: Yaml } = {};
    for (let line = lines[at]; line && line.indent === indent && !isItem(line); line = lines[at]) {
      const match = KEY.exec(line.text) ?? fail(line, `not a "key: value" line: ${line.text}`);
      const key = match[1] ?? "";
      if (Object.hasOwn(result, key)) fail(line, `${key} appears twice`);
      at += 1;
      const value = withoutComment(match[2] ?? "", line);
      result[key] = value === "" ? nested(indent) : scalar(value, line);
    }
    const next = lines[at];
    if (next && next.indent > indent) fail(next, "unexpected indentation");
    return result;
  }

  /** The value under `key:` with nothing after it: a deeper block, a list at the same indent, or null. */
  function nested(indent: number): Yaml {
    const next = lines[at];
    if (next && next.indent > indent) return block(next.indent);
    if (next && next.indent === indent && isItem(next)) return list(indent);
    return null;
  }

  function list(indent: number): Yaml[] {
    const result: Yaml[] = [];
    for (let line = lines[at]; line && line.indent === indent && isItem(line); line = lines[at]) {
      const rest = line.text.slice(1).trimStart();
      if (rest === "" || rest.startsWith("#")) fail(line, "an empty list item");
      if (KEY.test(rest)) {
        // "- key: value" starts a map whose keys line up with `key`.
        const itemIndent = indent + line.text.length - rest.length;
        lines[at] = { ...line, indent: itemIndent, text: rest };
        result.push(map(itemIndent));
      } else {
        at += 1;
        result.push(scalar(withoutComment(rest, line), line));
      }
    }
    return result;
  }

  function withoutComment(value: string, line: Line): string {
    const quote = value[0];
    if (quote === '"' || quote === "'") {
      const end = quote === '"' ? closingDoubleQuote(value) : closingSingleQuote(value);
      if (end < 0) fail(line, "an unclosed quote (multi-line strings are not read)");
      const after = value.slice(end + 1).trim();
      if (after !== "" && !after.startsWith("#")) fail(line, `text after a quoted string: ${after}`);
      return value.slice(0, end + 1);
    }
    if (value.startsWith("#")) return "";
    return value.replace(/\s+#.*$/, "").trim();
  }

  function scalar(value: string, line: Line): Yaml {
    if (value.startsWith('"')) return JSON.parse(value) as string;
    if (value.startsWith("'")) return value.slice(1, -1).replaceAll("''", "'");
    if (/^[[{&*!|>%@`]/.test(value)) fail(line, `YAML this reader does not handle: ${value}`);
    if (/:\s/.test(value)) fail(line, `a plain value with ": " in it: ${value}`);
    if (value === "true" || value === "false") return value === "true";
    if (value === "null" || value === "~") return null;
    if (/^-?\d+$/.test(value)) return Number(value);
    return value;
  }

  const document = lines.length === 0 ? null : block(lines[0]?.indent ?? 0);
  if (at < lines.length) fail(lines[at], "unexpected indentation");
  return document;
}

function closingDoubleQuote(value: string): number {
  for (let i = 1; i < value.length; i += 1) {
    if (value[i] === "\\") i += 1;
    else if (value[i] === '"') return i;
  }
  return -1;
}

function closingSingleQuote(value: string): number {
  for (let i = 1; i < value.length; i += 1) {
    if (value[i] !== "'") continue;
    if (value[i + 1] === "'") i += 1;
    else return i;
  }
  return -1;
}

const manifestShape = z
  .object({
    features: z
      .object({
        app_home: z
          .object({
            home_tab_enabled: z.boolean().default(false),
            messages_tab_enabled: z.boolean().default(false),
            messages_tab_read_only_enabled: z.boolean().default(false),
          })
          .loose()
          .optional(),
        slash_commands: z
          .array(z.object({ command: z.string(), url: z.string().optional() }).loose())
          .default([]),
        shortcuts: z
          .array(z.object({ callback_id: z.string(), type: z.enum(["message", "global"]) }).loose())
          .default([]),
      })
      .loose(),
    oauth_config: z
      .object({
        scopes: z
          .object({ bot: z.array(z.string()).default([]), user: z.array(z.string()).optional() })
          .loose(),
      })
      .loose(),
    settings: z
      .object({
        event_subscriptions: z
          .object({
            request_url: z.string().optional(),
            bot_events: z.array(z.string()).default([]),
            user_events: z.array(z.string()).optional(),
          })
          .loose()
          .optional(),
        interactivity: z
          .object({
            is_enabled: z.boolean(),
            request_url: z.string().optional(),
            message_menu_options_url: z.string().optional(),
          })
          .loose()
          .optional(),
        socket_mode_enabled: z.boolean().default(false),
      })
      .loose(),
  })
  .loose();

const manifest = manifestShape.parse(readSimpleYaml(MANIFEST_TEXT));
const commands = manifest.features.slash_commands.map((entry) => entry.command);
const shortcuts = manifest.features.shortcuts;
const botEvents = manifest.settings.event_subscriptions?.bot_events ?? [];
const botScopes = manifest.oauth_config.scopes.bot;

// ---------------------------------------------------------------------------------------------
// What the app registers with Bolt, recorded as createApp registers it.

const LISTENER_KINDS = ["command", "shortcut", "event", "action", "view", "options", "message"] as const;
type ListenerKind = (typeof LISTENER_KINDS)[number];
const spies = new Map<ListenerKind, MockInstance>();
// Before useTestApp's beforeAll (hooks run in the order they are declared), so createApp is seen.
beforeAll(() => {
  const prototype = App.prototype as unknown as Record<ListenerKind, (...args: unknown[]) => unknown>;
  for (const kind of LISTENER_KINDS) spies.set(kind, vi.spyOn(prototype, kind));
});
afterAll(() => {
  for (const spy of spies.values()) spy.mockRestore();
});

const t = useTestApp();

/**
 * The first argument (the constraint) of each `app.<kind>(…)` this test's app made: with Bolt, or
 * (string action, view and options ids) with the router that serves them (src/commands/router.ts),
 * whose own catch-all listeners are left out.
 */
function registered(kind: ListenerKind): unknown[] {
  const spy = spies.get(kind);
  if (!spy) throw new Error(`no spy on App.${kind}`);
  const withBolt = spy.mock.calls
    .filter((_call, index) => spy.mock.contexts[index] === t.app.bolt)
    .map((call) => call[0])
    .filter((constraint) => !(constraint instanceof RegExp && constraint.source === "^"));
  const routed = kind === "action" || kind === "view" || kind === "options" ? t.app.listenerIds(kind) : [];
  return [...withBolt, ...routed];
}

/** Web API methods the running app called, whatever made them (certdesk's clients, or Bolt's). */
const calledAtRuntime = new Set<string>();
function collectCalls(): void {
  for (const call of t.slack.calls) calledAtRuntime.add(call.method);
}
beforeAll(collectCalls); // auth.test at start, before the harness's first reset
afterEach(collectCalls);

// ---------------------------------------------------------------------------------------------
// Answered or not: what the app did in Slack after a request.

/** What the app did for a request: its HTTP answer, and the Slack calls other than the membership check. */
async function outcome(response: DriverResponse): Promise<{ status: number; body: string; calls: string[] }> {
  // Every request is tracked until its listeners finish; a request no listener took is acked empty.
  await t.app.settled();
  const calls = t.slack.calls.map((call) => call.method).filter((method) => method !== "users.info");
  return { status: response.status, body: response.text, calls };
}

function answered(result: { status: number; body: string; calls: string[] }): boolean {
  return result.status === 200 && (result.body !== "" || result.calls.length > 0);
}

function sendCommand(command: string, text: string): Promise<DriverResponse> {
  const form = new URLSearchParams({
    token: "legacy-verification-token",
    team_id: "T0TEST",
    team_domain: "acme",
    channel_id: "C0OPS",
    channel_name: "ssl-ops",
    user_id: "U0ANN",
    user_name: "ann",
    command,
    text,
    api_app_id: "A0TEST",
    is_enterprise_install: "false",
    response_url: t.slack.responseUrl(),
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
  });
  return t.http.post(form.toString());
}

/** A shortcut as Slack sends it; a message shortcut is used on a message that is no order's. */
function sendShortcut(callbackId: string, type: "message" | "global"): Promise<DriverResponse> {
  const common = {
    callback_id: callbackId,
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    user: { id: "U0ANN", name: "ann" },
    team: { id: "T0TEST", domain: "acme" },
    action_ts: "1700000003.1",
  };
  return t.http.interactive(
    type === "global"
      ? { type: "shortcut", ...common }
      : {
          type: "message_action",
          ...common,
          response_url: t.slack.responseUrl(),
          message_ts: "1600000000.000001",
          message: { type: "message", ts: "1600000000.000001", text: "hello", user: "U0BOB" },
          channel: { id: "C0OPS", name: "ssl-ops" },
        },
  );
}

/** The `event` of each bot event the manifest subscribes to, as Slack sends it. */
const EVENT_SAMPLES: Record<string, Record<string, unknown>> = {
  app_home_opened: { user: "U0ANN", channel: "D0HOME", tab: "home" },
  // Only for the check that an event nobody handles is seen as unanswered.
  reaction_added: { user: "U0ANN", reaction: "tada", item: { type: "message", channel: "C0OPS", ts: "1.2" } },
};

let eventCounter = 0;
/** An Events API request: JSON, as Slack posts it to the request URL. */
function sendEvent(type: string): Promise<DriverResponse> {
  const sample = EVENT_SAMPLES[type];
  if (!sample) throw new Error(`add a sample of the ${type} event to EVENT_SAMPLES`);
  eventCounter += 1;
  const body = {
    token: "legacy-verification-token",
    team_id: "T0TEST",
    api_app_id: "A0TEST",
    type: "event_callback",
    event_id: `Ev0MANIFEST${eventCounter}`,
    event_time: 1_700_000_000,
    event: { type, event_ts: `1700000000.${eventCounter}`, ...sample },
  };
  return t.http.post(JSON.stringify(body), { contentType: "application/json" });
}

describe("manifest.yml is read as written", () => {
  it("has the commands, shortcuts, events and scopes it lists", () => {
    expect(commands).toEqual(["/ssl"]);
    expect(shortcuts.map((shortcut) => shortcut.callback_id)).toEqual([
      "ssl_check_status",
      "ssl_details",
      "ssl_renew",
      "ssl_reissue",
    ]);
    expect(botEvents).toEqual(["app_home_opened"]);
    expect(botScopes).toContain("chat:write");
    expect(manifest.features.slash_commands[0]).toMatchObject({
      usage_hint: "order [client] [domain] · list [client] · status <ref> · renew <ref> · clients · help",
      should_escape: false,
    });
  });

  it("refuses YAML it would read wrongly", () => {
    expect(readSimpleYaml("a:\n  - x # note\n  - 'it''s'\nb: 2\n")).toEqual({ a: ["x", "it's"], b: 2 });
    expect(() => readSimpleYaml("a: [x, y]\n")).toThrow(/does not handle/);
    expect(() => readSimpleYaml("a: |\n  text\n")).toThrow(/does not handle/);
    expect(() => readSimpleYaml("a: 1\na: 2\n")).toThrow(/appears twice/);
    expect(() => readSimpleYaml("a: 1\n   b: 2\n")).toThrow(/indentation/);
  });
});

describe("everything the manifest sends reaches a handler", () => {
  it.each(commands)("%s is answered", async (command) => {
    expect(answered(await outcome(await sendCommand(command, "help")))).toBe(true);
  });

  it.each(shortcuts)("the $type shortcut $callback_id is answered", async ({ callback_id, type }) => {
    const result = await outcome(await sendShortcut(callback_id, type));
    expect(answered(result)).toBe(true);
    // On a message that is not an order's, the shortcut tells the person so, only them.
    if (type === "message") expect(result.calls).toContain("response_url");
  });

  it.each(botEvents)("the %s event is answered", async (event) => {
    expect(answered(await outcome(await sendEvent(event)))).toBe(true);
  });

  it("the Home tab is published when it is opened", async () => {
    await outcome(await sendEvent("app_home_opened"));
    expect(t.slack.callsTo("views.publish")).toHaveLength(1);
  });

  it("a command, shortcut or event no handler takes is seen as unanswered (the checks above can fail)", async () => {
    expect(answered(await outcome(await sendCommand("/not-in-manifest", "help")))).toBe(false);
    expect(answered(await outcome(await sendShortcut("not_in_manifest", "message")))).toBe(false);
    expect(answered(await outcome(await sendShortcut("not_in_manifest", "global")))).toBe(false);
    expect(answered(await outcome(await sendEvent("reaction_added")))).toBe(false);
  });

  it("interactivity is on, as the app's buttons, forms and option searches need", async () => {
    const interactive = [...registered("action"), ...registered("view"), ...registered("options")];
    expect(interactive.length).toBeGreaterThan(0);
    expect(manifest.settings.interactivity?.is_enabled).toBe(true);
    // An external select's options arrive as interactivity requests; each is answered with options.
    const optionIds = registered("options");
    expect(optionIds.length).toBeGreaterThan(0);
    for (const actionId of optionIds) {
      if (typeof actionId !== "string")
        throw new Error(`app.options(${String(actionId)}): name the action_id`);
      const response = await t.http.interactive({
        type: "block_suggestion",
        action_id: actionId,
        block_id: "manifest_blk",
        value: "acme",
        user: { id: "U0ANN", name: "ann" },
        team: { id: "T0TEST", domain: "acme" },
        api_app_id: "A0TEST",
        container: { type: "view", view_id: "V0MANIFEST" },
        view: { id: "V0MANIFEST", type: "modal", callback_id: "manifest", private_metadata: "", state: {} },
      });
      expect(response.status).toBe(200);
      expect(response.json()).toHaveProperty("options");
    }
  });

  it("requests reach the app: Socket Mode, or every HTTP URL set", async () => {
    const settings = manifest.settings;
    if (!settings.socket_mode_enabled) {
      for (const entry of manifest.features.slash_commands) expect(entry.url, entry.command).toBeDefined();
      if (botEvents.length > 0) expect(settings.event_subscriptions?.request_url).toBeDefined();
      expect(settings.interactivity?.request_url).toBeDefined();
      if (registered("options").length > 0)
        expect(settings.interactivity?.message_menu_options_url).toBeDefined();
    }
    // The HTTP-mode path the manifest's comments name is where the app listens, and it passes
    // Slack's check of a new request URL.
    expect(MANIFEST_TEXT).toContain("https://YOUR-HOST/slack/events");
    const challenge = await t.http.post(
      JSON.stringify({
        token: "legacy-verification-token",
        challenge: "manifest-check",
        type: "url_verification",
      }),
      { contentType: "application/json" },
    );
    expect(challenge.status).toBe(200);
    expect(challenge.text).toContain("manifest-check");
  });
});

describe("everything the app registers is in the manifest", () => {
  it("its slash commands", () => {
    for (const command of registered("command")) {
      if (typeof command !== "string") throw new Error(`app.command(${String(command)}): name the command`);
    }
    expect(new Set(registered("command"))).toEqual(new Set(commands));
  });

  it("its shortcuts, with the manifest's type", () => {
    const BOLT_TYPE = { message: "message_action", global: "shortcut" } as const;
    const fromApp = registered("shortcut").map((constraint) => {
      const parsed = z
        .object({ callback_id: z.string(), type: z.enum(["message_action", "shortcut"]) })
        .safeParse(constraint);
      if (!parsed.success)
        throw new Error(`app.shortcut(${JSON.stringify(constraint)}): give callback_id and type`);
      return `${parsed.data.type} ${parsed.data.callback_id}`;
    });
    expect(new Set(fromApp)).toEqual(
      new Set(shortcuts.map((shortcut) => `${BOLT_TYPE[shortcut.type]} ${shortcut.callback_id}`)),
    );
  });

  it("its events", () => {
    expect(new Set(registered("event"))).toEqual(new Set(botEvents));
    // app.message would need message.* events and history scopes, which the manifest does not ask for.
    expect(registered("message")).toEqual([]);
  });

  it("the App Home it uses: a Home tab, and a read-only Messages tab for the DMs it sends", () => {
    expect(manifest.features.app_home).toMatchObject({
      home_tab_enabled: botEvents.includes("app_home_opened"),
      messages_tab_enabled: true,
      // Nothing listens for message.im, so people are not offered a box to type into.
      messages_tab_read_only_enabled: !botEvents.includes("message.im"),
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Scopes: the bot scope each Web API method needs, for every method src/ calls.

/**
 * The bot-token scope each method the code calls needs (null: none; Slack checks the trigger or
 * the token instead). A method not in this table fails the test: a new call forces a decision here
 * and, when it needs a new scope, in manifest.yml.
 */
const METHOD_SCOPES: Record<string, string | null> = {
  "auth.test": null,
  "chat.postMessage": "chat:write",
  "chat.postEphemeral": "chat:write",
  "chat.update": "chat:write",
  // Opening the 1:1 DM the files go to; im:write is the bot scope for that.
  "conversations.open": "im:write",
  "files.getUploadURLExternal": "files:write",
  "files.completeUploadExternal": "files:write",
  // The membership check before every request (guests and other workspaces are refused).
  "users.info": "users:read",
  // SSL_ORDERERS / SSL_APPROVERS given as user groups.
  "usergroups.users.list": "usergroups:read",
  "views.open": null,
  "views.push": null,
  "views.update": null,
  "views.publish": null,
};

/** Scopes no method names, each with why it is declared and when it is still needed. */
const SCOPES_NO_METHOD_NAMES: Record<string, { why: string; needed: (called: Set<string>) => boolean }> = {
  commands: {
    why: "slash commands and shortcuts: /ssl and the message shortcuts on order messages",
    needed: () => commands.length > 0 || shortcuts.length > 0,
  },
  "chat:write.public": {
    why: "chat.postMessage in public channels the bot was not invited to (SSL_CHANNEL, the channel an order was asked in)",
    needed: (called) => called.has("chat.postMessage"),
  },
};

/** WebClient helpers that call Web API methods for the code: what each calls. */
const HELPER_METHODS: Record<string, string[]> = {
  filesUploadV2: ["files.getUploadURLExternal", "files.completeUploadExternal"],
  chatStream: ["chat.startStream", "chat.appendStream", "chat.stopStream"],
};

const probe = new WebClient();
/** Whether `path` (chat.postMessage, usergroups.users.list) is a Web API method of the WebClient. */
function isWebApiMethod(path: string): boolean {
  const parts = path.split(".");
  if (parts.length < 2) return false;
  let node: unknown = probe;
  for (const part of parts) {
    if (node === null || (typeof node !== "object" && typeof node !== "function")) return false;
    if (!Object.hasOwn(node, part)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === "function";
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Every Web API method src/ calls, with the files that call it. */
function webApiCallsInSource(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const add = (method: string, file: string) => {
    const files = found.get(method) ?? new Set<string>();
    files.add(relative(ROOT, file));
    found.set(method, files);
  };
  for (const file of sourceFiles(SRC)) {
    const source = readFileSync(file, "utf8").replaceAll("?.", ".");
    // client.chat.postMessage(…), deps.clients.lookup.users.info(…): the longest tail that is a method.
    for (const match of source.matchAll(/[\w$]+(?:\.[\w$]+)+(?=\s*\()/g)) {
      const parts = match[0].split(".");
      for (let start = 0; start < parts.length - 1; start += 1) {
        const path = parts.slice(start).join(".");
        if (isWebApiMethod(path)) {
          add(path, file);
          break;
        }
      }
    }
    for (const match of source.matchAll(/\.(filesUploadV2|chatStream)\s*\(/g)) {
      for (const method of HELPER_METHODS[match[1] ?? ""] ?? []) add(method, file);
    }
    // `super.apiCall(method, …)` in a WebClient subclass's apiCall forwards what was called; it calls nothing.
    for (const match of source.matchAll(/(?<!\bsuper)\.(apiCall|paginate)\s*\(\s*(?:(["'`])([\w.]+)\2)?/g)) {
      // A method name the scan cannot read is a method nobody decided a scope for.
      add(match[3] ?? `${match[1]}(<not a literal>)`, file);
    }
  }
  return found;
}

describe("scopes: asked for exactly what the Web API calls need", () => {
  const calls = webApiCallsInSource();
  const called = new Set(calls.keys());

  it("finds the calls the Slack module makes", () => {
    // A scan that finds nothing would pass the checks below without checking anything.
    expect([...called].sort()).toEqual(
      expect.arrayContaining(["chat.postMessage", "users.info", "views.open", "files.getUploadURLExternal"]),
    );
  });

  it("every method the code calls has its scope decided in METHOD_SCOPES", () => {
    const undecided = [...called].filter((method) => !Object.hasOwn(METHOD_SCOPES, method));
    expect(
      undecided.map((method) => `${method} (${[...(calls.get(method) ?? [])].join(", ")})`),
      "add each to METHOD_SCOPES with the bot scope Slack's method page lists",
    ).toEqual([]);
  });

  it("every scope a call needs is declared in manifest.yml", () => {
    const missing = [...called]
      .map((method) => ({ method, scope: METHOD_SCOPES[method] }))
      .filter(({ scope }) => scope && !botScopes.includes(scope))
      .map(({ method, scope }) => `${scope} (for ${method})`);
    expect(missing).toEqual([]);
  });

  it("every scope declared is needed by a call, or by a feature with its reason", () => {
    const needed = new Set([...called].map((method) => METHOD_SCOPES[method]).filter(Boolean));
    const unused = botScopes.filter(
      (scope) => !needed.has(scope) && !SCOPES_NO_METHOD_NAMES[scope]?.needed(called),
    );
    expect(unused, "remove these from manifest.yml, or say in SCOPES_NO_METHOD_NAMES why they stay").toEqual(
      [],
    );
    for (const [scope, { why }] of Object.entries(SCOPES_NO_METHOD_NAMES)) {
      expect(botScopes, `${scope}: ${why}`).toContain(scope);
    }
    expect(manifest.oauth_config.scopes.user ?? []).toEqual([]);
  });

  it("the methods the running app called were all found in src/ (nothing calls Slack unseen)", () => {
    // Includes what Bolt or the WebClient call on their own with the bot token in this file's tests.
    const atRuntime = [...calledAtRuntime].filter(isWebApiMethod);
    expect(atRuntime).toEqual(expect.arrayContaining(["auth.test", "users.info", "views.publish"]));
    expect(atRuntime.filter((method) => !called.has(method))).toEqual([]);
  });
});
