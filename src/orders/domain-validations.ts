import { isBefore } from "date-fns/isBefore";
import { and, asc, eq, gt, inArray, lte, sql } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { clients, domainValidations, orderEvents, orders } from "../db/schema.js";
import type { DomainValidation, ValidationListing, ValidationStanding } from "../domain/dcv.js";
import { dcvReusableUntil, reusableUntilFor } from "../domain/lifetime.js";
import type { Certificate } from "./certificates.js";
import { getOrder, type Order } from "./repository.js";

/**
 * When each domain was last validated at a provider, how, and until when the CA may reuse that
 * validation: recorded when a certificate for it is issued, read by the reissue and renewal forms
 * to say whether the domain must be validated again.
 */

/**
 * The domains of an issued certificate were validated (the CA issues only then): upserts one row
 * per domain, at the issue time, for the method the certificate was validated with.
 */
export async function recordValidations(
  db: Database,
  args: {
    order: Pick<Order, "id" | "provider">;
    certificate: Pick<Certificate, "domains" | "dcvMethod">;
    validatedAt: Date;
    /** The provider's own reuse limit (capabilities.dcvReuseDays), when shorter than the Forum's. */
    caDays?: number;
  },
): Promise<void> {
  const reusableUntil = dcvReusableUntil(args.validatedAt, args.caDays);
  const rows = [...new Set(args.certificate.domains)].map((domain) => ({
    domain,
    provider: args.order.provider,
    method: args.certificate.dcvMethod,
    validatedAt: args.validatedAt,
    reusableUntil,
    orderId: args.order.id,
  }));
  if (rows.length === 0) return;
  await db
    .insert(domainValidations)
    .values(rows)
    .onConflictDoUpdate({
      target: [domainValidations.domain, domainValidations.provider],
      set: {
        method: sql`excluded.method`,
        validatedAt: sql`excluded.validated_at`,
        reusableUntil: sql`excluded.reusable_until`,
        orderId: sql`excluded.order_id`,
      },
      // A late poll of an older certificate never replaces a newer validation.
      setWhere: sql`${domainValidations.validatedAt} <= excluded.validated_at`,
    });
}

/**
 * Where each of `domains` stands at `provider` on `now`. A domain without a recorded validation
 * whose order holds an issued certificate for it (one issued before validations were recorded)
 * counts as validated when that certificate started.
 */
export async function validationStandings(
  db: Database,
  args: {
    provider: string;
    domains: string[];
    now: Date;
    caDays?: number;
    /** The order's current certificate, for domains with no recorded validation. */
    fallback?: { domains: string[]; method: string; validatedAt: Date | null };
  },
): Promise<ValidationStanding[]> {
  const rows =
    args.domains.length === 0
      ? []
      : await db
          .select()
          .from(domainValidations)
          .where(
            and(
              eq(domainValidations.provider, args.provider),
              inArray(domainValidations.domain, args.domains),
            ),
          );
  const byDomain = new Map(rows.map((row) => [row.domain, row]));
  return args.domains.map((domain): ValidationStanding => {
    const row = byDomain.get(domain);
    const fallback = args.fallback;
    const validatedAt =
      row?.validatedAt ??
      (fallback?.validatedAt && fallback.domains.includes(domain) ? fallback.validatedAt : undefined);
    if (!validatedAt) return { domain, kind: "none" };
    // The limit in force for a certificate issued now, never later than what was recorded.
    const limit = reusableUntilFor(validatedAt, args.now, args.caDays);
    const validation: DomainValidation = {
      domain,
      method: row?.method ?? fallback?.method ?? "",
      validatedAt,
      reusableUntil: row && row.reusableUntil < limit ? row.reusableUntil : limit,
    };
    return isBefore(args.now, validation.reusableUntil)
      ? { domain, kind: "reusable", validation }
      : { domain, kind: "expired", validation };
  });
}

/** Where the order's domains stand for a reissue or renewal at its provider. */
export function standingsForOrder(
  db: Database,
  order: Order,
  args: { now: Date; caDays?: number },
): Promise<ValidationStanding[]> {
  const domains = [order.primaryDomain, ...order.sans];
  return validationStandings(db, {
    provider: order.provider,
    domains,
    now: args.now,
    caDays: args.caDays,
    fallback: order.certificate
      ? { domains, method: order.dcvMethod, validatedAt: order.notBefore }
      : undefined,
  });
}

export interface ValidationsOverview {
  /** Pending or issued orders still validated by e-mail (CAs stop accepting it on 2028-03-15). */
  byEmail: ValidationListing[];
  /** Recorded validations that can be reused for 30 days at most from `now`. */
  expiringSoon: (ValidationListing & { domain: string })[];
  /** Orders waiting for validation at the provider for longer than `stuckAfterHours`. */
  stuck: ValidationListing[];
}

const OVERVIEW_LIMIT = 20;

/** What `/ssl validations` shows: e-mail validations to move off, reuse running out, stuck orders. */
export async function validationsOverview(
  db: Database,
  args: { now: Date; stuckAfterHours: number },
): Promise<ValidationsOverview> {
  const entry = {
    reference: orders.reference,
    primaryDomain: orders.primaryDomain,
    clientName: clients.name,
    status: orders.status,
    dcvMethod: orders.dcvMethod,
    approverEmail: orders.approverEmail,
  };
  const byEmail = await db
    .select({ ...entry, at: orders.notAfter })
    .from(orders)
    .innerJoin(clients, eq(clients.id, orders.clientId))
    .where(and(eq(orders.dcvMethod, "email"), inArray(orders.status, ["pending", "issued"])))
    .orderBy(asc(orders.notAfter), asc(orders.id))
    .limit(OVERVIEW_LIMIT);
  const soon = new Date(args.now.getTime() + 30 * 86_400_000);
  const expiringSoon = await db
    .select({ ...entry, domain: domainValidations.domain, at: domainValidations.reusableUntil })
    .from(domainValidations)
    .innerJoin(orders, eq(orders.id, domainValidations.orderId))
    .innerJoin(clients, eq(clients.id, orders.clientId))
    .where(and(gt(domainValidations.reusableUntil, args.now), lte(domainValidations.reusableUntil, soon)))
    .orderBy(asc(domainValidations.reusableUntil))
    .limit(OVERVIEW_LIMIT);
  // Pending since its placement: the `submitted` event is when the provider took it.
  const submittedAt = sql<Date>`(select max(${orderEvents.at}) from ${orderEvents}
    where ${orderEvents.orderId} = ${orders.id} and ${orderEvents.kind} = 'submitted')`.mapWith(
    orderEvents.at,
  );
  const stuckBefore = new Date(args.now.getTime() - args.stuckAfterHours * 3_600_000);
  const stuck = await db
    .select({ ...entry, at: submittedAt })
    .from(orders)
    .innerJoin(clients, eq(clients.id, orders.clientId))
    // A raw expression has no column type to encode a Date with on postgres.js: compare as text.
    .where(
      and(eq(orders.status, "pending"), sql`${submittedAt} <= ${stuckBefore.toISOString()}::timestamptz`),
    )
    .orderBy(asc(submittedAt))
    .limit(OVERVIEW_LIMIT);
  return { byEmail, expiringSoon, stuck };
}

/**
 * Orders waiting for validation at the provider since before `stuckBefore` whose thread has not
 * been told so yet (no `validation_stuck` event), oldest first.
 */
export async function listStuckUntold(db: Database, stuckBefore: Date, limit = 50): Promise<Order[]> {
  const submittedAt = sql`(select max(${orderEvents.at}) from ${orderEvents}
    where ${orderEvents.orderId} = ${orders.id} and ${orderEvents.kind} = 'submitted')`;
  const told = sql`exists (select 1 from ${orderEvents}
    where ${orderEvents.orderId} = ${orders.id} and ${orderEvents.kind} = 'validation_stuck')`;
  const rows = await db
    .select({ id: orders.id })
    .from(orders)
    .where(
      and(
        eq(orders.status, "pending"),
        sql`${submittedAt} <= ${stuckBefore.toISOString()}::timestamptz`,
        sql`not ${told}`,
      ),
    )
    .orderBy(asc(orders.id))
    .limit(limit);
  const found = await Promise.all(rows.map((row) => getOrder(db, row.id)));
  return found.filter((order): order is Order => order !== undefined);
}

/**
 * Records that `orderId`'s thread is told it is stuck; false when another app instance did it
 * first (the unique index order_events_one_stuck_idx), so each order is told once.
 */
export async function claimStuckNotice(
  db: Database,
  event: { orderId: number; at: Date; detail: Record<string, unknown> },
): Promise<boolean> {
  const inserted = await db
    .insert(orderEvents)
    .values({
      orderId: event.orderId,
      actor: "system",
      kind: "validation_stuck",
      at: event.at,
      detail: event.detail,
    })
    .onConflictDoNothing()
    .returning({ id: orderEvents.id });
  return inserted.length > 0;
}

/** How many orders have waited for validation at the provider since before `stuckBefore`. */
export async function countStuck(db: Database, stuckBefore: Date): Promise<number> {
  const submittedAt = sql`(select max(${orderEvents.at}) from ${orderEvents}
    where ${orderEvents.orderId} = ${orders.id} and ${orderEvents.kind} = 'submitted')`;
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(orders)
    .where(
      and(eq(orders.status, "pending"), sql`${submittedAt} <= ${stuckBefore.toISOString()}::timestamptz`),
    );
  return row?.count ?? 0;
}
