import { asc, eq } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { orderEvents } from "../db/schema.js";

/** Kinds of audit events; every status change and every key delivery is one. */
export type OrderEventKind =
  | "requested"
  | "approved"
  | "rejected"
  | "approval_refused"
  | "submitted"
  | "submission_failed"
  | "submission_unknown"
  | "status_changed"
  | "status_checked"
  | "key_delivered"
  | "key_delivery_failed"
  | "files_delivered"
  | "renewal_requested"
  /** Set by migration 0003 on an older duplicate renewal, which became a stand-alone order. */
  | "renewal_unlinked"
  | "alert_snoozed"
  | "alert_acknowledged"
  /** A reissue was asked for (detail: certificate number, key choice, domains, method). */
  | "reissue_requested"
  | "reissue_approved"
  | "reissue_rejected"
  | "reissue_submitted"
  | "reissued"
  | "reissue_failed"
  /** Someone asked the provider to send the approval e-mail again (detail: email). */
  | "approval_resent"
  /** Someone changed how a pending order is validated (detail: from, to, email, dcv). */
  | "validation_changed"
  /** Someone ran "Will it issue?" on a pending order (detail: findings). */
  | "validation_checked"
  /** Waiting for validation longer than STUCK_AFTER_HOURS: told once (detail: hours, findings). */
  | "validation_stuck"
  /** An approver revoked the order's current certificate at the CA (detail: reason, certificate number). */
  | "revoked"
  /**
   * The CA's renewal window opened (detail: start, end, explanationUrl, source; renewal when
   * ACME_AUTO_RENEW placed one): told once per order.
   */
  | "renewal_window_open"
  /**
   * The served-certificate probe (PROBE_CRON) found a problem with what a name serves (detail:
   * certificateId, certificate, label, problem: not_served | expires_sooner | incomplete_chain,
   * targets, notAfter, servedNotAfter, missing, reasons): told once per certificate and problem.
   */
  | "served_problem"
  /** A certificate certdesk did not order began to be tracked (detail: source, host, names, serial, notes). */
  | "imported";

export interface OrderEventInput {
  orderId: number;
  actor: string;
  kind: OrderEventKind;
  detail?: Record<string, unknown>;
  at: Date;
}

export async function recordEvent(db: Database, event: OrderEventInput): Promise<void> {
  await db.insert(orderEvents).values({
    orderId: event.orderId,
    actor: event.actor,
    kind: event.kind,
    detail: event.detail ?? {},
    at: event.at,
  });
}

export async function listEvents(db: Database, orderId: number) {
  return db
    .select()
    .from(orderEvents)
    .where(eq(orderEvents.orderId, orderId))
    .orderBy(asc(orderEvents.at), asc(orderEvents.id));
}
