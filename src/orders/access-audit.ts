import type { Database } from "../db/client.js";
import { accessRefusals } from "../db/schema.js";

/** The actions SSL_ORDERERS and SSL_APPROVERS govern, as the audit names them. */
export type GuardedAction =
  | "order"
  | "renew"
  | "client_add"
  | "client_edit"
  | "client_contacts"
  | "approve"
  | "reject"
  | "key_delivery"
  | "snooze"
  | "acknowledge";

export type RefusalReason = "not in SSL_ORDERERS" | "not in SSL_APPROVERS" | "self-approval";

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

/**
 * Stores a refused action in the access audit and logs one line naming who, what and why. Callers
 * pass user IDs, references and names only, so nothing secret can reach either.
 */
export async function recordRefusal(db: Database, refusal: Refusal, logger: InfoLogger): Promise<void> {
  await db.insert(accessRefusals).values(refusal);
  // The subject may be typed by the user (a client name): quoted, so it cannot forge a log line.
  const subject = refusal.subject === null ? "" : ` ${JSON.stringify(refusal.subject)}`;
  logger.info(`Access refused: ${refusal.actor} may not ${refusal.action}${subject} (${refusal.reason}).`);
}
