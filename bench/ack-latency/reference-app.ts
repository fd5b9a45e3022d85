import type { IncomingMessage, ServerResponse } from "node:http";
import { App, type Authorize, HTTPReceiver } from "@slack/bolt";
import { createLogger, LogLevel } from "../../src/log.js";

/**
 * The Bolt set-up the reference apps share, copied from src/app.ts so that only what the listener does
 * differs from certdesk: same HTTPReceiver, logger, client options and a bot identity resolved once.
 * Runs as a child of bench/ack-latency/run.ts, configured by the same variables as src/main.ts.
 */
export async function startReferenceApp(register: (app: App) => void): Promise<void> {
  const env = process.env;
  const logger = createLogger(LogLevel.WARN);
  const receiver = new HTTPReceiver({
    signingSecret: env.SLACK_SIGNING_SECRET ?? "",
    endpoints: "/slack/events",
    customRoutes: [
      {
        path: "/healthz",
        method: ["GET"],
        handler: (_req: IncomingMessage, res: ServerResponse) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end('{"db":"ok"}');
        },
      },
    ],
    logger,
  });
  const identity = { botToken: env.SLACK_BOT_TOKEN, botId: "BBOT", botUserId: "UBOT", teamId: "T0TEST" };
  const authorize: Authorize<boolean> = async () => identity;
  const app = new App({
    authorize,
    receiver,
    logger,
    clientOptions: {
      slackApiUrl: env.SLACK_API_URL,
      logger,
      retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 3_000 },
      timeout: 10_000,
    },
  });
  register(app);
  app.error(async (error) => {
    logger.error("Unhandled error in a Slack handler:", error);
  });
  await app.start(Number(env.PORT));
  // A clean exit lets --cpu-prof write its profile.
  process.once("SIGTERM", () => {
    void app.stop().finally(() => process.exit(0));
  });
}
