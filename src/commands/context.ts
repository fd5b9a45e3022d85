import type { App } from "@slack/bolt";
import type { Logger } from "@slack/logger";
import type { Vault } from "../certs/vault.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import type { RefusalAudit } from "../orders/access-audit.js";
import type { Catalogue } from "../orders/catalogue.js";
import type { CertificateImport } from "../orders/certificate-import.js";
import type { CtWatch } from "../orders/ct-watch.js";
import type { OrderService } from "../orders/order-service.js";
import type { ReissueService } from "../orders/reissue-service.js";
import type { RevocationService } from "../orders/revocation-service.js";
import type { StatusService } from "../orders/status-service.js";
import type { ValidationService } from "../orders/validation-service.js";
import type { ProviderRegistry } from "../providers/registry.js";
import type { Slack } from "../slack/slack.js";
import type { AccessControl } from "./access.js";
import type { SslCommands } from "./ssl/index.js";

/** What every feature's handlers may use; built once in createApp. */
export interface FeatureContext {
  config: Config;
  logger: Logger;
  db: Database;
  clock: Clock;
  providers: ProviderRegistry;
  vault: Vault;
  access: AccessControl;
  /** The access audit (rate-limited per user): every refusal goes through it (see guard.ts). */
  refusals: RefusalAudit;
  /** Everything sent to Slack goes through this; no handler holds a WebClient. */
  slack: Slack;
  orders: OrderService;
  reissues: ReissueService;
  validation: ValidationService;
  revocation: RevocationService;
  status: StatusService;
  catalogue: Catalogue;
  /** `/ssl import`: certificates certdesk did not order, tracked as orders of the provider "external". */
  imports: CertificateImport;
  /** The Certificate Transparency watch's sightings: Import and Ignore on its posts. */
  ctWatch: CtWatch;
  /**
   * How long the order form waits for its domain's approver list and "Will it issue?" before it is
   * shown without them (commands/order/step1.ts, OPEN_GRACE_MS when unset); tests of the loading
   * state set 0 rather than make a provider slow.
   */
  formGraceMs?: number;
  /** The `/ssl` sub-commands: a feature answers its own (`ssl.on("order", …)`). */
  ssl: SslCommands;
  /** A message for the user when something unexpected failed: what happened, nothing internal. */
  describeFailure(error: unknown): string;
}

/** One feature's Slack handlers (one folder under src/commands/), registered by commands/index.ts. */
export interface Feature {
  register(app: App, context: FeatureContext): void;
}
