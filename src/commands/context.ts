import type { Logger } from "@slack/logger";
import type { Config } from "../config.js";

/** What every handler may use; built once in createApp. */
export interface HandlerContext {
  config: Config;
  logger: Logger;
  /** A message for the user when something unexpected failed: what happened, nothing internal. */
  describeFailure(error: unknown): string;
}
