import { createRequire } from "node:module";
import { type Logger, LogLevel } from "@slack/logger";
import pino, { type DestinationStream } from "pino";

/**
 * Last line of defence for "secrets never reach a log": whatever a caller passes, private keys,
 * Slack tokens and URL passwords are masked before the line is written. Applied to the message,
 * to errors' messages and stacks, and to every string inside an object logged as fields.
 */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g, "[private key redacted]"],
  [/\bxox[abposr]-[A-Za-z0-9-]+/g, "[slack token redacted]"],
  [/\bxapp-[A-Za-z0-9-]+/g, "[slack token redacted]"],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:)[^@\s]+@/gi, "$1***@"],
  // Credentials in query strings and form bodies (GoGetSSL's auth_key, Sectigo's loginPassword).
  [/\b(auth_key|loginPassword|password|hmac_key|token)=[^&\s"']+/gi, "$1=***"],
];

export function redactSecrets(text: string): string {
  return SECRET_PATTERNS.reduce(
    (result, [pattern, replacement]) => result.replace(pattern, replacement),
    text,
  );
}

/**
 * Keys whose values are secrets whatever they hold: pino's `redact` replaces them in objects logged
 * as fields, at the top level and two levels down (`password`, `*.password`, `*.*.password`), and
 * in request headers. Secrets in free text are redactSecrets' job.
 */
const SECRET_KEYS = [
  "privateKey",
  "privateKeyPem",
  "encryptedPrivateKey",
  "password",
  "loginPassword",
  "pfxPassword",
  "passphrase",
  "token",
  "botToken",
  "appToken",
  "accessToken",
  "refreshToken",
  "signingSecret",
  "clientSecret",
  "secret",
  "apiKey",
  "hmacKey",
  "certdeskKey",
  "metricsToken",
  "accountKey",
  "oldKeys",
  "vaultKey",
  "authorization",
  "cookie",
  // The environment's own names, should a settings object be logged.
  "SLACK_BOT_TOKEN",
  "SLACK_APP_TOKEN",
  "SLACK_SIGNING_SECRET",
  "CERTDESK_KEY",
  "CERTDESK_OLD_KEYS",
  "SECTIGO_LOGIN_PASSWORD",
  "GOGETSSL_PASSWORD",
  "ACME_EAB_HMAC_KEY",
  "METRICS_TOKEN",
  "DATABASE_URL",
];

export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  ...["headers", "*.headers"].flatMap((headers) => [
    `${headers}.authorization`,
    `${headers}.Authorization`,
    `${headers}.cookie`,
    `${headers}.Cookie`,
    `${headers}["x-api-key"]`,
  ]),
];

export const REDACTED = "[redacted]";

/**
 * Lines about an order carry its reference as a field (`order: "SSL-1042"`), so a log stack can
 * show one order's story. Decision: the logger takes the first reference from the message (or,
 * failing that, from the error's message) instead of every call site passing a field or a child
 * logger: every line about an order already names it in its text ("SSL-1042 was placed…",
 * "The reissue of SSL-1042 failed:"), so no call site can forget it, and Bolt's and the Web API's
 * lines go through the same path. A caller's own `order` field wins.
 */
const ORDER_REFERENCE = /\bSSL-\d+\b/;

export type LogFormat = "json" | "pretty";

/** Receives each record as written: one JSON line, or the pretty text (lines of an error included). */
export type LineSink = (level: LogLevel, line: string) => void;

export interface LoggerOptions {
  /** `json`: one JSON object a line; `pretty`: readable text. Unset: pretty on a terminal, else json. */
  format?: LogFormat;
  /** Whether stdout is a terminal (decides the unset format and colours); process.stdout.isTTY by default. */
  isTty?: boolean;
  /** Where records go; stdout (synchronously, nothing lost at exit) by default. */
  sink?: LineSink;
  /** Colours in pretty text; by default only when writing to a terminal's stdout. */
  colors?: boolean;
  /** The `name` field; Bolt's setName changes it. */
  name?: string;
}

interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  code?: string | number;
  cause?: SerializedError | string;
}

const MAX_CAUSES = 3;

/**
 * An error as a field: its type, message, stack, code and causes, each redacted. Nothing else of
 * it: an HTTP client's error carries its request (headers, body) in its other properties.
 */
export function serializeError(error: unknown, depth = 0): SerializedError | unknown {
  if (!(error instanceof Error)) return typeof error === "string" ? redactSecrets(error) : error;
  const type = (Object.getPrototypeOf(error) as { constructor?: { name?: string } } | null)?.constructor
    ?.name;
  const serialized: SerializedError = {
    type: type && type !== "Error" ? type : error.name,
    message: redactSecrets(error.message),
  };
  if (error.stack) serialized.stack = redactSecrets(error.stack);
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") serialized.code = code;
  if (error.cause !== undefined && depth < MAX_CAUSES) {
    serialized.cause =
      error.cause instanceof Error
        ? (serializeError(error.cause, depth + 1) as SerializedError)
        : redactSecrets(render(error.cause));
  }
  return serialized;
}

function render(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

const MAX_DEPTH = 8;

/** A copy of a logged object with redactSecrets applied to every string in it (pino redacts the keys). */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (value instanceof Error) return serializeError(value);
  if (depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrub(item, depth + 1)]));
}

/** Fields pino writes itself: a logged object may not overwrite them. */
const RESERVED = new Set(["level", "time", "msg", "name"]);

/**
 * Bolt's Logger takes any values: strings make the message, the first error becomes `err`, the first
 * plain object becomes fields; anything else is written into the message as before.
 */
function toRecord(parts: unknown[]): { fields: Record<string, unknown>; msg: string } {
  const text: string[] = [];
  let error: Error | undefined;
  let object: Record<string, unknown> | undefined;
  for (const part of parts) {
    if (part instanceof Error && !error) error = part;
    else if (isPlainObject(part) && !object) object = part;
    else text.push(render(part));
  }
  const msg = redactSecrets(text.join(" "));
  const fields: Record<string, unknown> = {};
  const order = ORDER_REFERENCE.exec(msg)?.[0] ?? ORDER_REFERENCE.exec(error?.message ?? "")?.[0];
  if (order) fields.order = order;
  for (const [key, value] of Object.entries(object ?? {})) {
    if (!RESERVED.has(key)) fields[key] = scrub(value, 1);
  }
  if (error) fields.err = error;
  return { fields, msg };
}

/** Pretty text: the time, level, name and message on one line, then any fields; an error as its stack. */
function prettyPrinter(colorize: boolean): (line: string) => string {
  // Required only for pretty output (a terminal, LOG_FORMAT=pretty): a service writing JSON lines
  // never loads pino-pretty and its colour and date libraries (bench/idle-rss.ts).
  const { prettyFactory } = createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty");
  return prettyFactory({
    colorize,
    translateTime: "SYS:standard",
    // The message names the order already.
    ignore: "order",
    customPrettifiers: {
      err: (value) => {
        const error = value as Partial<SerializedError>;
        const causes: string[] = [];
        for (let cause = error.cause; cause !== undefined; ) {
          causes.push(typeof cause === "string" ? cause : (cause.stack ?? `${cause.type}: ${cause.message}`));
          cause = typeof cause === "string" ? undefined : cause.cause;
        }
        const text = [error.stack ?? `${error.type}: ${error.message}`, ...causes].join("\nCaused by: ");
        return text.replace(/\n/g, "\n    ");
      },
    },
  });
}

/** stdout, written synchronously: every line is out before process.exit. */
function stdoutSink(): LineSink {
  const stdout = pino.destination({ dest: 1, sync: true });
  return (_level, line) => {
    stdout.write(`${line}\n`);
  };
}

/**
 * A Bolt-compatible logger (@slack/logger's Logger) writing through pino: JSON lines or pretty
 * text, known secret fields redacted by pino, secrets in free text by redactSecrets, each line about
 * an order with its `order` field. Bolt, the Web API clients and certdesk's services share it.
 */
export function createLogger(level: LogLevel = LogLevel.INFO, options: LoggerOptions = {}): Logger {
  const isTty = options.isTty ?? process.stdout.isTTY === true;
  const format = options.format ?? (isTty ? "pretty" : "json");
  const sink = options.sink ?? stdoutSink();
  const pretty =
    format === "pretty" ? prettyPrinter(options.colors ?? (options.sink === undefined && isTty)) : undefined;
  let name = options.name ?? "certdesk";
  // pino writes synchronously inside the call, so the level of the record being written is known.
  let writing = level;
  const destination: DestinationStream = {
    write(chunk) {
      sink(writing, pretty ? pretty(chunk).replace(/\n$/, "") : chunk.replace(/\n$/, ""));
    },
  };
  const instance = pino(
    {
      level,
      base: null,
      mixin: () => ({ name }),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError },
      redact: { paths: [...REDACTED_PATHS], censor: REDACTED },
    },
    destination,
  );
  const write = (lineLevel: LogLevel, parts: unknown[]) => {
    if (!instance.isLevelEnabled(lineLevel)) return;
    const { fields, msg } = toRecord(parts);
    writing = lineLevel;
    instance[lineLevel](fields, msg);
  };
  return {
    debug: (...parts) => write(LogLevel.DEBUG, parts),
    info: (...parts) => write(LogLevel.INFO, parts),
    warn: (...parts) => write(LogLevel.WARN, parts),
    error: (...parts) => write(LogLevel.ERROR, parts),
    setLevel: (next) => {
      instance.level = next;
    },
    getLevel: () => instance.level as LogLevel,
    setName: (next) => {
      name = next;
    },
  };
}

export { type Logger, LogLevel };
