import type { Logger } from "@slack/logger";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { countStuck } from "../orders/domain-validations.js";
import {
  type AlertKey,
  type AlertKind,
  type AlertSubject,
  claimUnpostedAlerts,
  daysLeft,
  findDueCertificates,
  loadSubjects,
  markAlertPosted,
  planAlerts,
  recordAlertPlan,
} from "../orders/expiry.js";
import {
  ChannelUnusableError,
  type ExpiryAlertPoster,
  type ShownAlert,
} from "../slack/expiry-alert-poster.js";

export interface ScanSummary {
  posted: number;
  /** Thresholds recorded without a post: less urgent than the one posted, or crossed while snoozed. */
  skipped: number;
  /** Alerts left unposted after a Slack failure; the next scan retries them. */
  failed: number;
}

/** Told of each alert Slack accepted (metrics): alone, or as a line of a digest. */
export interface AlertRecorder {
  alertPosted(kind: AlertKind): void;
}

export interface ExpiryAlertDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** Where the alerts go and how they look. */
  alerts: ExpiryAlertPoster;
  thresholds: number[];
  digest: boolean;
  /** The digest also counts orders waiting for validation longer than this many hours. */
  stuckAfterHours?: number;
  recorder?: AlertRecorder;
}

/** An alert row inserted this long ago and still not posted belongs to a scan that died: retry it. */
export const UNPOSTED_RETRY_MS = 5 * 60_000;
/** Due certificates planned and recorded per round trip for their message fields. */
const PLAN_BATCH = 500;

interface Outgoing extends AlertKey {
  alertId: number;
  subject: AlertSubject;
}

/**
 * One expiry scan: retry alerts a crashed scan left unposted, then alert every certificate that
 * crossed a threshold since the last scan. Each alert's row is inserted before it is posted (the
 * unique index makes it this scan's alone) and marked posted after Slack accepted it.
 */
export function createExpiryAlerts(deps: ExpiryAlertDeps) {
  const { db, clock, logger, alerts: slack } = deps;

  function view(alert: Outgoing, now: Date): ShownAlert {
    return {
      alert: {
        alertId: alert.alertId,
        kind: alert.kind,
        threshold: alert.threshold,
        daysLeft: daysLeft(alert.subject.notAfter, now),
      },
      certificate: alert.subject,
    };
  }

  /** Posting failed: a channel problem ends the scan, anything else leaves these alerts for the next one. */
  function postFailed(what: string, alerts: number, error: unknown, summary: ScanSummary): void {
    if (error instanceof ChannelUnusableError) throw error;
    if (error instanceof Error && error.name === "AbortError") throw error;
    summary.failed += alerts;
    logger.error(`${what} could not be posted; the next scan retries it:`, error);
  }

  async function postOne(alert: Outgoing, now: Date, summary: ScanSummary): Promise<void> {
    const shown = view(alert, now);
    let posted: { channel: string; ts: string };
    try {
      posted = await slack.post(shown);
    } catch (error) {
      postFailed(`The expiry alert for ${alert.subject.reference}`, 1, error, summary);
      return;
    }
    await markAlertPosted(db, alert.alertId, posted, clock.now());
    summary.posted += 1;
    deps.recorder?.alertPosted(alert.kind);
    await slack.replyInThread(shown);
  }

  async function postDigest(alerts: Outgoing[], now: Date, summary: ScanSummary): Promise<void> {
    let offset = 0;
    const hours = deps.stuckAfterHours;
    const stuck = hours
      ? { count: await countStuck(db, new Date(now.getTime() - hours * 3_600_000)), hours }
      : undefined;
    for (const digest of slack.digests(
      alerts.map((alert) => view(alert, now)),
      stuck,
    )) {
      const included = alerts.slice(offset, offset + digest.count);
      offset += digest.count;
      let posted: { channel: string; ts: string };
      try {
        posted = await digest.post();
      } catch (error) {
        postFailed(`An expiry digest of ${included.length} alerts`, included.length, error, summary);
        continue;
      }
      for (const alert of included) {
        await markAlertPosted(db, alert.alertId, posted, clock.now());
        deps.recorder?.alertPosted(alert.kind);
      }
      summary.posted += included.length;
    }
  }

  async function scan(summary: ScanSummary): Promise<void> {
    const now = clock.now();
    const outgoing: Outgoing[] = [];
    for (const unposted of await claimUnpostedAlerts(db, now, UNPOSTED_RETRY_MS)) {
      if (unposted.subject) outgoing.push({ ...unposted, subject: unposted.subject });
      else await markAlertPosted(db, unposted.alertId, undefined, now);
    }
    if (!deps.digest) {
      for (const alert of outgoing) await postOne(alert, now, summary);
    }
    const due = await findDueCertificates(db, { now, thresholds: deps.thresholds });
    for (let start = 0; start < due.length; start += PLAN_BATCH) {
      const fired: (AlertKey & { alertId: number; orderId: number })[] = [];
      for (const certificate of due.slice(start, start + PLAN_BATCH)) {
        const plan = planAlerts(certificate, now);
        const { alertId, skipped } = await recordAlertPlan(db, certificate.orderId, plan, now);
        summary.skipped += skipped;
        if (plan.fire && alertId !== undefined)
          fired.push({ ...plan.fire, alertId, orderId: certificate.orderId });
      }
      const subjects = await loadSubjects(
        db,
        fired.map((alert) => alert.orderId),
      );
      const subjectOf = new Map(subjects.map((subject) => [subject.orderId, subject]));
      for (const { orderId, ...key } of fired) {
        const subject = subjectOf.get(orderId);
        // Acknowledged or renewed since the query: nothing left to say.
        if (!subject) await markAlertPosted(db, key.alertId, undefined, now);
        else if (deps.digest) outgoing.push({ ...key, subject });
        else await postOne({ ...key, subject }, now, summary);
      }
    }
    if (deps.digest && outgoing.length > 0) await postDigest(outgoing, now, summary);
  }

  async function run(): Promise<ScanSummary> {
    const summary: ScanSummary = { posted: 0, skipped: 0, failed: 0 };
    try {
      await scan(summary);
    } catch (error) {
      if (!(error instanceof ChannelUnusableError)) throw error;
      logger.error(error.message);
    }
    return summary;
  }

  return { run };
}
