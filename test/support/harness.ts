import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { type AppDeps, type CertdeskApp, createApp } from "../../src/app.js";
import { createVault, type Vault } from "../../src/certs/vault.js";
import type { Clock } from "../../src/clock.js";
import { type Config, loadConfig } from "../../src/config.js";
import { createLogger, LogLevel } from "../../src/log.js";
import { buildProviders } from "../../src/providers/build.js";
import type { ProviderRegistry } from "../../src/providers/registry.js";
import { NO_DNS } from "./app-process.js";
import { createTestDatabase, type TestDatabase } from "./database.js";
import { type SlackApiFake, startSlackApiFake } from "./slack-api-fake.js";
import { SlackDriver } from "./slack-driver.js";
import { SocketModeDriver } from "./socket-driver.js";

export const SIGNING_SECRET = "test-signing-secret-0123456789abcdef";
export const SOCKET_APP_TOKEN = "xapp-1-A0TEST-socket-0123456789abcdef";

const LOG_LEVELS: Record<Config["logLevel"], LogLevel> = {
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
};

export class TestClock implements Clock {
  constructor(private current = new Date("2026-11-27T10:00:00Z")) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(date: Date): void {
    this.current = new Date(date);
  }
}

/** Channel pacing without waiting: each sleep only moves a counter. */
export class ImmediateSleeper {
  private elapsed = 0;
  now(): number {
    return this.elapsed;
  }
  async sleep(ms: number): Promise<void> {
    this.elapsed += ms;
  }
}

export interface TestApp {
  app: CertdeskApp;
  config: Config;
  url: string;
  slack: SlackApiFake;
  /** Sends requests as Slack does: signed HTTP, or Socket Mode envelopes with `mode: "socket"`. */
  driver: Pick<SlackDriver, "slashCommand" | "interactive">;
  /** The signed-HTTP driver (HTTP mode only), for tests of the HTTP layer itself. */
  http: SlackDriver;
  /** Slack's side of the socket (`mode: "socket"` only), for tests of the connection itself. */
  socket?: SocketModeDriver;
  database: TestDatabase;
  clock: TestClock;
  vault: Vault;
  /** The key-encryption key (CERTDESK_KEY): a secret like the private keys it protects. */
  vaultKey: Buffer;
  providers: ProviderRegistry;
  logLines: string[];
  stop(): Promise<void>;
}

/** See TestAppOptions.formGraceMs. */
const TEST_FORM_GRACE_MS = 2_000;

export interface TestAppOptions {
  env?: Record<string, string>;
  /**
   * The order form's wait for its domain's lookups (AppDeps.formGraceMs). Tests default to a long
   * one, so the local fakes' answers are always in the form that opens (production's 25 ms could be
   * missed by a busy test worker); 0 shows their loading state.
   */
  formGraceMs?: number;
  /** The served-certificate probe's time-out per look-up and handshake (AppDeps.probeTimeoutMs). */
  probeTimeoutMs?: number;
  database?: TestDatabase;
  /** Leave POLL_CRON / EXPIRY_CRON scheduled (only for tests of the scheduling itself). */
  keepCron?: boolean;
  /** Earlier key-encryption keys the vault also decrypts with (CERTDESK_OLD_KEYS). */
  oldVaultKeys?: Buffer[];
  /** `socket`: Socket Mode (SLACK_APP_TOKEN) with `driver` sending envelopes down a WebSocket. */
  mode?: "http" | "socket";
  /** The CT search client's time limit and retry backoff (CT_SEARCH_URL points at a stub). */
  ctSearch?: AppDeps["ctSearch"];
  /** Replace the providers SSL_PROVIDERS would build (e.g. adapters pointed at stub servers). */
  providers?: (services: { vault: Vault; clock: TestClock; database: TestDatabase }) => ProviderRegistry;
}

/** The real Bolt app in HTTP mode on a free port, against the Slack API fake and a test database. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const slack = await startSlackApiFake();
  const database = options.database ?? (await createTestDatabase());
  const socket =
    options.mode === "socket"
      ? await new SocketModeDriver(slack, { teamId: "T0TEST", userId: "U0ANN", channelId: "C0OPS" }).start()
      : undefined;
  const config = loadConfig({
    SLACK_BOT_TOKEN: "xoxb-test-token",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: "1",
    SANDBOX_APPROVAL_SECONDS: "0",
    // "Will it issue?" (a click, a stuck order after a poll) never asks real DNS: a closed local
    // port refuses at once; tests of the check point DNS_SERVERS at their own server.
    DNS_SERVERS: NO_DNS,
    ...(socket ? { SLACK_APP_TOKEN: SOCKET_APP_TOKEN } : {}),
    ...options.env,
  });
  config.port = 0;
  const logLines: string[] = [];
  // The level LOG_LEVEL asks for, as main.ts sets it (default info; tests of logging set debug).
  const logger = createLogger(LOG_LEVELS[config.logLevel], {
    // Readable text, as on a terminal (tests look for " ERROR " and " DEBUG "), unless LOG_FORMAT says.
    format: config.logFormat ?? "pretty",
    sink: (_level, line) => logLines.push(line),
  });
  const clock = new TestClock();
  const vaultKey = randomBytes(32);
  const vault = createVault({ keys: [vaultKey, ...(options.oldVaultKeys ?? [])] });
  const providers =
    options.providers?.({ vault, clock, database }) ??
    (await buildProviders(config.providers, { db: database.db, vault, clock }));
  const app = createApp(config, {
    database,
    clock,
    logger,
    providers,
    vault,
    pause: async () => {},
    sleeper: new ImmediateSleeper(),
    formGraceMs: options.formGraceMs ?? TEST_FORM_GRACE_MS,
    probeTimeoutMs: options.probeTimeoutMs,
    ctSearch: options.ctSearch,
  });
  const { port } = await app.start();
  await socket?.ready();
  // Tests run the jobs themselves (app.scheduler.runPoll / runExpiryScan); real cron must not fire mid-test.
  if (!options.keepCron) await app.scheduler.stop();
  const url = `http://127.0.0.1:${port}`;
  const http = new SlackDriver(url, SIGNING_SECRET, {
    teamId: "T0TEST",
    userId: "U0ANN",
    channelId: "C0OPS",
    responseUrl: () => slack.responseUrl(),
  });
  return {
    app,
    config,
    url,
    slack,
    driver: socket ?? http,
    http,
    socket,
    database,
    clock,
    vault,
    vaultKey,
    providers,
    logLines,
    async stop() {
      await app.stop();
      await socket?.stop();
      await slack.stop();
      if (!options.database) await database.close();
    },
  };
}

/**
 * The usual setup of a test file, in one place: one app for the file (started before its tests,
 * stopped after), and before each test an empty database, a fresh Slack fake and no log lines.
 * Returns the app; it may be used only inside hooks and tests (it exists from `beforeAll` on).
 * A file's own `beforeAll` / `beforeEach` run after these, so they may use the app.
 */
export function useTestApp(
  options: TestAppOptions & {
    /** false: the file's tests build on each other (and on what the start logged); nothing is reset. */
    resetEachTest?: boolean;
  } = {},
): TestApp {
  let started: TestApp | undefined;
  const app = (): TestApp => {
    if (!started) throw new Error("useTestApp: the app exists only inside hooks and tests");
    return started;
  };
  beforeAll(async () => {
    started = await startTestApp(options);
  });
  afterAll(async () => {
    await started?.stop();
  });
  beforeEach(async () => {
    if (options.resetEachTest === false) return;
    // The last test's requests may still be finishing after their acks (a form's second update).
    await app().app.settled();
    await app().database.truncateAll();
    app().slack.reset();
    app().logLines.length = 0;
  });
  return new Proxy({} as TestApp, { get: (_target, key) => Reflect.get(app(), key) });
}
