import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { App, type Authorize, HTTPReceiver, type ReceiverEvent, SocketModeReceiver } from "@slack/bolt";
import type { ExtendedErrorHandlerArgs } from "@slack/bolt/dist/App.js";
import type { Logger } from "@slack/logger";
import { WebAPIPlatformError, WebClient } from "@slack/web-api";
import { z } from "zod";
import { type Vault, VaultError } from "./certs/vault.js";
import type { Clock } from "./clock.js";
import { createAccessControl } from "./commands/access.js";
import { registerAlertHandlers } from "./commands/alerts.js";
import { registerApprovalHandlers } from "./commands/approval.js";
import { registerClientHandlers } from "./commands/clients.js";
import type { AppServices, HandlerContext } from "./commands/context.js";
import { registerDetailsHandlers } from "./commands/details.js";
import { registerHomeHandlers } from "./commands/home.js";
import { createMembership, registerMembershipGuard } from "./commands/membership.js";
import { registerOrderHandlers } from "./commands/order.js";
import { createSlackOrderObserver } from "./commands/order-notifier.js";
import { registerSslCommand, type SubcommandHandlers } from "./commands/ssl-command.js";
import { registerStuckOrderHandlers } from "./commands/stuck.js";
import { registerTrackingHandlers } from "./commands/tracking.js";
import type { Config } from "./config.js";
import { type DatabaseHandle, isDatabaseUnavailable } from "./db/client.js";
import { createInFlight } from "./in-flight.js";
import { createBackgroundPoster, realSleeper, type Sleeper } from "./jobs/channel-poster.js";
import { createIssuedAnnouncer } from "./jobs/issued-announcer.js";
import { createScheduler, type Scheduler } from "./jobs/scheduler.js";
import { createRefusalAudit } from "./orders/access-audit.js";
import { type Catalogue, createCatalogue } from "./orders/catalogue.js";
import { createOrderService, type OrderService, type Pause } from "./orders/order-service.js";
import { createStatusService, type StatusService } from "./orders/status-service.js";
import type { ProviderRegistry } from "./providers/registry.js";

export interface AppDeps {
  database: DatabaseHandle;
  clock: Clock;
  logger: Logger;
  providers: ProviderRegistry;
  vault: Vault;
  /** Waits between retries of work that must not be lost; tests pass one that does not wait. */
  pause?: Pause;
  /** Paces background channel posts; tests pass one that does not wait. */
  sleeper?: Sleeper;
}

export interface CertdeskApp {
  bolt: App;
  orders: OrderService;
  status: StatusService;
  catalogue: Catalogue;
  /** The bot's Web API client, for work that is not an answer to a request (scheduler, pollers). */
  client: WebClient;
  /** POLL_CRON and EXPIRY_CRON jobs; start() schedules them, and tests run them directly. */
  scheduler: Scheduler;
  /** Starts listening; resolves to the HTTP port actually bound (health, and events in HTTP mode). */
  start(): Promise<{ port: number }>;
  /**
   * Graceful stop: takes no new requests, lets the scheduler's runs end, waits up to `drainMs` for
   * handler work in flight (placements, uploads, posts); the database stays open for the caller to
   * close. Work cut off is left as it is (an order stays `submitting`, and the poller flags it).
   */
  stop(options?: { drainMs?: number }): Promise<{ unfinished: number }>;
}

const HEALTH_TIMEOUT_MS = 2_000;
/** SIGTERM → SIGKILL is 30 s under Docker and Kubernetes by default: leave time to close the database. */
export const DEFAULT_DRAIN_MS = 25_000;

/** Registers every handler on a Bolt app; tests build the app through this, exactly as main.ts does. */
export function createApp(config: Config, deps: AppDeps): CertdeskApp {
  const customRoutes = [
    {
      path: "/healthz",
      method: ["GET"],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        void answerHealth(deps.database, res);
      },
    },
  ];
  const receiver = config.slack.socketMode
    ? new SocketModeReceiver({
        appToken: config.slack.appToken ?? "",
        customRoutes,
        logger: deps.logger,
        // Socket Mode serves custom routes (/healthz) on its own server, configured here.
        installerOptions: { port: config.port, clientOptions: { slackApiUrl: config.slack.apiUrl } },
      })
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret ?? "",
        endpoints: "/slack/events",
        customRoutes,
        logger: deps.logger,
      });

  const clientOptions = {
    slackApiUrl: config.slack.apiUrl,
    logger: deps.logger,
    // The default policy retries for about 30 minutes; a user is waiting on most of these calls.
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 3_000 },
    timeout: 10_000,
  };
  const client = new WebClient(config.slack.botToken, clientOptions);
  let identity: Awaited<ReturnType<Authorize<boolean>>> | undefined;
  // Bolt's own token mode calls auth.test from its constructor, where a failure becomes an
  // unhandled rejection; start() checks the token instead and every request reuses the answer.
  const authorize: Authorize<boolean> = async () => {
    if (!identity) throw new Error("certdesk received a request before start() verified the bot token");
    return identity;
  };
  const bolt = new App({
    authorize,
    receiver,
    logger: deps.logger,
    // Without it Bolt sets the shared logger back to info, and LOG_LEVEL=debug would log nothing more.
    logLevel: deps.logger.getLevel(),
    clientOptions,
    extendedErrorHandler: true,
  });
  const inFlight = createInFlight();
  answerEveryRequest(bolt, inFlight, deps.logger);
  const refusals = createRefusalAudit({ db: deps.database.db, logger: deps.logger, clock: deps.clock });

  const context: HandlerContext = {
    config,
    logger: deps.logger,
    db: deps.database.db,
    clock: deps.clock,
    providers: deps.providers,
    vault: deps.vault,
    access: createAccessControl(config, client, deps.clock),
    refusals,
    client,
    describeFailure: (error) => {
      if (isDatabaseUnavailable(error)) {
        return "certdesk's database is temporarily unavailable, so nothing was changed. Please try again in a minute.";
      }
      if (error instanceof VaultError) {
        return "The stored private key could not be decrypted (CERTDESK_KEY differs from the one it was stored with, or the data was altered), so nothing was sent. Tell the certdesk admins.";
      }
      return "Sorry, something went wrong on our side and nothing was changed. Please try again; if it keeps happening, tell the certdesk admins.";
    },
  };

  const observer = createSlackOrderObserver(context);
  const catalogue = createCatalogue(deps.providers, deps.clock);
  const orders = createOrderService({
    db: deps.database.db,
    providers: deps.providers,
    catalogue,
    vault: deps.vault,
    clock: deps.clock,
    observer,
    requireApproval: config.requireApproval,
    logger: deps.logger,
    pause: deps.pause,
  });
  const background = createBackgroundPoster({
    botToken: config.slack.botToken,
    apiUrl: config.slack.apiUrl,
    logger: deps.logger,
    sleeper: deps.sleeper ?? realSleeper,
  });
  const status = createStatusService({
    db: deps.database.db,
    providers: deps.providers,
    clock: deps.clock,
    observer,
    announceIssued: createIssuedAnnouncer({
      db: deps.database.db,
      poster: background.poster,
      channel: config.channel,
      logger: deps.logger,
    }),
  });
  const services: AppServices = { orders, status, catalogue, renderOrderMessage: observer.render };
  const scheduler = createScheduler({ ...deps, config, status, poster: background.poster });
  registerMembershipGuard(bolt, {
    // Asked before a handler's ack: a short timeout and no retries, so a slow Slack cannot hold the
    // request past its 3 seconds (an unanswered lookup refuses, and asks the person to try again).
    membership: createMembership(
      new WebClient(config.slack.botToken, { ...clientOptions, timeout: 2_000, retryConfig: { retries: 0 } }),
      deps.clock,
      () => ({
        teamId: identity?.teamId,
        enterpriseId: identity?.enterpriseId,
      }),
    ),
    refusals,
    clock: deps.clock,
    logger: deps.logger,
    client,
  });
  registerApprovalHandlers(bolt, context, orders);
  registerStuckOrderHandlers(bolt, context, orders);
  registerAlertHandlers(bolt, context);
  registerHomeHandlers(bolt, context);
  // Feature registrations, one line each; a feature returns the /ssl sub-commands it answers.
  const subcommands: SubcommandHandlers = {
    ...registerClientHandlers(bolt, context),
    ...registerOrderHandlers(bolt, context, services),
    ...registerTrackingHandlers(bolt, context, services),
    ...registerDetailsHandlers(bolt, context, services),
  };
  registerSslCommand(bolt, context, subcommands);

  // Last resort for errors no handler caught: the user still hears what happened, where they are.
  bolt.error(async ({ error, body }: ExtendedErrorHandlerArgs) => {
    deps.logger.error("Unhandled error in a Slack handler:", error);
    const original = (error as { original?: unknown }).original ?? error;
    await tellUser(client, body, context.describeFailure(original)).catch((failure: unknown) =>
      deps.logger.warn("Could not tell the user about the error:", failure),
    );
  });

  let server: Server | undefined;
  return {
    bolt,
    client,
    orders,
    status,
    catalogue,
    scheduler,
    async start() {
      identity = await verifyBotToken(client, config);
      // Warm the product lists so the first /ssl order opens its modal at once.
      void catalogue.get();
      scheduler.start();
      if (config.slack.socketMode) {
        await bolt.start();
        return { port: config.port };
      }
      server = (await bolt.start(config.port)) as Server;
      const address = server.address();
      return { port: typeof address === "object" && address ? address.port : config.port };
    },
    async stop(options = {}) {
      const drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
      const drained = inFlight.drain(drainMs);
      // Paced background posts (alerts, announcements) wait no longer: what was not posted is posted by
      // the next run (an alert's row stays unposted until Slack accepts it).
      background.stop();
      // A scheduled run stuck on a hanging provider must not hold the stop beyond the same budget.
      const jobsStopped = await Promise.race([
        Promise.all([scheduler.stop(), bolt.stop()]).then(() => true),
        delay(drainMs).then(() => false),
      ]);
      const { unfinished } = await drained;
      if (unfinished > 0 || !jobsStopped) {
        deps.logger.warn(
          `Stopped with ${unfinished} request${unfinished === 1 ? "" : "s"}${jobsStopped ? "" : " and a scheduled run"} still at work; ` +
            "an order cut off while being placed stays submitting and is flagged in its thread by the next poll.",
        );
      }
      return { unfinished };
    },
  };
}

/** A timer that never holds the process open. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Wraps Bolt's event processing, which every receiver calls for every request: the work is tracked for
 * a graceful stop, a request arriving while stopping is turned away, and a request no listener
 * acknowledged (an unknown action or callback id) is acknowledged as soon as the listeners are done,
 * instead of after the receiver's 3-second wait and a 404 that Slack shows as an error.
 */
function answerEveryRequest(bolt: App, inFlight: ReturnType<typeof createInFlight>, logger: Logger): void {
  const process = bolt.processEvent.bind(bolt);
  bolt.processEvent = async (event: ReceiverEvent) => {
    let acked = false;
    const ack: ReceiverEvent["ack"] = async (response) => {
      acked = true;
      await event.ack(response);
    };
    if (!inFlight.accepting) {
      logger.info("A request arrived while certdesk is stopping; it was turned away.");
      await ack(isCommand(event.body) ? { response_type: "ephemeral", text: STOPPING_TEXT } : undefined);
      return;
    }
    try {
      await inFlight.track(process({ ...event, ack }));
    } finally {
      if (!acked) {
        logger.debug(`No handler answered ${describeRequest(event.body)}; acknowledged it.`);
        await ack();
      }
    }
  };
}

const STOPPING_TEXT = ":hourglass: certdesk is restarting; nothing was done. Please try again in a minute.";

function isCommand(body: unknown): boolean {
  return typeof body === "object" && body !== null && "command" in body;
}

const requestShape = z
  .object({
    type: z.string().optional(),
    command: z.string().optional(),
    callback_id: z.string().optional(),
    actions: z.array(z.object({ action_id: z.string().optional() }).loose()).optional(),
    view: z.object({ callback_id: z.string().optional() }).loose().optional(),
  })
  .loose();

/** Names an unanswered request for the debug log: its kind and ids, never its values. */
function describeRequest(body: unknown): string {
  const parsed = requestShape.safeParse(body);
  if (!parsed.success) return "a request";
  const { type, command, callback_id: callbackId, actions, view } = parsed.data;
  if (command) return `the command ${command}`;
  const ids = [...(actions ?? []).map((action) => action.action_id), view?.callback_id, callbackId].filter(
    Boolean,
  );
  return `a ${type ?? "request"}${ids.length > 0 ? ` (${ids.join(", ")})` : ""}`;
}

const errorBody = z
  .object({
    response_url: z.string().optional(),
    user_id: z.string().optional(),
    user: z.object({ id: z.string() }).optional(),
  })
  .loose();

async function tellUser(client: WebClient, body: unknown, text: string): Promise<void> {
  const parsed = errorBody.safeParse(body);
  if (!parsed.success) return;
  const { response_url: responseUrl, user_id: userId, user } = parsed.data;
  if (responseUrl) {
    await fetch(responseUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ response_type: "ephemeral", replace_original: false, text }),
    });
    return;
  }
  const recipient = userId ?? user?.id;
  if (recipient) await client.chat.postMessage({ channel: recipient, text });
}

export class SlackStartError extends Error {
  override name = "SlackStartError";
}

async function verifyBotToken(
  client: WebClient,
  config: Config,
): Promise<Awaited<ReturnType<Authorize<boolean>>>> {
  try {
    const auth = await client.auth.test();
    return {
      botToken: config.slack.botToken,
      botId: auth.bot_id,
      botUserId: auth.user_id,
      teamId: auth.team_id,
      enterpriseId: auth.enterprise_id,
    };
  } catch (error) {
    if (error instanceof WebAPIPlatformError) {
      throw new SlackStartError(
        `Slack refused SLACK_BOT_TOKEN (${error.data.error}). Copy the Bot User OAuth Token (xoxb-…) again from the app's OAuth & Permissions page, and reinstall the app if it was uninstalled.`,
      );
    }
    throw new SlackStartError(
      `Slack's Web API${config.slack.apiUrl ? ` at ${config.slack.apiUrl}` : ""} could not be reached (${(error as Error).message}). Check the network or SLACK_API_URL, then start again.`,
    );
  }
}

async function answerHealth(database: DatabaseHandle, res: ServerResponse): Promise<void> {
  let healthy = false;
  try {
    await Promise.race([
      database.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), HEALTH_TIMEOUT_MS).unref()),
    ]);
    healthy = true;
  } catch {
    healthy = false;
  }
  res.writeHead(healthy ? 200 : 503, { "content-type": "application/json" });
  res.end(JSON.stringify({ db: healthy ? "ok" : "unavailable" }));
}
