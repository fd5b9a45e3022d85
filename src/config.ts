import { readFileSync } from "node:fs";
import { validate as validateCron } from "node-cron";
import { z } from "zod";
import { parseDnsServers } from "./checks/dns-servers.js";
import { flag, httpUrl, optionalText } from "./providers/env.js";
import { checkPluginEnv, type ProviderPlugin } from "./providers/plugin.js";
import { PROVIDER_PLUGINS, type ProviderSettings } from "./providers/plugins.js";

/**
 * Every environment variable of the interface contract (../shared/design.md), validated once.
 * Each problem becomes one line saying the variable, what is wrong and how to fix it; values are
 * never echoed, so a mistyped secret cannot leak into a terminal or log. Each provider's own
 * variables are declared and validated by its plug-in (src/providers/<id>/index.ts); this file
 * names no provider.
 */

const secret = (fix: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `is missing: ${fix}` : "must be text") })
    .trim()
    .min(1, { error: `is empty: ${fix}` });

const idList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? "")
      .split(",")
      .map((id) => id.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.string().regex(/^[UWS][A-Z0-9]{2,}$/, {
        error: (issue) =>
          `has "${String(issue.input)}", which is not a Slack user ID (U…/W…) or user-group ID (S…)`,
      }),
    ),
  );

/** CERTDESK_OLD_KEYS: earlier CERTDESK_KEYs, used only to decrypt what they encrypted. */
const VAULT_KEY = /^[A-Za-z0-9+/]{43}=$/;
const isVaultKey = (value: string) => VAULT_KEY.test(value) && Buffer.from(value, "base64").length === 32;

function cronExpression(fallback: string) {
  return optionalText.transform((value, ctx) => {
    const expression = value ?? fallback;
    if (!validateCron(expression)) {
      ctx.addIssue({
        code: "custom",
        message: `"${expression}" is not a cron expression: use five fields, e.g. "*/15 * * * *"`,
      });
      return z.NEVER;
    }
    return expression;
  });
}

/** A whole number within [min, max] written in digits, `fallback` when unset; else `problem`. */
function wholeNumber(options: { fallback: number; min: number; max: number; problem: string }) {
  return z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === "") return options.fallback;
      const number = Number(value);
      if (!/^\d{1,6}$/.test(value) || number < options.min || number > options.max) {
        ctx.addIssue({ code: "custom", message: options.problem });
        return z.NEVER;
      }
      return number;
    });
}

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** SSL_PROVIDERS as listed (lower-case, in order, without repeats); unset means the first plug-in. */
function listedProviders(value: string | undefined, ids: readonly string[]): string[] {
  const listed = (value?.trim() ? value : (ids[0] ?? ""))
    .split(",")
    .map((id) => id.trim().toLowerCase())
    .filter(Boolean);
  return [...new Set(listed)];
}

const orList = (words: readonly string[]) =>
  words.length > 1 ? `${words.slice(0, -1).join(", ")} or ${words.at(-1)}` : (words[0] ?? "");

function providerList(ids: readonly string[]) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      const listed = listedProviders(value, ids);
      for (const id of listed.filter((candidate) => !ids.includes(candidate))) {
        ctx.addIssue({
          code: "custom",
          message: `has "${id}", which is not a provider: use ${ids.join(", ")}`,
        });
      }
      if (listed.length === 0)
        ctx.addIssue({ code: "custom", message: `names no provider: use ${orList(ids)}` });
      return listed;
    });
}

const envSchema = (providerIds: readonly string[]) =>
  z.object({
    SLACK_BOT_TOKEN: secret(
      "install the app from manifest.yml and copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions",
    ).refine((token) => token.startsWith("xoxb-"), {
      error: "is not a bot token: it must start with xoxb- (OAuth & Permissions → Bot User OAuth Token)",
    }),
    SLACK_APP_TOKEN: optionalText.pipe(
      z
        .string()
        .startsWith("xapp-", {
          error:
            "is not an app-level token: it must start with xapp- (Basic Information → App-Level Tokens, scope connections:write)",
        })
        .optional(),
    ),
    SLACK_SIGNING_SECRET: optionalText,
    PORT: z.coerce
      .number({ error: "must be a port number" })
      .int({ error: "must be a whole port number" })
      .min(1, { error: "must be between 1 and 65535" })
      .max(65535, { error: "must be between 1 and 65535" })
      .default(3000),
    SLACK_API_URL: httpUrl("e.g. https://slack.com/api/"),
    DATABASE_URL: optionalText.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, {
          error: "must be a postgres:// URL, or unset to use the embedded database",
        })
        .optional(),
    ),
    DATA_DIR: optionalText.transform((value) => value ?? "./data"),
    CERTDESK_KEY: optionalText.pipe(
      z
        .string()
        .refine(isVaultKey, {
          error:
            'must be 32 random bytes in base64 (44 characters): generate one with "openssl rand -base64 32"',
        })
        .optional(),
    ),
    CERTDESK_OLD_KEYS: z
      .string()
      .optional()
      .transform((value) =>
        (value ?? "")
          .split(",")
          .map((key) => key.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z.string().refine(isVaultKey, {
            error:
              "has an entry that is not a key: each must be a former CERTDESK_KEY (44 base64 characters)",
          }),
        ),
      ),
    // Bearer token for GET /metrics; unset leaves /metrics open (keep PORT off the internet then).
    METRICS_TOKEN: optionalText.pipe(
      z
        .string()
        .min(16, {
          error: 'is too short: use at least 16 random characters, e.g. "openssl rand -hex 32"',
        })
        .regex(/^[\x21-\x7e]+$/, {
          error: "must be printable characters without spaces (it is sent as Authorization: Bearer …)",
        })
        .optional(),
    ),
    SSL_PROVIDERS: providerList(providerIds),
    SSL_CHANNEL: optionalText.pipe(
      z
        .string()
        .regex(/^[CG][A-Z0-9]{2,}$/, {
          error:
            "must be a channel ID like C0123ABCD (channel details → bottom of the About tab), not a name",
        })
        .optional(),
    ),
    SSL_ORDERERS: idList,
    SSL_APPROVERS: idList,
    // true/false as before, or "all": reissues and free certificates need an approver too.
    SSL_REQUIRE_APPROVAL: z
      .string()
      .trim()
      .toLowerCase()
      .optional()
      .transform((value, ctx) => {
        if (value === "all") return { paid: true, free: true };
        const paid = flag("SSL_REQUIRE_APPROVAL").safeParse(value);
        if (paid.success) return { paid: paid.data, free: false };
        ctx.addIssue({ code: "custom", message: "must be true, false or all (SSL_REQUIRE_APPROVAL)" });
        return z.NEVER;
      }),
    STUCK_AFTER_HOURS: wholeNumber({
      fallback: 24,
      min: 1,
      max: 9_999,
      problem: "must be a whole number of hours above 0 (STUCK_AFTER_HOURS)",
    }),
    DNS_SERVERS: optionalText.transform((value, ctx) => {
      if (!value) return [];
      try {
        return parseDnsServers(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: `${(error as Error).message} (DNS_SERVERS)` });
        return z.NEVER;
      }
    }),
    VALIDATION_CHECK_HTTP_PORT: wholeNumber({
      fallback: 80,
      min: 1,
      max: 65_535,
      problem: "must be a port number, 1 to 65535 (VALIDATION_CHECK_HTTP_PORT)",
    }),
    AUTO_REISSUE_DAYS: wholeNumber({
      fallback: 0,
      min: 0,
      max: 999,
      problem: "must be a whole number of days, 0 for off (AUTO_REISSUE_DAYS)",
    }),
    POLL_CRON: cronExpression("*/15 * * * *"),
    EXPIRY_CRON: cronExpression("0 9 * * *"),
    // The weekly forecast chart in SSL_CHANNEL: Mondays at 09:00 (in TZ).
    FORECAST_CRON: cronExpression("0 9 * * 1"),
    // What is served: each issued certificate's names looked at over TLS, daily at 06:00 (in TZ).
    PROBE_CRON: cronExpression("0 6 * * *"),
    // The Certificate Transparency watch (needs SSL_CHANNEL): daily at 07:00 (in TZ), asking CT_SEARCH_URL.
    CT_CRON: cronExpression("0 7 * * *"),
    CT_SEARCH_URL: httpUrl("e.g. https://crt.sh").transform((value) => value ?? "https://crt.sh"),
    EXPIRY_DAYS: z
      .string()
      .optional()
      .transform((value, ctx) => {
        const parts = (value?.trim() ? value : "30,14,7,1").split(",").map((part) => part.trim());
        if (!parts.every((part) => /^[1-9]\d{0,3}$/.test(part))) {
          ctx.addIssue({
            code: "custom",
            message: 'must be a comma list of whole numbers of days above 0, e.g. "30,14,7,1"',
          });
          return z.NEVER;
        }
        return [...new Set(parts.map(Number))].sort((a, b) => b - a);
      }),
    EXPIRY_DIGEST: flag("EXPIRY_DIGEST"),
    TZ: optionalText.transform((value, ctx) => {
      const zone = value ?? "UTC";
      if (!isKnownTimeZone(zone)) {
        ctx.addIssue({
          code: "custom",
          message: `"${zone}" is not a time zone: use an IANA name like Europe/Berlin`,
        });
        return z.NEVER;
      }
      return zone;
    }),
    LOG_LEVEL: z
      .enum(["debug", "info", "warn", "error"], { error: "must be debug, info, warn or error" })
      .default("info"),
    LOG_FORMAT: optionalText.pipe(
      z
        .enum(["json", "pretty"], {
          error:
            "must be json (one JSON object a line) or pretty (readable text); unset: pretty on a terminal, else json",
        })
        .optional(),
    ),
  });

/**
 * Rules between variables, checked on the raw values so they are reported together with the
 * per-variable problems rather than only once those are fixed.
 */
function crossVariableProblems(env: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => Boolean(env[name]?.trim());
  const problems: string[] = [];
  if (!set("SLACK_APP_TOKEN") && !set("SLACK_SIGNING_SECRET")) {
    problems.push(
      "SLACK_SIGNING_SECRET is missing: HTTP mode needs it (Basic Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode",
    );
  }
  if (set("DATABASE_URL") && !set("CERTDESK_KEY")) {
    problems.push(
      'CERTDESK_KEY is missing: with DATABASE_URL every replica must share one key-encryption key; generate one with "openssl rand -base64 32"',
    );
  }
  return problems;
}

type Env = z.output<ReturnType<typeof envSchema>>;

export interface Config {
  slack: {
    botToken: string;
    appToken?: string;
    signingSecret?: string;
    apiUrl?: string;
    socketMode: boolean;
  };
  port: number;
  databaseUrl?: string;
  dataDir: string;
  certdeskKey?: string;
  /** Earlier key-encryption keys (base64), for decryption only. */
  oldKeys: string[];
  /** METRICS_TOKEN: GET /metrics needs `Authorization: Bearer <it>`; unset, /metrics is open. */
  metricsToken?: string;
  providers: {
    /** SSL_PROVIDERS: plug-in ids, in order, without repeats. */
    enabled: string[];
    /** Each enabled provider's validated variables, by id: what its plug-in's `create` takes. */
    settings: Partial<ProviderSettings> & Record<string, unknown>;
  };
  channel?: string;
  orderers: string[];
  approvers: string[];
  /** A second person approves paid orders and renewals (SSL_REQUIRE_APPROVAL=true or all). */
  requireApproval: boolean;
  /** …and reissues and free certificates too (SSL_REQUIRE_APPROVAL=all). */
  requireApprovalForFree: boolean;
  /** Reissue automatically this many days before expiry while the subscription covers it; 0 = off. */
  autoReissueDays: number;
  /** An order waiting for validation at the provider longer than this is stuck (`/ssl validations`). */
  stuckAfterHours: number;
  /** CT_SEARCH_URL: the Certificate Transparency search service (crt.sh's JSON interface). */
  ctSearchUrl: string;
  /** The "Will it issue?" checks: resolvers (DNS_SERVERS; empty = the system's) and the HTTP port. */
  checks: { dnsServers: string[]; httpPort: number };
  schedule: {
    pollCron: string;
    expiryCron: string;
    /** FORECAST_CRON: when the forecast chart is posted in SSL_CHANNEL. */
    forecastCron: string;
    /** PROBE_CRON: when the served-certificate probe looks at what each issued certificate's names serve. */
    probeCron: string;
    /** CT_CRON: when the Certificate Transparency watch asks CT_SEARCH_URL (only with SSL_CHANNEL). */
    ctCron: string;
    expiryDays: number[];
    expiryDigest: boolean;
    timeZone: string;
  };
  logLevel: "debug" | "info" | "warn" | "error";
  /** LOG_FORMAT; unset: pretty when stdout is a terminal, else json (the logger decides). */
  logFormat?: "json" | "pretty";
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `certdesk cannot start: the configuration has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}.\n${problems.map((p) => `  - ${p}`).join("\n")}\nSet these in .env (see .env.example) or the environment, then start again.`,
    );
    this.name = "ConfigError";
  }
}

/**
 * The configuration, or a ConfigError listing every problem at once: the core variables', the
 * rules between them, and the variables of each provider plug-in (required ones only for the
 * providers SSL_PROVIDERS enables). `plugins` is the provider list; tests plug in their own.
 */
export function loadConfig(
  given: NodeJS.ProcessEnv = process.env,
  plugins: readonly ProviderPlugin[] = PROVIDER_PLUGINS,
): Config {
  const ids = plugins.map((plugin) => plugin.id);
  if (new Set(ids).size !== ids.length)
    throw new Error(`Two provider plug-ins share an id: ${ids.join(", ")}`);
  const schema = envSchema(ids);
  const known = [...Object.keys(schema.shape), ...plugins.flatMap((plugin) => Object.keys(plugin.env.shape))];
  const files = readVariableFiles(given, known);
  const env = files.env;
  const parsed = schema.safeParse(env);
  const enabled = listedProviders(env.SSL_PROVIDERS, ids).filter((id) => ids.includes(id));
  const providers = plugins.map((plugin) => {
    const isEnabled = enabled.includes(plugin.id);
    return { id: plugin.id, enabled: isEnabled, ...checkPluginEnv(plugin, env, { enabled: isEnabled }) };
  });
  const problems = [
    ...files.problems,
    ...(parsed.error?.issues ?? []).map(
      (issue) => `${String(issue.path[0] ?? "configuration")} ${issue.message}`,
    ),
    ...crossVariableProblems(env),
    ...providers.flatMap((provider) => provider.problems),
  ];
  if (problems.length > 0 || !parsed.success) throw new ConfigError([...new Set(problems)]);
  const settings: Config["providers"]["settings"] = {};
  for (const provider of providers) if (provider.enabled) settings[provider.id] = provider.settings;
  return toConfig(parsed.data, settings);
}

/**
 * `NAME_FILE` for every variable certdesk reads (Docker and compose secrets, systemd credentials):
 * the file's content, without its final line break, is the value of NAME. Setting both is a mistake
 * (which would win?), and an unreadable file is named; neither message shows a value.
 */
export function readVariableFiles(
  env: NodeJS.ProcessEnv,
  known: readonly string[],
): { env: NodeJS.ProcessEnv; problems: string[] } {
  const expanded: NodeJS.ProcessEnv = { ...env };
  const problems: string[] = [];
  for (const name of known) {
    const file = env[`${name}_FILE`]?.trim();
    if (!file) continue;
    if (env[name]?.trim()) {
      problems.push(`${name} and ${name}_FILE are both set: keep one`);
      continue;
    }
    try {
      expanded[name] = readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
      problems.push(
        `${name}_FILE names a file that cannot be read (${reason}): check the path and its permissions`,
      );
    }
  }
  return { env: expanded, problems };
}

function toConfig(env: Env, settings: Config["providers"]["settings"]): Config {
  return {
    slack: {
      botToken: env.SLACK_BOT_TOKEN,
      appToken: env.SLACK_APP_TOKEN,
      signingSecret: env.SLACK_SIGNING_SECRET,
      apiUrl: env.SLACK_API_URL,
      socketMode: Boolean(env.SLACK_APP_TOKEN),
    },
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    certdeskKey: env.CERTDESK_KEY,
    oldKeys: env.CERTDESK_OLD_KEYS,
    metricsToken: env.METRICS_TOKEN,
    providers: { enabled: env.SSL_PROVIDERS, settings },
    channel: env.SSL_CHANNEL,
    orderers: env.SSL_ORDERERS,
    approvers: env.SSL_APPROVERS,
    requireApproval: env.SSL_REQUIRE_APPROVAL.paid,
    requireApprovalForFree: env.SSL_REQUIRE_APPROVAL.free,
    autoReissueDays: env.AUTO_REISSUE_DAYS,
    stuckAfterHours: env.STUCK_AFTER_HOURS,
    checks: { dnsServers: env.DNS_SERVERS, httpPort: env.VALIDATION_CHECK_HTTP_PORT },
    ctSearchUrl: env.CT_SEARCH_URL,
    schedule: {
      pollCron: env.POLL_CRON,
      expiryCron: env.EXPIRY_CRON,
      forecastCron: env.FORECAST_CRON,
      probeCron: env.PROBE_CRON,
      ctCron: env.CT_CRON,
      expiryDays: env.EXPIRY_DAYS,
      expiryDigest: env.EXPIRY_DIGEST,
      timeZone: env.TZ,
    },
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
  };
}
