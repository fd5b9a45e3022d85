import type { Logger } from "@slack/logger";
import { WebClient } from "@slack/web-api";

/**
 * Every WebClient certdesk has, each for one kind of call. Nothing else in certdesk creates one.
 * - `interactive`: answers a person is waiting for (modals, replies); gives up after two retries
 *   instead of the library's default half hour.
 * - `quiet`: the same, but writes no debug lines: request bodies that carry a private key or a PFX
 *   password go through it, so even LOG_LEVEL=debug never records them.
 * - `lookup`: who a person is, asked before an ack: a short timeout and no retries, so a slow Slack
 *   cannot hold a request past its 3 seconds.
 * - `background`: posts nobody is waiting on (alerts, announcements); it rejects rate-limited calls
 *   so the paced poster waits them out on its own clock instead of pausing the queue interactive
 *   calls share.
 */
export interface SlackClients {
  interactive: WebClient;
  quiet: WebClient;
  lookup: WebClient;
  background: WebClient;
}

export function createSlackClients(options: {
  botToken: string;
  apiUrl?: string;
  logger: Logger;
}): SlackClients {
  const base = {
    slackApiUrl: options.apiUrl,
    logger: options.logger,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 3_000 },
    timeout: 10_000,
  };
  return {
    interactive: new WebClient(options.botToken, base),
    quiet: new WebClient(options.botToken, { ...base, logger: withoutDebug(options.logger) }),
    lookup: new WebClient(options.botToken, { ...base, timeout: 2_000, retryConfig: { retries: 0 } }),
    background: new WebClient(options.botToken, {
      ...base,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 3, factor: 2, minTimeout: 1_000, maxTimeout: 10_000 },
      timeout: 15_000,
    }),
  };
}

/** The options Bolt's own per-request client is built with (certdesk does not use that client). */
export function boltClientOptions(options: { apiUrl?: string; logger: Logger }) {
  return {
    slackApiUrl: options.apiUrl,
    logger: options.logger,
    retryConfig: { retries: 2 },
    timeout: 10_000,
  };
}

function withoutDebug(logger: Logger): Logger {
  return {
    debug: () => undefined,
    info: (...message) => logger.info(...message),
    warn: (...message) => logger.warn(...message),
    error: (...message) => logger.error(...message),
    setLevel: () => undefined,
    getLevel: () => logger.getLevel(),
    setName: () => undefined,
  };
}
