import { once } from "node:events";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { App, type Authorize, HTTPReceiver, type ReceiverEvent, SocketModeReceiver } from "@slack/bolt";
import type { ExtendedErrorHandlerArgs } from "@slack/bolt/dist/App.js";
import type { Logger } from "@slack/logger";
import { z } from "zod";
import { type Vault, VaultError } from "./certs/vault.js";
import { type CtSearchOptions, createCtSearch } from "./checks/ct-search.js";
import { createReadinessChecker } from "./checks/readiness-checker.js";
import { createServedProber } from "./checks/served-certificate.js";
import type { Clock } from "./clock.js";
import { createAccessControl } from "./commands/access.js";
import type { FeatureContext } from "./commands/context.js";
import { registerCommands } from "./commands/index.js";
import { createMembership } from "./commands/membership.js";
import { listenerOf } from "./commands/payloads.js";
import type { RoutedKind } from "./commands/router.js";
import { createSslCommands } from "./commands/ssl/index.js";
import type { Config } from "./config.js";
import { type DatabaseHandle, isDatabaseUnavailable } from "./db/client.js";
import { approvalRequired } from "./domain/approval.js";
import { createInFlight } from "./in-flight.js";
import { createScheduler, type Scheduler } from "./jobs/scheduler.js";
import { answerReadiness, serveMetrics } from "./metrics/http.js";
import { createMetrics } from "./metrics/metrics.js";
import { instrumentProviders } from "./metrics/providers.js";
import { createReadiness } from "./metrics/readiness.js";
import { createRefusalAudit } from "./orders/access-audit.js";
import { type Catalogue, createCatalogue } from "./orders/catalogue.js";
import { createCertificateImport } from "./orders/certificate-import.js";
import { type CtWatch, createCtWatch } from "./orders/ct-watch.js";
import { createOrderService, type OrderService, type Pause } from "./orders/order-service.js";
import { createReissueService, type ReissueService } from "./orders/reissue-service.js";
import { createRenewalWindows, type RenewalWindows } from "./orders/renewal-windows.js";
import { createRevocationService } from "./orders/revocation-service.js";
import { createServedProbe, type ServedProbe } from "./orders/served-probe.js";
import { createStatusService, type StatusService } from "./orders/status-service.js";
import { createValidationService, type ValidationService } from "./orders/validation-service.js";
import type { ProviderRegistry } from "./providers/registry.js";
import { realSleeper, type Sleeper } from "./slack/channel-poster.js";
import { boltClientOptions, createSlackClients } from "./slack/clients.js";
import { createForecastPoster } from "./slack/forecast-poster.js";
import { type BotIdentity, verifyBotToken } from "./slack/identity.js";
import { createOrderNotifier } from "./slack/order-notifier.js";
import { createSlack, type Slack } from "./slack/slack.js";

export { SlackStartError } from "./slack/identity.js";

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
  /** How long a new or changed order form waits for its domain's lookups (OPEN_GRACE_MS by default). */
  formGraceMs?: number;
  /** The served-certificate probe's time-out for each DNS look-up and TLS handshake (5 s by default). */
  probeTimeoutMs?: number;
  /** The CT search service's time limit and retry backoff (tests shrink them; the URL is CT_SEARCH_URL). */
  ctSearch?: Omit<CtSearchOptions, "baseUrl">;
}

export interface CertdeskApp {
  bolt: App;
  /** The action, view and options ids the features registered (commands/router.ts serves them). */
  listenerIds(kind: RoutedKind): string[];
  orders: OrderService;
  reissues: ReissueService;
  status: StatusService;
  validation: ValidationService;
  renewalWindows: RenewalWindows;
  /** PROBE_CRON's served-certificate probe (jobs tests run it through a scheduler of their own). */
  servedProbe: ServedProbe;
  catalogue: Catalogue;
  /** The Certificate Transparency watch's searches and sightings (CT_CRON runs it; tests too). */
  ctWatch: CtWatch;
  /** Everything certdesk sends to Slack (bench and jobs tests use its background poster). */
  slack: Slack;
  /** POLL_CRON, EXPIRY_CRON, PROBE_CRON, FORECAST_CRON and CT_CRON jobs; start() schedules them, and tests run them directly. */
  scheduler: Scheduler;
  /**
   * Resolves once no request's work is in flight, including what runs after its ack (an approver
   * list, the order form's check): tests wait for it so one test's follow-ups never land in the next.
   */
  settled(): Promise<void>;
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
  // Set by stop(): /healthz then says so and closes its connection, so a client polling over a
  // kept-alive connection (a load balancer, a test) sees the port go away instead of a healthy
  // answer for as long as it keeps that connection busy.
  let stopping = false;
  // Socket Mode: whether the socket to Slack is connected now (/readyz, certdesk_slack_socket_connected).
  let socketConnected = false;
  const metrics = createMetrics({
    db: deps.database.db,
    clock: deps.clock,
    providerIds: deps.providers.enabled.map((provider) => provider.id),
    socketConnected: config.slack.socketMode ? () => socketConnected : undefined,
  });
  const readiness = createReadiness({
    clock: deps.clock,
    ping: () => deps.database.ping(),
    socketConnected: config.slack.socketMode ? () => socketConnected : undefined,
    jobs: () => metrics.jobStates(),
  });
  // Every provider call is timed and its failures counted (certdesk_provider_call_*), whoever makes it.
  const providers = instrumentProviders(deps.providers, metrics.providerCalls);
  const customRoutes = [
    {
      path: "/healthz",
      method: ["GET"],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        if (stopping) {
          res.writeHead(503, { "content-type": "application/json", connection: "close" });
          res.end(JSON.stringify({ status: "stopping" }));
          return;
        }
        void answerHealth(deps.database, res);
      },
    },
    {
      path: "/readyz",
      method: ["GET"],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        if (stopping) {
          answerReadiness(res, { status: "not ready", problems: ["certdesk is stopping"], checks: {} }, true);
          return;
        }
        void readiness.check().then(
          (report) => answerReadiness(res, report),
          () =>
            answerReadiness(res, { status: "not ready", problems: ["readiness check failed"], checks: {} }),
        );
      },
    },
    {
      path: "/metrics",
      method: ["GET"],
      handler: (req: IncomingMessage, res: ServerResponse) => {
        void serveMetrics(req, res, metrics, config.metricsToken);
      },
    },
  ];
  const receiver = config.slack.socketMode
    ? new SocketModeReceiver({
        appToken: config.slack.appToken ?? "",
        customRoutes,
        logger: deps.logger,
        // Socket Mode serves custom routes (/healthz, /readyz, /metrics) on its own server, configured here.
        installerOptions: { port: config.port, clientOptions: { slackApiUrl: config.slack.apiUrl } },
      })
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret ?? "",
        endpoints: "/slack/events",
        customRoutes,
        logger: deps.logger,
      });
  if (receiver instanceof SocketModeReceiver) {
    // The socket's life: "connected" once Slack said hello; anything else (a dropped socket waiting
    // to reconnect, a refresh Slack asked for, a stop) means no events can arrive.
    receiver.client.on("connected", () => {
      socketConnected = true;
    });
    for (const state of ["connecting", "reconnecting", "disconnecting", "disconnected", "close"]) {
      receiver.client.on(state, () => {
        socketConnected = false;
      });
    }
  }

  const slack = createSlack({
    clients: createSlackClients({
      botToken: config.slack.botToken,
      apiUrl: config.slack.apiUrl,
      logger: deps.logger,
      recorder: metrics.slack,
    }),
    logger: deps.logger,
    sleeper: deps.sleeper ?? realSleeper,
    recorder: metrics.slack,
  });
  let identity: BotIdentity | undefined;
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
    clientOptions: boltClientOptions({ apiUrl: config.slack.apiUrl, logger: deps.logger }),
    extendedErrorHandler: true,
  });
  const inFlight = createInFlight();
  answerEveryRequest(bolt, inFlight, deps.logger);

  const { db } = deps.database;
  const describeFailure = (error: unknown): string => {
    if (isDatabaseUnavailable(error)) {
      return "certdesk's database is temporarily unavailable, so nothing was changed. Please try again in a minute.";
    }
    if (error instanceof VaultError) {
      return "The stored private key could not be decrypted (CERTDESK_KEY differs from the one it was stored with, or the data was altered), so nothing was sent. Tell the certdesk admins.";
    }
    return "Sorry, something went wrong on our side and nothing was changed. Please try again; if it keeps happening, tell the certdesk admins.";
  };
  const notifier = createOrderNotifier({
    db,
    slack,
    logger: deps.logger,
    providers,
    clock: deps.clock,
    config,
  });
  const catalogue = createCatalogue(providers, deps.clock);
  const orders = createOrderService({
    db,
    providers,
    catalogue,
    vault: deps.vault,
    clock: deps.clock,
    observer: notifier,
    approval: config,
    logger: deps.logger,
    pause: deps.pause,
  });
  const reissues = createReissueService({
    db,
    providers,
    catalogue,
    vault: deps.vault,
    clock: deps.clock,
    observer: notifier,
    // A reissue is free within its subscription: the one approval rule says who must approve.
    requireApproval: approvalRequired(config, true),
  });
  const validation = createValidationService({
    db,
    providers,
    clock: deps.clock,
    observer: notifier,
    checker: createReadinessChecker({
      dnsServers: config.checks.dnsServers,
      httpPort: config.checks.httpPort,
    }),
    catalogue,
    logger: deps.logger,
  });
  const revocation = createRevocationService({
    db,
    providers,
    clock: deps.clock,
    observer: notifier,
  });
  const status = createStatusService({
    db,
    providers,
    clock: deps.clock,
    observer: notifier,
  });
  const renewalWindows = createRenewalWindows({
    db,
    providers,
    clock: deps.clock,
    observer: notifier,
    orders,
    logger: deps.logger,
  });
  const servedProbe = createServedProbe({
    db,
    clock: deps.clock,
    observer: notifier,
    prober: createServedProber({ dnsServers: config.checks.dnsServers, timeoutMs: deps.probeTimeoutMs }),
    logger: deps.logger,
  });
  const imports = createCertificateImport({ db, clock: deps.clock, observer: notifier });
  const ctWatch = createCtWatch({
    db,
    clock: deps.clock,
    search: createCtSearch({ baseUrl: config.ctSearchUrl, ...deps.ctSearch }),
    imports,
  });
  const scheduler = createScheduler({
    ...deps,
    providers,
    config,
    status,
    reissues,
    validation,
    renewalWindows,
    poster: slack.background,
    recorder: metrics.jobs,
    forecast: createForecastPoster({ db, clock: deps.clock, config, catalogue, slack }),
    probe: servedProbe,
    ctWatch,
  });

  const context: FeatureContext & { ssl: ReturnType<typeof createSslCommands> } = {
    config,
    logger: deps.logger,
    db,
    clock: deps.clock,
    providers,
    vault: deps.vault,
    access: createAccessControl(config, slack.groupMembers, deps.clock),
    refusals: createRefusalAudit({ db, logger: deps.logger, clock: deps.clock }),
    slack,
    orders,
    reissues,
    validation,
    revocation,
    status,
    catalogue,
    imports,
    ctWatch,
    formGraceMs: deps.formGraceMs,
    ssl: createSslCommands(),
    describeFailure,
  };
  const routed = registerCommands(
    bolt,
    context,
    createMembership(slack.userInfo, deps.clock, () => ({
      teamId: identity?.teamId,
      enterpriseId: identity?.enterpriseId,
    })),
  );

  // Last resort for errors no handler caught: the user still hears what happened, where they are.
  bolt.error(async ({ error, body }: ExtendedErrorHandlerArgs) => {
    deps.logger.error("Unhandled error in a Slack handler:", error);
    const original = (error as { original?: unknown }).original ?? error;
    const listener = listenerOf(body);
    if (!listener) return;
    await slack
      .tell(listener, { text: describeFailure(original) })
      .catch((failure: unknown) => deps.logger.warn("Could not tell the user about the error:", failure));
  });

  let server: Server | undefined;
  /** The port Socket Mode's own server (custom routes) listens on: PORT, or the one given for PORT=0. */
  async function socketModePort(): Promise<number> {
    // Bolt keeps that server to itself; it is the one place certdesk looks inside the receiver.
    const routes = (receiver as unknown as { httpServer?: Server }).httpServer;
    if (!routes) return config.port;
    if (!routes.listening) await once(routes, "listening");
    const address = routes.address();
    return typeof address === "object" && address ? address.port : config.port;
  }
  return {
    bolt,
    listenerIds: routed.ids,
    slack,
    orders,
    reissues,
    status,
    validation,
    renewalWindows,
    servedProbe,
    catalogue,
    ctWatch,
    scheduler,
    settled: () => inFlight.settled(),
    async start() {
      identity = await verifyBotToken(slack, {
        botToken: config.slack.botToken,
        apiUrl: config.slack.apiUrl,
      });
      // Warm the product lists so the first /ssl order opens its modal at once.
      void catalogue.get();
      scheduler.start();
      if (config.slack.socketMode) {
        await bolt.start();
        return { port: await socketModePort() };
      }
      server = (await bolt.start(config.port)) as Server;
      const address = server.address();
      return { port: typeof address === "object" && address ? address.port : config.port };
    },
    async stop(options = {}) {
      stopping = true;
      const drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
      const drained = inFlight.drain(drainMs);
      // Paced background posts (alerts, announcements) wait no longer: what was not posted is posted by
      // the next run (an alert's row stays unposted until Slack accepts it).
      slack.stop();
      // A scheduled run stuck on a hanging provider must not hold the stop beyond the same budget.
      const stopped = Promise.race([
        Promise.all([scheduler.stop(), bolt.stop()]).then(() => true),
        delay(drainMs).then(() => false),
      ]);
      // bolt.stop() stops listening; connections kept alive between requests go now too.
      server?.closeIdleConnections();
      const jobsStopped = await stopped;
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
