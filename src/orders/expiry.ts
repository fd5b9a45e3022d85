import {
  and,
  asc,
  desc,
  eq,
  exists,
  gt,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  ne,
  notExists,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
import type { Database } from "../db/client.js";
import { alertsSent, clients, orders, servedProbes } from "../db/schema.js";
import type { OrderStatus } from "../domain/order.js";
import { recordEvent } from "./events.js";

/**
 * Expiry alerts: which issued certificates have crossed a threshold (EXPIRY_DAYS, or the client's
 * own list) and have not been told about yet, and the rows that make each alert happen once.
 * An alert is a row in alerts_sent (order, kind, threshold), inserted before the post: the unique
 * index decides which replica posts, and a row still without posted_at after a crash is retried.
 */

export type AlertKind = "expiring" | "expired";

export interface AlertKey {
  kind: AlertKind;
  /** Days before not-after; 0 for "expired". */
  threshold: number;
}

/** What an alert message says about its certificate. */
export interface AlertSubject {
  orderId: number;
  reference: string;
  primaryDomain: string;
  clientName: string;
  notAfter: Date;
  /** The subscription's end: a certificate it outlives is reissued (free), else renewed. */
  coverageEndsAt: Date | null;
  slackChannel: string | null;
  slackThreadTs: string | null;
}

/**
 * A certificate whose most urgent crossed threshold (or expiry) has not been alerted yet: only what
 * planning needs. What a message says (AlertSubject) is loaded for the alerts that fire, which keeps
 * a morning with 50,000 certificates due from reading every one's message fields.
 */
export interface DueCertificate {
  orderId: number;
  notAfter: Date;
  /** Descending: the client's override, else the global EXPIRY_DAYS. */
  thresholds: number[];
  snoozedUntil: Date | null;
}

export interface AlertPlan {
  /** The one alert to post: the most urgent threshold crossed, unless snoozed. */
  fire?: AlertKey;
  /**
   * Crossed thresholds that must never fire later: less urgent ones, and those due while snoozed.
   * Some may be recorded already; recording is idempotent, so the scan need not read them first.
   */
  skip: AlertKey[];
}

const DAY_MS = 86_400_000;
/** A certificate that expired longer ago than this, untold, predates certdesk or an outage: history, not news. */
export const EXPIRED_LOOKBACK_DAYS = 30;
const ALERTED_STATUSES: OrderStatus[] = ["issued", "expired"];

/** Still worth alerting: nobody acknowledged it and no renewal of it has been issued. */
function alertable(): SQL {
  return and(isNull(orders.alertsAcknowledgedBy), isNull(orders.renewedAt)) as SQL;
}

const subjectColumns = {
  orderId: orders.id,
  reference: orders.reference,
  primaryDomain: orders.primaryDomain,
  clientName: clients.name,
  notAfter: orders.notAfter,
  coverageEndsAt: orders.coverageEndsAt,
  slackChannel: orders.slackChannel,
  slackThreadTs: orders.slackThreadTs,
};

/**
 * The most urgent threshold `not_after` has crossed, in days (null when none). The global list is
 * written into the query as constants; only clients with their own list pay for reading it. Days
 * are 24 hours, as in planAlerts: a calendar day across a DST change would disagree with it.
 */
function mostUrgentThreshold(at: SQL, thresholds: number[]): SQL {
  const ascending = [...thresholds].sort((a, b) => a - b);
  // Integers validated by the config schema and /ssl client edit: safe to write as literals.
  const crossed = ascending.map(
    (
      days,
    ) => sql`when ${orders.notAfter} <= ${at} + interval '${sql.raw(String(Math.trunc(days) * 24))} hours'
      then ${sql.raw(String(Math.trunc(days)))}`,
  );
  const global = crossed.length > 0 ? sql`case ${sql.join(crossed, sql` `)} end` : sql`null::int`;
  const own = sql`(select min(t.value::int) from jsonb_array_elements_text(${clients.expiryDays}) t
    where ${orders.notAfter} <= ${at} + make_interval(hours => t.value::int * 24))`;
  return sql`(case when ${clients.expiryDays} is null then ${global} else ${own} end)`;
}

/**
 * Certificates whose most urgent crossed threshold (or expiry) has no alerts_sent row yet; for a
 * client whose own thresholds end below the horizon, also those that crossed none (planAlerts
 * makes nothing of them), which costs less than asking the database to work out a second time.
 * The orders_status_not_after_idx range (not-after within the largest threshold ahead and the
 * lookback behind) bounds the work by the certificates near expiry, not by the table; per
 * certificate, the alerts_sent check is one probe of its unique index on all three columns. That
 * subquery ends in "offset 0" so PostgreSQL keeps it a probe instead of an anti-join that would
 * hash the whole alerts_sent table.
 */
export async function findDueCertificates(
  db: Database,
  options: { now: Date; thresholds: number[] },
): Promise<DueCertificate[]> {
  const { now, thresholds } = options;
  const at = sql`${now.toISOString()}::timestamptz`;
  const overrides = await db
    .select({ days: clients.expiryDays })
    .from(clients)
    .where(isNotNull(clients.expiryDays));
  const horizonDays = Math.max(0, ...thresholds, ...overrides.flatMap((row) => row.days ?? []));
  const expired = sql`${orders.notAfter} <= ${at}`;
  const dueKind = sql`case when ${expired} then 'expired' else 'expiring' end`;
  const dueThreshold = sql`case when ${expired} then 0 else ${mostUrgentThreshold(at, thresholds)} end`;
  const rows = await db.transaction(async (tx) => {
    // The plan's estimated cost wakes PostgreSQL's JIT, whose compiling takes longer (0.9 s at 50,000
    // certificates near expiry) than running this indexed query; PGlite ignores the setting.
    await tx.execute(sql`set local jit = off`);
    // 50,000 due rows sort in memory instead of spilling a few megabytes to disk.
    await tx.execute(sql`set local work_mem = '32MB'`);
    return tx
      .select({
        orderId: orders.id,
        notAfter: orders.notAfter,
        expiryDays: clients.expiryDays,
        snoozedUntil: orders.alertsSnoozedUntil,
      })
      .from(orders)
      .innerJoin(clients, eq(clients.id, orders.clientId))
      .where(
        and(
          inArray(orders.status, ALERTED_STATUSES),
          gte(orders.notAfter, new Date(now.getTime() - EXPIRED_LOOKBACK_DAYS * DAY_MS)),
          lte(orders.notAfter, new Date(now.getTime() + horizonDays * DAY_MS)),
          alertable(),
          // A certificate with a renewal window (ACME) is told when its window opens (orders/
          // renewal-windows.ts); these thresholds take over only once the window has passed.
          or(isNull(orders.renewalWindowEnd), lte(orders.renewalWindowEnd, now)),
          notExists(
            sql`(select 1 from ${alertsSent} where ${alertsSent.orderId} = ${orders.id}
              and ${alertsSent.kind} = ${dueKind} and ${alertsSent.threshold} = ${dueThreshold} offset 0)`,
          ),
        ),
      )
      .orderBy(asc(orders.notAfter), asc(orders.id));
  });
  return rows.map(({ expiryDays, ...row }) => ({
    ...row,
    notAfter: row.notAfter ?? now,
    thresholds: [...(expiryDays ?? thresholds)].sort((a, b) => b - a),
  }));
}

const sameKey = (a: AlertKey) => (b: AlertKey) => a.kind === b.kind && a.threshold === b.threshold;

/** When a threshold was crossed: not-after minus that many days. */
function crossedAt(notAfter: Date, key: AlertKey): number {
  return notAfter.getTime() - key.threshold * DAY_MS;
}

/**
 * The rules: only the most urgent crossed threshold alerts (found at 6 days left: "7 days", and the
 * 30 and 14 are recorded as skipped so they never fire later); thresholds crossed while snoozed
 * are skipped, the next one after the snooze fires.
 */
export function planAlerts(certificate: DueCertificate, now: Date): AlertPlan {
  const { notAfter, snoozedUntil } = certificate;
  const crossed: AlertKey[] = certificate.thresholds
    .map((threshold) => ({ kind: "expiring" as const, threshold }))
    .filter((key) => crossedAt(notAfter, key) <= now.getTime());
  if (notAfter.getTime() <= now.getTime()) crossed.push({ kind: "expired", threshold: 0 });
  const mostUrgent = crossed.at(-1);
  const snoozed = (key: AlertKey) =>
    snoozedUntil !== null && crossedAt(notAfter, key) < snoozedUntil.getTime();
  const fire = mostUrgent && !snoozed(mostUrgent) ? mostUrgent : undefined;
  return { fire, skip: crossed.filter((key) => key !== fire) };
}

/**
 * Inserts the plan's rows: skipped ones already settled, the alert to post without posted_at.
 * Returns the alert's row id when this caller inserted it, i.e. when this caller must post it, and
 * how many skipped thresholds were new.
 */
export async function recordAlertPlan(
  db: Database,
  orderId: number,
  plan: AlertPlan,
  now: Date,
): Promise<{ alertId?: number; skipped: number }> {
  const rows = [
    ...plan.skip.map((key) => ({ ...key, postedAt: now })),
    ...(plan.fire ? [{ ...plan.fire, postedAt: null }] : []),
  ];
  if (rows.length === 0) return { skipped: 0 };
  const inserted = await db
    .insert(alertsSent)
    .values(rows.map((row) => ({ orderId, ...row, createdAt: now })))
    .onConflictDoNothing()
    .returning({ id: alertsSent.id, kind: alertsSent.kind, threshold: alertsSent.threshold });
  const fire = plan.fire;
  const fired = fire
    ? inserted.find((row) => sameKey(fire)({ ...row, kind: row.kind as AlertKind }))
    : undefined;
  return { alertId: fired?.id, skipped: inserted.length - (fired ? 1 : 0) };
}

/** Slack accepted the post (or, without `posted`, there is nothing left to post). */
export async function markAlertPosted(
  db: Database,
  alertId: number,
  posted: { channel: string; ts: string } | undefined,
  now: Date,
): Promise<void> {
  await db
    .update(alertsSent)
    .set({ postedAt: now, slackChannel: posted?.channel ?? null, slackTs: posted?.ts ?? null })
    .where(eq(alertsSent.id, alertId));
}

export interface PendingAlert extends AlertKey {
  alertId: number;
  /** Undefined when the certificate no longer needs the alert (acknowledged, renewed). */
  subject?: AlertSubject;
}

/**
 * Alerts inserted but never posted (a crash between insert and post), older than `olderThanMs`.
 * Claiming moves created_at to now, in one conditional update, so two scanners cannot both retry.
 */
export async function claimUnpostedAlerts(
  db: Database,
  now: Date,
  olderThanMs: number,
): Promise<PendingAlert[]> {
  const claimed = await db
    .update(alertsSent)
    .set({ createdAt: now })
    .where(and(isNull(alertsSent.postedAt), lt(alertsSent.createdAt, new Date(now.getTime() - olderThanMs))))
    .returning({
      alertId: alertsSent.id,
      orderId: alertsSent.orderId,
      kind: alertsSent.kind,
      threshold: alertsSent.threshold,
    });
  if (claimed.length === 0) return [];
  const subjects = new Map(
    (await loadSubjects(db, [...new Set(claimed.map((row) => row.orderId))])).map((subject) => [
      subject.orderId,
      subject,
    ]),
  );
  return claimed
    .sort((a, b) => a.alertId - b.alertId)
    .map((row) => ({
      alertId: row.alertId,
      kind: row.kind as AlertKind,
      threshold: row.threshold,
      subject: subjects.get(row.orderId),
    }));
}

/**
 * What the alert messages say about these certificates, for those still worth alerting. In chunks: a
 * long Slack outage can leave thousands unposted, and a query takes at most 65,535 parameters.
 */
export async function loadSubjects(db: Database, orderIds: number[]): Promise<AlertSubject[]> {
  const subjects: AlertSubject[] = [];
  for (let start = 0; start < orderIds.length; start += 1_000) {
    const rows = await db
      .select(subjectColumns)
      .from(orders)
      .innerJoin(clients, eq(clients.id, orders.clientId))
      .where(
        and(
          inArray(orders.id, orderIds.slice(start, start + 1_000)),
          isNotNull(orders.notAfter),
          alertable(),
        ),
      );
    subjects.push(...rows.map((row) => ({ ...row, notAfter: row.notAfter ?? new Date(0) })));
  }
  return subjects;
}

export interface SentAlert extends AlertKey {
  alertId: number;
  postedAt: Date | null;
  slackChannel: string | null;
  slackTs: string | null;
  subject: AlertSubject;
  acknowledgedBy: string | null;
  snoozedUntil: Date | null;
}

/** An alert with its certificate, for the Snooze / Acknowledge buttons. */
export async function getAlert(db: Database, alertId: number): Promise<SentAlert | undefined> {
  const [row] = await db
    .select({
      ...subjectColumns,
      alertId: alertsSent.id,
      kind: alertsSent.kind,
      threshold: alertsSent.threshold,
      postedAt: alertsSent.postedAt,
      alertChannel: alertsSent.slackChannel,
      slackTs: alertsSent.slackTs,
      acknowledgedBy: orders.alertsAcknowledgedBy,
      snoozedUntil: orders.alertsSnoozedUntil,
    })
    .from(alertsSent)
    .innerJoin(orders, eq(orders.id, alertsSent.orderId))
    .innerJoin(clients, eq(clients.id, orders.clientId))
    .where(eq(alertsSent.id, alertId));
  if (!row) return undefined;
  const { alertId: id, kind, threshold, postedAt, alertChannel, slackTs, acknowledgedBy, snoozedUntil } = row;
  return {
    alertId: id,
    kind: kind as AlertKind,
    threshold,
    postedAt,
    slackChannel: alertChannel,
    slackTs,
    acknowledgedBy,
    snoozedUntil,
    subject: {
      orderId: row.orderId,
      reference: row.reference,
      primaryDomain: row.primaryDomain,
      clientName: row.clientName,
      notAfter: row.notAfter ?? new Date(0),
      coverageEndsAt: row.coverageEndsAt,
      slackChannel: row.slackChannel,
      slackThreadTs: row.slackThreadTs,
    },
  };
}

/** Silences the order's alerts until `until`; audited. */
export async function snoozeAlerts(
  db: Database,
  change: { orderId: number; alertId: number; userId: string; until: Date; now: Date },
): Promise<void> {
  await db
    .update(orders)
    .set({ alertsSnoozedUntil: change.until, updatedAt: change.now })
    .where(eq(orders.id, change.orderId));
  await recordEvent(db, {
    orderId: change.orderId,
    actor: change.userId,
    kind: "alert_snoozed",
    detail: { alertId: change.alertId, until: change.until.toISOString() },
    at: change.now,
  });
}

/** Stops the order's alerts for good. The first person wins; later clicks learn who it was. */
export async function acknowledgeAlerts(
  db: Database,
  change: { orderId: number; alertId: number; userId: string; now: Date },
): Promise<{ acknowledgedBy: string; first: boolean }> {
  const [updated] = await db
    .update(orders)
    .set({ alertsAcknowledgedBy: change.userId, updatedAt: change.now })
    .where(and(eq(orders.id, change.orderId), isNull(orders.alertsAcknowledgedBy)))
    .returning({ id: orders.id });
  if (!updated) {
    const [current] = await db
      .select({ by: orders.alertsAcknowledgedBy })
      .from(orders)
      .where(eq(orders.id, change.orderId));
    return { acknowledgedBy: current?.by ?? change.userId, first: false };
  }
  await recordEvent(db, {
    orderId: change.orderId,
    actor: change.userId,
    kind: "alert_acknowledged",
    detail: { alertId: change.alertId },
    at: change.now,
  });
  return { acknowledgedBy: change.userId, first: true };
}

export interface HomeOrder {
  id: number;
  reference: string;
  primaryDomain: string;
  clientName: string;
  status: OrderStatus;
  requestedBy: string;
  notAfter: Date | null;
  coverageEndsAt: Date | null;
}

export interface HomeLists {
  awaitingApproval: HomeOrder[];
  pending: HomeOrder[];
  expiring: HomeOrder[];
  /** Issued certificates the served-certificate probe found not served as issued (or without their chain). */
  notServed: HomeOrder[];
}

const homeColumns = {
  id: orders.id,
  reference: orders.reference,
  primaryDomain: orders.primaryDomain,
  clientName: clients.name,
  status: orders.status,
  requestedBy: orders.requestedBy,
  notAfter: orders.notAfter,
  coverageEndsAt: orders.coverageEndsAt,
};

/**
 * What the App Home tab shows a person: orders waiting for their approval (when they may approve;
 * never their own), their orders still in progress, and certificates expiring within `days` that
 * no issued renewal replaces. Each list holds up to `limit` + 1 rows so the view can say "more".
 */
export async function listHomeOrders(
  db: Database,
  options: { userId: string; mayApprove: boolean; now: Date; days: number; limit: number },
): Promise<HomeLists> {
  const { userId, now, limit } = options;
  const base = () =>
    db.select(homeColumns).from(orders).innerJoin(clients, eq(clients.id, orders.clientId)).$dynamic();
  const live = and(eq(orders.status, "issued"), gt(orders.notAfter, now), isNull(orders.renewedAt));
  const [awaitingApproval, pending, expiring, notServed] = await Promise.all([
    options.mayApprove
      ? base()
          .where(and(eq(orders.status, "awaiting_approval"), ne(orders.requestedBy, userId)))
          .orderBy(asc(orders.createdAt), asc(orders.id))
          .limit(limit + 1)
      : Promise.resolve([]),
    base()
      .where(
        and(
          eq(orders.requestedBy, userId),
          inArray(orders.status, ["awaiting_approval", "submitting", "pending"]),
        ),
      )
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(limit + 1),
    base()
      .where(
        and(
          eq(orders.status, "issued"),
          gt(orders.notAfter, now),
          lte(orders.notAfter, new Date(now.getTime() + options.days * DAY_MS)),
          isNull(orders.renewedAt),
        ),
      )
      .orderBy(asc(orders.notAfter), asc(orders.id))
      .limit(limit + 1),
    base()
      .where(
        and(
          live,
          exists(
            db
              .select({ one: sql`1` })
              .from(servedProbes)
              .where(
                and(
                  eq(servedProbes.orderId, orders.id),
                  or(ne(servedProbes.status, "served"), eq(servedProbes.chainIncomplete, true)),
                ),
              ),
          ),
        ),
      )
      .orderBy(asc(orders.notAfter), asc(orders.id))
      .limit(limit + 1),
  ]);
  return { awaitingApproval, pending, expiring, notServed };
}

/** Whole days left, rounded down so an alert never promises more time than there is. */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}
