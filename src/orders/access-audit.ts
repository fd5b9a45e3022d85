import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { accessRefusals } from "../db/schema.js";

/** The actions SSL_ORDERERS and SSL_APPROVERS govern, as the audit names them; "use" is any action. */
export type GuardedAction =
  | "use"
  | "order"
  | "renew"
  | "reissue"
  | "resend_approval"
  | "change_validation"
  | "client_add"
  | "client_edit"
  | "client_contacts"
  | "approve"
  | "reject"
  | "key_delivery"
  | "revoke"
  | "snooze"
  | "acknowledge"
  | "settle"
  | "import";

export type RefusalReason =
  | "not in SSL_ORDERERS"
  | "not in SSL_APPROVERS"
  | "SSL_APPROVERS is empty"
  | "self-approval"
  | "guest account"
  | "another workspace";

export interface Refusal {
  /** Slack user ID. */
  actor: string;
  action: GuardedAction;
  /** An order reference, "client 7", a domain; null when there is nothing yet to name. */
  subject: string | null;
  reason: RefusalReason;
  at: Date;
}

/** Any logger with an info level: the audit line is for operators, not an error. */
export interface InfoLogger {
  info(...message: unknown[]): void;
}

export interface RefusalAudit {
  /**
   * Stores a refused action in the access audit and logs one line naming who, what and why. Callers
   * pass user IDs, references and names only, so nothing secret can reach either. False when the
   * person's limit was reached and nothing was stored: callers then add no thread post either.
   */
  record(refusal: Refusal): Promise<boolean>;
}

export interface RefusalLimit {
  /** Rows stored per user within `windowMs`; further refusals are logged once and not stored. */
  perUser: number;
  windowMs: number;
}

/** Enough for any honest run of mistakes; a script clicking a refused button cannot fill the table. */
export const DEFAULT_REFUSAL_LIMIT: RefusalLimit = { perUser: 20, windowMs: 10 * 60_000 };

/**
 * The access audit, rate-limited per user (in this process): past the limit a refusal is still
 * refused and told to the person, but only a single log line says that more were not stored.
 */
export function createRefusalAudit(deps: {
  db: Database;
  logger: InfoLogger;
  clock: Clock;
  limit?: RefusalLimit;
}): RefusalAudit {
  const { db, logger, clock } = deps;
  const limit = deps.limit ?? DEFAULT_REFUSAL_LIMIT;
  const recent = new Map<string, { times: number[]; quietUntil?: number }>();

  /** True when this refusal may be stored; keeps the per-user window. */
  function admit(actor: string, now: number): boolean {
    const entry = recent.get(actor) ?? { times: [] };
    entry.times = entry.times.filter((time) => now - time < limit.windowMs);
    const admitted = entry.times.length < limit.perUser;
    if (admitted) entry.times.push(now);
    if (entry.times.length === 0) recent.delete(actor);
    else recent.set(actor, entry);
    if (!admitted && (entry.quietUntil === undefined || now >= entry.quietUntil)) {
      entry.quietUntil = now + limit.windowMs;
      const minutes = Math.round(limit.windowMs / 60_000);
      logger.info(
        `Access refused: ${actor} was refused more than ${limit.perUser} times in ${minutes} minute${minutes === 1 ? "" : "s"}; ` +
          "further refusals are refused as before but not stored in access_refusals for now.",
      );
    }
    return admitted;
  }

  return {
    async record(refusal) {
      if (!admit(refusal.actor, clock.now().getTime())) return false;
      await db.insert(accessRefusals).values(refusal);
      // The subject may be typed by the user (a client name): quoted, so it cannot forge a log line.
      const subject = refusal.subject === null ? "" : ` ${JSON.stringify(refusal.subject)}`;
      logger.info(
        `Access refused: ${refusal.actor} may not ${refusal.action}${subject} (${refusal.reason}).`,
      );
      return true;
    },
  };
}
