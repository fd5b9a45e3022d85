import path from "node:path";
import { createApp } from "../../src/app.js";
import { createVault } from "../../src/certs/vault.js";
import { loadVaultKeys } from "../../src/certs/vault-keys.js";
import type { Clock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { openDatabase } from "../../src/db/client.js";
import { stopGracefully } from "../../src/lifecycle.js";
import { createLogger, LogLevel } from "../../src/log.js";
import { buildProviders } from "../../src/providers/build.js";
import { type ChildMessage, parentCommand } from "./app-process.js";

/**
 * The child side of app-process.ts: starts certdesk from the environment the way src/main.ts does
 * (database, vault key, providers, createApp), on a clock the parent moves, and answers its commands.
 */

let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

const send = (message: ChildMessage) => process.send?.(message);

const config = loadConfig(process.env);
// PORT must be a valid port for loadConfig; the child takes any free one and reports it.
config.port = 0;
const level = { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR };
const logger = createLogger(level[config.logLevel], { format: config.logFormat });
const database = config.databaseUrl
  ? await openDatabase({ kind: "postgres", url: config.databaseUrl })
  : await openDatabase({ kind: "pglite", dataDir: path.resolve(config.dataDir, "pglite") });
const vault = createVault({
  keys: await loadVaultKeys({
    certdeskKey: config.certdeskKey,
    oldKeys: config.oldKeys,
    dataDir: config.dataDir,
    warn: (message) => logger.warn(message),
  }),
});
const providers = await buildProviders(config.providers, { db: database.db, vault, clock });
const app = createApp(config, { database, clock, logger, providers, vault });
const { port } = await app.start();

process.on("message", (raw) => {
  const command = parentCommand.parse(raw);
  const run = async (): Promise<ChildMessage> => {
    switch (command.type) {
      case "advanceClock":
        offsetMs += command.ms;
        return { type: "done", id: command.id };
      case "poll":
        return { type: "done", id: command.id, summary: await app.scheduler.runPoll() };
    }
  };
  run().then(send, (error: unknown) => send({ type: "failed", id: command.id, error: String(error) }));
});

// As src/main.ts stops.
process.once("SIGTERM", () => {
  void stopGracefully({ app, database, logger, signal: "SIGTERM" }).finally(() => process.exit(0));
});

// A test run that dies without stopping this child must not leave it running.
process.once("disconnect", () => process.exit(1));

send({ type: "ready", port });
