import { existsSync } from "node:fs";
import path from "node:path";
import { createApp, SlackStartError } from "./app.js";
import { createVault, loadOrCreateKeyFile, parseVaultKey, VaultError } from "./certs/vault.js";
import { systemClock } from "./clock.js";
import { type Config, ConfigError, loadConfig } from "./config.js";
import { type DatabaseHandle, DatabaseStartError, openDatabase, redactUrl } from "./db/client.js";
import { createLogger, type Logger, LogLevel, redactSecrets } from "./log.js";
import { buildProviders } from "./providers/build.js";

/** Errors whose message is the whole story: printed as one paragraph, no stack trace. */
const EXPECTED_ERRORS = [ConfigError, DatabaseStartError, VaultError, SlackStartError];

async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const config = loadConfig(process.env);
  const logger = createLogger(toLogLevel(config.logLevel));
  const startedAt = performance.now();

  const database = await openConfiguredDatabase(config, logger);
  const vault = createVault({ keys: await loadVaultKey(config, logger) });
  const providers = buildProviders(config.providers, { db: database.db, vault, clock: systemClock });

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
    logger.info(`${signal} received: finishing in-flight work and stopping.`);
    try {
      await app.stop();
    } finally {
      await database.close();
    }
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

async function loadVaultKey(config: Config, logger: Logger): Promise<Buffer[]> {
  if (config.certdeskKey) return [parseVaultKey(config.certdeskKey)];
  const { key, created, path: keyPath } = await loadOrCreateKeyFile(path.resolve(config.dataDir));
  if (created) {
    logger.warn(
      `CERTDESK_KEY is not set: generated a key-encryption key in ${keyPath} (mode 0600). ` +
        "Back it up with the database: without it the stored private keys cannot be decrypted.",
    );
  }
  return [key];
}

function toLogLevel(level: Config["logLevel"]): LogLevel {
  return { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR }[level];
}

main().catch((error: unknown) => {
  if (EXPECTED_ERRORS.some((kind) => error instanceof kind)) {
    process.stderr.write(`${(error as Error).message}\n`);
  } else {
    process.stderr.write(
      `certdesk stopped on an unexpected error: ${redactSecrets(String((error as Error)?.stack ?? error))}\n`,
    );
  }
  process.exit(1);
});
