import { existsSync } from "node:fs";
import path from "node:path";
import { createVault, VaultError } from "./certs/vault.js";
import { loadVaultKeys } from "./certs/vault-keys.js";
import { systemClock } from "./clock.js";
import { type Config, ConfigError, loadConfig } from "./config.js";
import { type DatabaseHandle, DatabaseStartError, openDatabase, redactUrl } from "./db/client.js";
import { createLogger, type Logger, LogLevel, redactSecrets } from "./log.js";

/**
 * Only what opening the database needs is imported up front: the embedded database opens in its
 * worker thread (db/pglite-remote.ts) while this thread loads the rest of certdesk (Bolt, the
 * providers, every feature: about a second of module loading), instead of one after the other.
 */
const loadingApp = () =>
  Promise.all([import("./app.js"), import("./lifecycle.js"), import("./providers/build.js")]);

/** Errors whose message is the whole story: printed as one paragraph, no stack trace. */
async function isExpected(error: unknown): Promise<boolean> {
  const { SlackStartError } = await import("./slack/identity.js");
  return [ConfigError, DatabaseStartError, VaultError, SlackStartError].some((kind) => error instanceof kind);
}

async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const config = loadConfig(process.env);
  const logger = createLogger(toLogLevel(config.logLevel), { format: config.logFormat });
  const startedAt = performance.now();

  const opening = openConfiguredDatabase(config, logger);
  // Its failure is awaited (and reported) below, after the modules.
  opening.catch(() => {});
  const [{ createApp }, { stopGracefully }, { buildProviders }] = await loadingApp().catch(
    async (error: unknown) => {
      await opening.then((database) => database.close()).catch(() => {});
      throw error;
    },
  );
  const database = await opening;
  const vault = createVault({
    keys: await loadVaultKeys({
      certdeskKey: config.certdeskKey,
      oldKeys: config.oldKeys,
      dataDir: config.dataDir,
      warn: (message) => logger.warn(message),
    }),
  });
  const providers = await buildProviders(config.providers, { db: database.db, vault, clock: systemClock });

  process.on("unhandledRejection", (reason) => {
    logger.error("Unhandled promise rejection (certdesk keeps running):", reason);
  });
  const app = createApp(config, { database, clock: systemClock, logger, providers, vault });
  let port: number;
  try {
    ({ port } = await app.start());
  } catch (error) {
    await database.close();
    throw error;
  }
  logger.info(
    `certdesk is running: ${config.slack.socketMode ? "Socket Mode" : `HTTP, events at POST :${port}/slack/events`}, ` +
      `health at GET :${port}/healthz, providers ${config.providers.enabled.join(", ")}, ` +
      `ready in ${Math.round(performance.now() - startedAt)} ms.`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    await stopGracefully({ app, database, logger, signal }).catch((error: unknown) =>
      logger.error("Stopping did not go cleanly:", error),
    );
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

async function openConfiguredDatabase(config: Config, logger: Logger): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    logger.info(`Database: PostgreSQL at ${redactUrl(config.databaseUrl)}.`);
    return openDatabase({ kind: "postgres", url: config.databaseUrl });
  }
  const dataDir = path.resolve(config.dataDir, "pglite");
  logger.info(`Database: embedded PGlite in ${dataDir}.`);
  return openDatabase({ kind: "pglite", dataDir });
}

function toLogLevel(level: Config["logLevel"]): LogLevel {
  return { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR }[level];
}

main().catch(async (error: unknown) => {
  if (await isExpected(error).catch(() => false)) {
    process.stderr.write(`${(error as Error).message}\n`);
  } else {
    process.stderr.write(
      `certdesk stopped on an unexpected error: ${redactSecrets(String((error as Error)?.stack ?? error))}\n`,
    );
  }
  process.exit(1);
});
