import { validate as validateCron } from "node-cron";
import { z } from "zod";
import { PROVIDER_IDS, type ProviderId } from "./providers/types.js";

/**
 * Every environment variable of the interface contract (../shared/design.md), validated once.
 * Each problem becomes one line saying the variable, what is wrong and how to fix it; values are
 * never echoed, so a mistyped secret cannot leak into a terminal or log.
 */

const secret = (fix: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `is missing: ${fix}` : "must be text") })
    .trim()
    .min(1, { error: `is empty: ${fix}` });

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));

const flag = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === "") return false;
      if (["true", "1", "yes"].includes(value)) return true;
      if (["false", "0", "no"].includes(value)) return false;
      ctx.addIssue({ code: "custom", message: `must be true or false (${name})` });
      return z.NEVER;
    });

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

const url = (name: string) =>
  optionalText.pipe(
    z
      .string()
      .refine((value) => URL.canParse(value) && /^https?:/.test(value), {
        error: `must be an http(s) URL (${name})`,
      })
      .optional(),
  );

/** Loopback hosts: a local stub or proxy may speak plain HTTP; nothing else may carry credentials so. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * A provider's API URL: every request carries the reseller credentials and a CSR, so it must be
 * https, except on loopback (a local stub, or a TLS-terminating proxy on the same host).
 */
const providerUrl = (name: string) =>
  url(name).refine(
    (value) => value === undefined || value.startsWith("https:") || isLoopback(new URL(value).hostname),
    {
      error: `must be an https:// URL (plain http is allowed only on localhost / 127.0.0.1): ${name}`,
    },
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

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const envSchema = z.object({
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
  SLACK_API_URL: url("e.g. https://slack.com/api/"),
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
          error: "has an entry that is not a key: each must be a former CERTDESK_KEY (44 base64 characters)",
        }),
      ),
    ),
  SSL_PROVIDERS: z
    .string()
    .optional()
    .transform((value) =>
      (value?.trim() ? value : "sandbox")
        .split(",")
        .map((id) => id.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z.enum(PROVIDER_IDS, {
            error: (issue) =>
              `has "${String(issue.input)}", which is not a provider: use ${PROVIDER_IDS.join(", ")}`,
          }),
        )
        .min(1, { error: "names no provider: use sandbox, sectigo or gogetssl" }),
    )
    .transform((ids) => [...new Set(ids)] as ProviderId[]),
  SANDBOX_APPROVAL_SECONDS: z.coerce
    .number({ error: "must be a number of seconds" })
    .int({ error: "must be a whole number of seconds" })
    .min(0, { error: "must be 0 or more seconds" })
    .default(60),
  SECTIGO_LOGIN_NAME: optionalText,
  SECTIGO_LOGIN_PASSWORD: optionalText,
  SECTIGO_API_URL: providerUrl("the reseller API base, e.g. https://secure.trust-provider.com"),
  SECTIGO_TEST: flag("SECTIGO_TEST"),
  GOGETSSL_USER: optionalText,
  GOGETSSL_PASSWORD: optionalText,
  GOGETSSL_API_URL: providerUrl("e.g. https://sandbox.gogetssl.com/api for their sandbox"),
  SSL_CHANNEL: optionalText.pipe(
    z
      .string()
      .regex(/^[CG][A-Z0-9]{2,}$/, {
        error: "must be a channel ID like C0123ABCD (channel details → bottom of the About tab), not a name",
      })
      .optional(),
  ),
  SSL_ORDERERS: idList,
  SSL_APPROVERS: idList,
  SSL_REQUIRE_APPROVAL: flag("SSL_REQUIRE_APPROVAL"),
  POLL_CRON: cronExpression("*/15 * * * *"),
  EXPIRY_CRON: cronExpression("0 9 * * *"),
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
  const enabled = (env.SSL_PROVIDERS ?? "").split(",").map((id) => id.trim().toLowerCase());
  const needs: [ProviderId, string[]][] = [
    ["sectigo", ["SECTIGO_LOGIN_NAME", "SECTIGO_LOGIN_PASSWORD"]],
    ["gogetssl", ["GOGETSSL_USER", "GOGETSSL_PASSWORD"]],
  ];
  for (const [provider, variables] of needs) {
    if (!enabled.includes(provider)) continue;
    for (const variable of variables.filter((name) => !set(name))) {
      problems.push(
        `${variable} is missing: SSL_PROVIDERS enables ${provider}, which needs its reseller account credentials`,
      );
    }
  }
  return problems;
}

type Env = z.output<typeof envSchema>;

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
  providers: {
    enabled: ProviderId[];
    sandbox: { approvalSeconds: number };
    sectigo?: { loginName: string; loginPassword: string; apiUrl?: string; test: boolean };
    gogetssl?: { user: string; password: string; apiUrl?: string };
  };
  channel?: string;
  orderers: string[];
  approvers: string[];
  requireApproval: boolean;
  schedule: {
    pollCron: string;
    expiryCron: string;
    expiryDays: number[];
    expiryDigest: boolean;
    timeZone: string;
  };
  logLevel: "debug" | "info" | "warn" | "error";
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `certdesk cannot start: the configuration has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}.\n${problems.map((p) => `  - ${p}`).join("\n")}\nSet these in .env (see .env.example) or the environment, then start again.`,
    );
    this.name = "ConfigError";
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  const problems = [
    ...(parsed.error?.issues ?? []).map(
      (issue) => `${String(issue.path[0] ?? "configuration")} ${issue.message}`,
    ),
    ...crossVariableProblems(env),
  ];
  if (problems.length > 0 || !parsed.success) throw new ConfigError([...new Set(problems)]);
  return toConfig(parsed.data);
}

function toConfig(env: Env): Config {
  const enabled = env.SSL_PROVIDERS;
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
    providers: {
      enabled,
      sandbox: { approvalSeconds: env.SANDBOX_APPROVAL_SECONDS },
      sectigo:
        enabled.includes("sectigo") && env.SECTIGO_LOGIN_NAME && env.SECTIGO_LOGIN_PASSWORD
          ? {
              loginName: env.SECTIGO_LOGIN_NAME,
              loginPassword: env.SECTIGO_LOGIN_PASSWORD,
              apiUrl: env.SECTIGO_API_URL,
              test: env.SECTIGO_TEST,
            }
          : undefined,
      gogetssl:
        enabled.includes("gogetssl") && env.GOGETSSL_USER && env.GOGETSSL_PASSWORD
          ? { user: env.GOGETSSL_USER, password: env.GOGETSSL_PASSWORD, apiUrl: env.GOGETSSL_API_URL }
          : undefined,
    },
    channel: env.SSL_CHANNEL,
    orderers: env.SSL_ORDERERS,
    approvers: env.SSL_APPROVERS,
    requireApproval: env.SSL_REQUIRE_APPROVAL,
    schedule: {
      pollCron: env.POLL_CRON,
      expiryCron: env.EXPIRY_CRON,
      expiryDays: env.EXPIRY_DAYS,
      expiryDigest: env.EXPIRY_DIGEST,
      timeZone: env.TZ,
    },
    logLevel: env.LOG_LEVEL,
  };
}
