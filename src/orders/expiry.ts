import {
  and,
  asc,
  desc,
  eq,
  gt,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  ne,
  notExists,
  type SQL,
  sql,
} from "drizzle-orm";
import type { Database } from "../db/client.js";
import { alertsSent, clients, type OrderStatus, orders } from "../db/schema.js";
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
  slackChannel: string | null;
  slackThreadTs: string | null;
}

export interface DueCertificate extends AlertSubject {
  /** Descending: the client's override, else the global EXPIRY_DAYS. */
  thresholds: number[];
  snoozedUntil: Date | null;
  recorded: AlertKey[];
}

export interface AlertPlan {
  /** The one alert to post: the most urgent threshold crossed, unless it was already told or snoozed. */
  fire?: AlertKey;
  /** Crossed thresholds that must never fire later: less urgent ones, and those due while snoozed. */
  skip: AlertKey[];
}

const DAY_MS = 86_400_000;
/** A certificate that expired longer ago than this, untold, predates certdesk or an outage: history, not news. */
export const EXPIRED_LOOKBACK_DAYS = 30;
const ALERTED_STATUSES: OrderStatus[] = ["issued", "expired"];

/*
 * The correlated subqueries below end in "offset 0": it keeps PostgreSQL from turning them into
 * anti-joins, which hash or sort the whole orders / alerts_sent tables. As subplans they are one
 * index probe per certificate near expiry, so a scan costs what the window holds, not the history.
 */

// Aliased, so the outer "orders" in the condition is the certificate being renewed.
const renewalIssued = () =>
  sql`(select 1 from ${orders} as renewal where renewal.renewal_of_id = ${orders.id} and renewal.status = 'issued' offset 0)`;

/** Still worth alerting: nobody acknowledged it and no renewal of it has been issued. */
function alertable(): SQL {
  return and(isNull(orders.alertsAcknowledgedBy), notExists(renewalIssued())) as SQL;
}

const subjectColumns = {
  orderId: orders.id,
  reference: orders.reference,
  primaryDomain: orders.primaryDomain,
  clientName: clients.name,
  notAfter: orders.notAfter,
  slackChannel: orders.slackChannel,
  slackThreadTs: orders.slackThreadTs,
};

/**
 * Certificates whose most urgent crossed threshold (or expiry) has no alerts_sent row yet; for a
 * client whose own thresholds end below the horizon, also those that crossed none (planAlerts
 * makes nothing of them), which costs less than asking the database to work out a second time.
 * The orders_status_not_after_idx range (not-after within the largest threshold ahead and the
 * lookback behind) bounds the work by the certificates near expiry, not by the table.
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
  const list = sql`coalesce(${clients.expiryDays}, ${JSON.stringify(thresholds)}::jsonb)`;
  const mostUrgent = sql`(select min(t.value::int) from jsonb_array_elements_text(${list}) t
    where ${orders.notAfter} <= ${at} + make_interval(days => t.value::int))`;
  // Every (kind, threshold) already recorded for the certificate, as [["expiring", 30], …].
  const pair = sql`json_build_array(${alertsSent.kind}, ${alertsSent.threshold})`;
  const recorded = sql<[string, number][]>`(select coalesce(json_agg(${pair}), '[]')
    from ${alertsSent} where ${alertsSent.orderId} = ${orders.id})`;
  const rows = await db.transaction(async (tx) => {
    // The plan's estimated cost wakes PostgreSQL's JIT, whose compiling takes longer (0.9 s at 50,000
    // certificates near expiry) than running this indexed query; PGlite ignores the setting.
    await tx.execute(sql`set local jit = off`);
    return tx
      .select({
        ...subjectColumns,
        expiryDays: clients.expiryDays,
        snoozedUntil: orders.alertsSnoozedUntil,
        recorded,
      })
      .from(orders)
      .innerJoin(clients, eq(clients.id, orders.clientId))
      .where(
        and(
          inArray(orders.status, ALERTED_STATUSES),
          gte(orders.notAfter, new Date(now.getTime() - EXPIRED_LOOKBACK_DAYS * DAY_MS)),
          lte(orders.notAfter, new Date(now.getTime() + horizonDays * DAY_MS)),
          alertable(),
          notExists(
            sql`(select 1 from ${alertsSent} where ${alertsSent.orderId} = ${orders.id} and case
              when ${orders.notAfter} <= ${at} then ${alertsSent.kind} = 'expired'
              else ${alertsSent.kind} = 'expiring' and ${alertsSent.threshold} = ${mostUrgent} end offset 0)`,
          ),
        ),
      )
      .orderBy(asc(orders.notAfter), asc(orders.id));
  });
  return rows.map(({ expiryDays, recorded: keys, ...row }) => ({
    ...row,
    notAfter: row.notAfter ?? now,
    thresholds: [...(expiryDays ?? thresholds)].sort((a, b) => b - a),
    recorded: keys.map(([kind, threshold]) => ({ kind: kind as AlertKind, threshold })),
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
  const untold = crossed.filter((key) => !certificate.recorded.some(sameKey(key)));
  const mostUrgent = crossed.at(-1);
  const snoozed = (key: AlertKey) =>
    snoozedUntil !== null && crossedAt(notAfter, key) < snoozedUntil.getTime();
  const fire =
    mostUrgent && untold.some(sameKey(mostUrgent)) && !snoozed(mostUrgent) ? mostUrgent : undefined;
  return { fire, skip: untold.filter((key) => key !== fire) };
}

/**
 * Inserts the plan's rows: skipped ones already settled, the alert to post without posted_at.
 * Returns the alert's row id when this caller inserted it, i.e. when this caller must post it.
 */
export async function recordAlertPlan(
  db: Database,
  orderId: number,
  plan: AlertPlan,
  now: Date,
): Promise<number | undefined> {
  const rows = [
    ...plan.skip.map((key) => ({ ...key, postedAt: now })),
    ...(plan.fire ? [{ ...plan.fire, postedAt: null }] : []),
  ];
  if (rows.length === 0) return undefined;
  const inserted = await db
    .insert(alertsSent)
    .values(rows.map((row) => ({ orderId, ...row, createdAt: now })))
    .onConflictDoNothing()
    .returning({ id: alertsSent.id, kind: alertsSent.kind, threshold: alertsSent.threshold });
  const fire = plan.fire;
  return fire
    ? inserted.find((row) => sameKey(fire)({ ...row, kind: row.kind as AlertKind }))?.id
    : undefined;
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

/** In chunks: a long Slack outage can leave thousands unposted, and a query takes at most 65,535 parameters. */
async function loadSubjects(db: Database, orderIds: number[]): Promise<AlertSubject[]> {
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
}

export interface HomeLists {
  awaitingApproval: HomeOrder[];
  pending: HomeOrder[];
  expiring: HomeOrder[];
}

const homeColumns = {
  id: orders.id,
  reference: orders.reference,
  primaryDomain: orders.primaryDomain,
  clientName: clients.name,
  status: orders.status,
  requestedBy: orders.requestedBy,
  notAfter: orders.notAfter,
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
  const [awaitingApproval, pending, expiring] = await Promise.all([
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
          notExists(renewalIssued()),
        ),
      )
      .orderBy(asc(orders.notAfter), asc(orders.id))
      .limit(limit + 1),
  ]);
  return { awaitingApproval, pending, expiring };
}

/** Whole days left, rounded down so an alert never promises more time than there is. */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}
