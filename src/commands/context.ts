import type { Logger } from "@slack/logger";
import type { WebClient } from "@slack/web-api";
import type { Vault } from "../certs/vault.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import type { RefusalAudit } from "../orders/access-audit.js";
import type { Catalogue } from "../orders/catalogue.js";
import type { OrderService } from "../orders/order-service.js";
import type { StatusService } from "../orders/status-service.js";
import type { ProviderRegistry } from "../providers/registry.js";
import type { AccessControl } from "./access.js";
import type { SlackOrderObserver } from "./order-notifier.js";

/** What every handler may use; built once in createApp. */
export interface HandlerContext {
  config: Config;
  logger: Logger;
  db: Database;
  clock: Clock;
  providers: ProviderRegistry;
  vault: Vault;
  access: AccessControl;
  /** The access audit (rate-limited per user): every refusal goes through it. */
  refusals: RefusalAudit;
  /** The bot's client, for calls made after a request was acked (long work, thread replies). */
  client: WebClient;
  /** A message for the user when something unexpected failed: what happened, nothing internal. */
  describeFailure(error: unknown): string;
}

/** The domain services handlers call; built once in createApp. */
export interface AppServices {
  orders: OrderService;
  status: StatusService;
  catalogue: Catalogue;
  /** Renders an order's message exactly as its channel post shows it. */
  renderOrderMessage: SlackOrderObserver["render"];
}
