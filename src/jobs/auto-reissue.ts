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
          if (!(error instanceof OrderRequestError || error instanceof OrderStateError)) throw error;
          summary.failed += 1;
          deps.logger.warn(`${order.reference} could not be reissued automatically: ${error.message}`);
        }
      }
      return summary;
    },
  };
}
