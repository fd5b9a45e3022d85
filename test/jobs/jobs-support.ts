import { randomUUID } from "node:crypto";
import type { Config } from "../../src/config.js";
import type { Database } from "../../src/db/client.js";
import { orders } from "../../src/db/schema.js";
import type { OrderStatus } from "../../src/domain/order.js";
import { createScheduler, type Scheduler } from "../../src/jobs/scheduler.js";
import { createLogger, LogLevel } from "../../src/log.js";
import type { Order } from "../../src/orders/repository.js";
import type { Sleeper } from "../../src/slack/channel-poster.js";
import { createSlackClients } from "../../src/slack/clients.js";
import { createSlack } from "../../src/slack/slack.js";
import type { TestApp } from "../support/harness.js";

export const DAY_MS = 86_400_000;

/** Virtual time for channel pacing and Retry-After waits: sleeping moves it, nothing waits. */
export class FakeSleeper implements Sleeper {
  elapsed = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.elapsed;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.elapsed += ms;
  }
}

/**
 * A scheduler over the test app's database, providers, clock and Slack fake, with a fake sleeper.
 * The app's own scheduler is stopped so its cron never fires during a test.
 */
export async function testScheduler(
  t: TestApp,
  options: { sleeper?: Sleeper; config?: Partial<Config["schedule"]> } = {},
): Promise<Scheduler> {
  await t.app.scheduler.stop();
  const logger = createLogger(LogLevel.DEBUG, (_level, line) => t.logLines.push(line));
  const scheduler = createScheduler({
    config: { ...t.config, schedule: { ...t.config.schedule, ...options.config } },
    database: t.database,
    clock: t.clock,
    logger,
    providers: t.providers,
    status: t.app.status,
    poster: createSlack({
      clients: createSlackClients({
        botToken: t.config.slack.botToken,
        apiUrl: t.config.slack.apiUrl,
        logger,
      }),
      logger,
      sleeper: options.sleeper ?? new FakeSleeper(),
    }).background,
  });
  return scheduler;
}

/** An order row as the lifecycle leaves it, without going through a provider. */
export async function insertOrder(
  db: Database,
  values: {
    clientId: number;
    domain: string;
    status?: OrderStatus;
    notAfter?: Date;
    provider?: string;
    providerOrderId?: string;
    requestedBy?: string;
    renewalOfId?: number;
    slackChannel?: string;
    slackThreadTs?: string;
    updatedAt?: Date;
  },
): Promise<Order> {
  const [order] = await db
    .insert(orders)
    .values({
      clientId: values.clientId,
      provider: values.provider ?? "sandbox",
      providerOrderId: values.providerOrderId,
      productId: "positivessl",
      productName: "PositiveSSL (DV)",
      periodMonths: 12,
      serverType: "apache",
      dcvMethod: "email",
      approverEmail: `admin@${values.domain}`,
      primaryDomain: values.domain,
      contact: {
        firstName: "Jane",
        lastName: "Doe",
        email: "jane@example.com",
        phone: "+442079460000",
        title: "",
      },
      status: values.status ?? "issued",
      notAfter: values.notAfter,
      notBefore: values.notAfter ? new Date(values.notAfter.getTime() - 365 * DAY_MS) : undefined,
      requestedBy: values.requestedBy ?? "U0ANN",
      renewalOfId: values.renewalOfId,
      slackChannel: values.slackChannel,
      slackThreadTs: values.slackThreadTs,
      slackMessageTs: values.slackThreadTs,
      idempotencyKey: randomUUID(),
      ...(values.updatedAt ? { createdAt: values.updatedAt, updatedAt: values.updatedAt } : {}),
    })
    .returning();
  if (!order) throw new Error("order insert returned nothing");
  return order;
}
