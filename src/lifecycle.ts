import { type CertdeskApp, DEFAULT_DRAIN_MS } from "./app.js";
import type { DatabaseHandle } from "./db/client.js";
import type { Logger } from "./log.js";

/**
 * SIGTERM / SIGINT: take no new requests, let the work in flight (placements, uploads, posts) end
 * for up to `drainMs`, then close the database. Work cut off is left as it is: an order interrupted
 * while being placed stays `submitting`, and the next poll flags it in its thread.
 */
export async function stopGracefully(deps: {
  app: CertdeskApp;
  database: DatabaseHandle;
  logger: Logger;
  signal: string;
  drainMs?: number;
}): Promise<void> {
  const { app, database, logger } = deps;
  const drainMs = deps.drainMs ?? DEFAULT_DRAIN_MS;
  logger.info(
    `${deps.signal} received: taking no new requests and finishing the work in flight (up to ${Math.round(drainMs / 1000)} s).`,
  );
  try {
    const { unfinished } = await app.stop({ drainMs });
    if (unfinished === 0) logger.info("All work in flight finished; closing the database.");
  } finally {
    await database.close();
  }
}
