import { type Logger, LogLevel } from "@slack/logger";

/**
 * Last line of defence for "secrets never reach a log": whatever a caller passes, private keys,
 * Slack tokens and URL passwords are masked before the line is written.
 */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g, "[private key redacted]"],
  [/\bxox[abposr]-[A-Za-z0-9-]+/g, "[slack token redacted]"],
  [/\bxapp-[A-Za-z0-9-]+/g, "[slack token redacted]"],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:)[^@\s]+@/gi, "$1***@"],
];

export function redactSecrets(text: string): string {
  return SECRET_PATTERNS.reduce(
    (result, [pattern, replacement]) => result.replace(pattern, replacement),
    text,
  );
}

function render(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export type LineSink = (level: LogLevel, line: string) => void;

const consoleSink: LineSink = (level, line) => {
  const stream = level === LogLevel.ERROR || level === LogLevel.WARN ? process.stderr : process.stdout;
  stream.write(`${line}\n`);
};

const ORDER = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];

/** A Bolt-compatible logger whose every line passes through redactSecrets. */
export function createLogger(
  level: LogLevel = LogLevel.INFO,
  sink: LineSink = consoleSink,
  name = "certdesk",
): Logger {
  let current = level;
  let currentName = name;
  const write = (lineLevel: LogLevel, parts: unknown[]) => {
    if (ORDER.indexOf(lineLevel) < ORDER.indexOf(current)) return;
    const text = redactSecrets(parts.map(render).join(" "));
    sink(lineLevel, `${new Date().toISOString()} ${lineLevel.toUpperCase()} [${currentName}] ${text}`);
  };
  return {
    debug: (...parts) => write(LogLevel.DEBUG, parts),
    info: (...parts) => write(LogLevel.INFO, parts),
    warn: (...parts) => write(LogLevel.WARN, parts),
    error: (...parts) => write(LogLevel.ERROR, parts),
    setLevel: (next) => {
      current = next;
    },
    getLevel: () => current,
    setName: (next) => {
      currentName = next;
    },
  };
}

export { type Logger, LogLevel };
