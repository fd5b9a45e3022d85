import type { Logger } from "@slack/logger";
import {
  type WebAPICallResult,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  WebClientEvent,
  type WebClientOptions,
} from "@slack/web-api";

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

export type SlackClientName = keyof SlackClients;

/**
 * What certdesk counts of its Slack calls (metrics), by client. Nothing here ever sees a token or a
 * message: only method names and Slack's error codes.
 */
export interface SlackCallRecorder {
  /** A Web API call failed, for another reason than a rate limit: Slack's error code, or how the call failed. */
  apiError(client: SlackClientName, method: string, code: string): void;
  /** Slack answered 429 (rate limited). */
  rateLimited(client: SlackClientName, method: string): void;
  /** Seconds spent waiting out a rate limit: the client's own pause, or the paced poster's (background). */
  rateLimitWait(client: SlackClientName, seconds: number): void;
}

export function createSlackClients(options: {
  botToken: string;
  apiUrl?: string;
  logger: Logger;
  recorder?: SlackCallRecorder;
}): SlackClients {
  const { recorder } = options;
  const client = (name: SlackClientName, clientOptions: WebClientOptions): WebClient => {
    if (!recorder) return new WebClient(options.botToken, clientOptions);
    const made = new RecordedWebClient(options.botToken, clientOptions, (method, error) => {
      // 429s are counted from the client's event below, with the wait they cost.
      if (!(error instanceof WebAPIRateLimitedError)) recorder.apiError(name, method, slackErrorCode(error));
    });
    made.on(WebClientEvent.RATE_LIMITED, (retryAfterSeconds: number, request: { url?: string }) => {
      recorder.rateLimited(name, methodOf(request.url));
      // The background client rejects instead of pausing: its paced poster records the wait it makes.
      if (!clientOptions.rejectRateLimitedCalls) recorder.rateLimitWait(name, retryAfterSeconds);
    });
    return made;
  };
  const base = {
    slackApiUrl: options.apiUrl,
    logger: options.logger,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 3_000 },
    timeout: 10_000,
  };
  return {
    interactive: client("interactive", base),
    quiet: client("quiet", { ...base, logger: withoutDebug(options.logger) }),
    lookup: client("lookup", { ...base, timeout: 2_000, retryConfig: { retries: 0 } }),
    background: client("background", {
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

/**
 * A WebClient that reports each failed call (after its retries) with its method. Every method of the
 * client (chat.postMessage, views.open, files upload v2's steps) goes through apiCall.
 */
class RecordedWebClient extends WebClient {
  constructor(
    token: string,
    options: WebClientOptions,
    private readonly onFailure: (method: string, error: unknown) => void,
  ) {
    super(token, options);
  }

  override async apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    try {
      return await super.apiCall(method, options);
    } catch (error) {
      this.onFailure(method, error);
      throw error;
    }
  }
}

/**
 * A failed call's error as a short code: Slack's own (`channel_not_found`, `invalid_auth`…), or
 * `http_<status>`, `timeout`, `request_failed` when Slack's answer never came or was not JSON.
 */
export function slackErrorCode(error: unknown): string {
  if (error instanceof WebAPIPlatformError) return String(error.data.error || "unknown");
  if (error instanceof WebAPIHTTPError) return `http_${error.statusCode}`;
  if (error instanceof WebAPIRequestError) {
    const name = error.original?.name;
    return name === "TimeoutError" || name === "AbortError" ? "timeout" : "request_failed";
  }
  if (error instanceof WebAPIRateLimitedError) return "ratelimited";
  return "unknown";
}

/** The Web API method of a request URL (…/api/chat.postMessage → chat.postMessage). */
function methodOf(url: string | undefined): string {
  const last = (url ?? "").split("?")[0]?.split("/").pop();
  return last || "unknown";
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
