import type { Logger } from "@slack/logger";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { listDueForReissue } from "../orders/certificates.js";
import { OrderRequestError, OrderStateError } from "../orders/order-service.js";
import type { ReissueService } from "../orders/reissue-service.js";

export interface AutoReissueSummary {
  sent: number;
  failed: number;
}

const DAY_MS = 86_400_000;

/**
 * AUTO_REISSUE_DAYS: each certificate that expires within that many days while its subscription
 * still covers it is reissued once (reissueAutomatically decides how). The thread says what
 * happened, and what a person must do when validation needs them.
 */
export function createAutoReissue(deps: {
  db: Database;
  clock: Clock;
  logger: Logger;
  reissues: ReissueService;
  days: number;
  signal?: AbortSignal;
}) {
  return {
    async run(): Promise<AutoReissueSummary> {
      const summary = { sent: 0, failed: 0 };
      if (deps.days <= 0) return summary;
      const due = await listDueForReissue(deps.db, new Date(deps.clock.now().getTime() + deps.days * DAY_MS));
      for (const order of due) {
        deps.signal?.throwIfAborted();
        try {
          const outcome = await deps.reissues.reissueAutomatically(order);
          if (outcome?.kind === "failed") summary.failed += 1;
          else if (outcome) summary.sent += 1;
        } catch (error) {
          // One order's failure never stops the others, nor the expiry alerts that follow.
          if (error instanceof Error && error.name === "AbortError") throw error;
          summary.failed += 1;
          if (error instanceof OrderRequestError || error instanceof OrderStateError) {
            deps.logger.warn(`${order.reference} could not be reissued automatically: ${error.message}`);
          } else {
            deps.logger.error(`The automatic reissue of ${order.reference} failed:`, error);
          }
        }
      }
      return summary;
    },
  };
}
