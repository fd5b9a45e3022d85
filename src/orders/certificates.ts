import { and, asc, desc, eq, gt, inArray, isNotNull, lte, notExists, sql } from "drizzle-orm";
import { certificateMatchesCsr, inspectCertificate } from "../certs/inspect.js";
import type { Database } from "../db/client.js";
import { alertsSent, certificates, orders, servedProbes } from "../db/schema.js";
import { OPEN_CERTIFICATE_STATUSES } from "../domain/certificate.js";
import { coverageEnd } from "../domain/lifetime.js";
import type { IssuedCertificate } from "../providers/types.js";
import type { NewOrder, Order } from "./repository.js";

/**
 * An order's certificates (cert-manager's CertificateRequest to the order's Certificate): the
 * first, then each reissue. The order row keeps a copy of the current certificate's columns so the
 * expiry scan and Details read one row; this module is the one place that writes both.
 */

export type Certificate = typeof certificates.$inferSelect;
export type NewCertificate = typeof certificates.$inferInsert;

/** Hex serial as openssl prints it; undefined when the PEM cannot be read. */
function serialOf(pem: string): string | undefined {
  try {
    return inspectCertificate(pem).serialNumber;
  } catch {
    return undefined;
  }
}

/**
 * The order's move to issued with its first certificate, and the subscription's coverage end (the
 * provider's where it says, else the certificate's start plus the period bought), in one
 * transaction: an order is never issued without its certificate row.
 */
export async function issueFirstCertificate(
  db: Database,
  args: {
    order: Order;
    issued: IssuedCertificate;
    /** The order's own move (transitionOrder), given the patch with the certificate columns. */
    transition(tx: Database, patch: Partial<NewOrder>): Promise<Order | undefined>;
    now: Date;
  },
): Promise<Order | undefined> {
  const { order, issued, now } = args;
  return db.transaction(async (tx) => {
    const changed = await args.transition(tx, {
      certificate: issued.certificatePem,
      chain: issued.chainPem,
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
      coverageEndsAt:
        order.coverageEndsAt ?? issued.coverageEndsAt ?? coverageEnd(issued.notBefore, order.periodMonths),
    });
    if (!changed) return undefined;
    await tx
      .insert(certificates)
      .values({ ...firstCertificateOf(changed), issuedAt: now })
      .onConflictDoNothing();
    return changed;
  });
}

/** Certificate 1 as the order row describes it (orders issued before certificates had rows too). */
function firstCertificateOf(order: Order): NewCertificate {
  return {
    orderId: order.id,
    number: 1,
    reason: order.renewalOfId ? "renewal" : "initial",
    status: "issued",
    requestedBy: order.requestedBy,
    approvedBy: order.approvedBy,
    keySource: order.csr && !order.encryptedPrivateKey ? "client_csr" : "generated",
    keyAlgorithm: order.encryptedPrivateKey ? order.keyAlgorithm : null,
    csr: order.csr,
    encryptedPrivateKey: order.encryptedPrivateKey,
    domains: [order.primaryDomain, ...order.sans],
    dcvMethod: order.dcvMethod,
    approverEmail: order.approverEmail,
    dcvInstructions: order.dcvInstructions,
    certificate: order.certificate,
    chain: order.chain,
    serial: order.certificate ? serialOf(order.certificate) : undefined,
    notBefore: order.notBefore,
    notAfter: order.notAfter,
    issuedAt: order.notBefore,
  };
}

/**
 * The order's certificates, first first. An issued order without rows (one stored by hand, say)
 * gets its certificate 1 from the order's columns; serials the migration could not read from SQL are
 * filled in here.
 */
export async function listCertificates(db: Database, order: Order): Promise<Certificate[]> {
  let rows = await db
    .select()
    .from(certificates)
    .where(eq(certificates.orderId, order.id))
    .orderBy(asc(certificates.number));
  if (rows.length === 0 && order.certificate) {
    await db.insert(certificates).values(firstCertificateOf(order)).onConflictDoNothing();
    return listCertificates(db, order);
  }
  const unread = rows.filter((row) => row.certificate && !row.serial);
  for (const row of unread) {
    const serial = row.certificate ? serialOf(row.certificate) : undefined;
    if (serial) await db.update(certificates).set({ serial }).where(eq(certificates.id, row.id));
  }
  if (unread.length > 0)
    rows = rows.map((row) =>
      row.certificate && !row.serial ? { ...row, serial: serialOf(row.certificate) ?? null } : row,
    );
  return rows;
}

export async function getCertificate(db: Database, id: number): Promise<Certificate | undefined> {
  const [row] = await db.select().from(certificates).where(eq(certificates.id, id));
  return row;
}

/**
 * The reissue a provider's answer for an issued order may settle: the one validating, or, when the
 * provider now serves a certificate that is not the current one, the failed reissue whose CSR it
 * was signed for (its answer was lost on the way back, so it was marked failed while the provider
 * took it).
 */
export async function findReissueToSettle(
  db: Database,
  order: Order,
  servedPem: string | undefined,
): Promise<Certificate | undefined> {
  const open = await findOpenReissue(db, order.id);
  if (open) return open.status === "pending" ? open : undefined;
  if (!servedPem || servedPem === order.certificate) return undefined;
  const failed = await db
    .select()
    .from(certificates)
    .where(and(eq(certificates.orderId, order.id), eq(certificates.status, "failed")))
    .orderBy(desc(certificates.number))
    .limit(3);
  return failed.find((row) => row.csr && matches(servedPem, row.csr));
}

function matches(certificatePem: string, csrPem: string): boolean {
  try {
    return certificateMatchesCsr(certificatePem, csrPem);
  } catch {
    return false;
  }
}

/** The order's reissue waiting, being sent or validating (at most one: a partial unique index). */
export async function findOpenReissue(db: Database, orderId: number): Promise<Certificate | undefined> {
  const [row] = await db
    .select()
    .from(certificates)
    .where(and(eq(certificates.orderId, orderId), inArray(certificates.status, OPEN_CERTIFICATE_STATUSES)))
    .limit(1);
  return row;
}

export async function findCertificateByKey(
  db: Database,
  idempotencyKey: string,
): Promise<Certificate | undefined> {
  const [row] = await db.select().from(certificates).where(eq(certificates.idempotencyKey, idempotencyKey));
  return row;
}

/**
 * Stores a reissue as the order's next certificate. Undefined when another open reissue won the
 * race (the partial unique index); the caller reads it with findOpenReissue.
 */
export async function insertReissue(
  db: Database,
  order: Order,
  values: Omit<NewCertificate, "orderId" | "number" | "reason">,
): Promise<Certificate | undefined> {
  await listCertificates(db, order);
  const [row] = await db
    .insert(certificates)
    .values({
      ...values,
      orderId: order.id,
      reason: "reissue",
      number: sql`(select coalesce(max(${certificates.number}), 0) + 1 from ${certificates} where ${certificates.orderId} = ${order.id})`,
    })
    .onConflictDoNothing()
    .returning();
  return row;
}

/** Moves a certificate along its own life, only from one of `from` (a click and a poll cannot both win). */
export async function transitionCertificate(
  db: Database,
  id: number,
  from: Certificate["status"][],
  patch: Partial<NewCertificate> & { status: Certificate["status"] },
): Promise<Certificate | undefined> {
  const [row] = await db
    .update(certificates)
    .set(patch)
    .where(and(eq(certificates.id, id), inArray(certificates.status, from)))
    .returning();
  return row;
}

/**
 * A reissue came back issued: it becomes the order's current certificate (key, CSR, dates), and
 * the expiry alerts, snooze and acknowledgement of the one it replaces are cleared so the new
 * certificate is alerted on its own dates. One transaction.
 */
export async function recordReissued(
  db: Database,
  args: { order: Order; certificate: Certificate; issued: IssuedCertificate; now: Date },
): Promise<{ order: Order; certificate: Certificate } | undefined> {
  const { order, issued, now } = args;
  return db.transaction(async (tx) => {
    const [certificate] = await tx
      .update(certificates)
      .set({
        status: "issued",
        certificate: issued.certificatePem,
        chain: issued.chainPem,
        serial: serialOf(issued.certificatePem),
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
        issuedAt: now,
      })
      .where(
        and(eq(certificates.id, args.certificate.id), inArray(certificates.status, ["pending", "failed"])),
      )
      .returning();
    if (!certificate) return undefined;
    const [updated] = await tx
      .update(orders)
      .set({
        csr: certificate.csr,
        encryptedPrivateKey: certificate.encryptedPrivateKey,
        keyAlgorithm: certificate.keyAlgorithm ?? order.keyAlgorithm,
        primaryDomain: certificate.domains[0] ?? order.primaryDomain,
        sans: certificate.domains.slice(1),
        dcvMethod: certificate.dcvMethod,
        approverEmail: certificate.approverEmail,
        dcvInstructions: certificate.dcvInstructions,
        certificate: issued.certificatePem,
        chain: issued.chainPem,
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
        alertsSnoozedUntil: null,
        alertsAcknowledgedBy: null,
        updatedAt: now,
      })
      .where(eq(orders.id, order.id))
      .returning();
    await tx.delete(alertsSent).where(eq(alertsSent.orderId, order.id));
    // What the probe saw concerns the old certificate; the new one is looked at on the next probe.
    await tx.delete(servedProbes).where(eq(servedProbes.orderId, order.id));
    if (!updated) throw new Error(`order ${order.id} vanished while its reissue was recorded`);
    return { order: updated, certificate };
  });
}

/** The issued certificate the order row holds a copy of (the last issued one, failing that). */
export async function currentCertificate(db: Database, order: Order): Promise<Certificate | undefined> {
  // Orders issued before certificates had rows get their certificate 1 here.
  return currentOf(order, await listCertificates(db, order));
}

/** currentCertificate among rows already read (listCertificates). */
export function currentOf<T extends Pick<Certificate, "status" | "certificate">>(
  order: Pick<Order, "certificate">,
  rows: T[],
): T | undefined {
  const issued = rows.filter((row) => row.status === "issued");
  return issued.findLast((row) => row.certificate === order.certificate) ?? issued[issued.length - 1];
}

/**
 * The CA revoked the order's current certificate (currentCertificate): the order moves to revoked
 * (its own move, `transition`, from issued only) and the certificate's row with it, in one
 * transaction. Undefined when the order was no longer issued (another revocation won). The order
 * keeps its certificate columns: Details still shows what was revoked.
 */
export async function recordRevoked(
  db: Database,
  args: {
    order: Order;
    certificate: Certificate;
    transition(tx: Database): Promise<Order | undefined>;
  },
): Promise<{ order: Order; certificate: Certificate } | undefined> {
  const { order } = args;
  return db.transaction(async (tx) => {
    const changed = await args.transition(tx);
    if (!changed) return undefined;
    const [certificate] = await tx
      .update(certificates)
      .set({ status: "revoked" })
      .where(and(eq(certificates.id, args.certificate.id), eq(certificates.status, "issued")))
      .returning();
    if (!certificate) {
      throw new Error(`${order.reference}'s certificate ${args.certificate.number} changed meanwhile`);
    }
    return { order: changed, certificate };
  });
}

/** Ids of orders with a reissue validating at the provider, for the poller. */
export function pendingReissueOrders() {
  return sql`exists (select 1 from ${certificates} where ${certificates.orderId} = ${orders.id}
    and ${certificates.status} = 'pending')`;
}

/**
 * Issued orders whose certificate expires by `before` while the subscription still covers more
 * than a day past it, with no reissue open: AUTO_REISSUE_DAYS' candidates, soonest first.
 */
export async function listDueForReissue(db: Database, before: Date, limit = 500): Promise<Order[]> {
  return db
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.status, "issued"),
        // A client that keeps its key sends a new CSR itself: certdesk never makes a key for it.
        isNotNull(orders.encryptedPrivateKey),
        lte(orders.notAfter, before),
        gt(orders.coverageEndsAt, sql`${orders.notAfter} + interval '1 day'`),
        notExists(
          sql`(select 1 from ${certificates} where ${certificates.orderId} = ${orders.id}
            and ${certificates.status} in ('awaiting_approval', 'submitting', 'pending'))`,
        ),
      ),
    )
    .orderBy(asc(orders.notAfter), asc(orders.id))
    .limit(limit);
}

/**
 * A certificate certdesk did not order (orders/certificate-import.ts): an issued order and its
 * certificate 1 in one transaction. Undefined when the order's idempotency key was taken (the same
 * certificate imported twice at once: the other import stored it).
 */
export async function recordImportedCertificate(
  db: Database,
  args: { order: NewOrder & { status: "issued" }; now: Date },
): Promise<Order | undefined> {
  return db.transaction(async (tx) => {
    const [order] = await tx
      .insert(orders)
      .values(args.order)
      .onConflictDoNothing({ target: orders.idempotencyKey })
      .returning();
    if (!order) return undefined;
    await tx.insert(certificates).values({ ...firstCertificateOf(order), keySource: "client_csr" });
    return order;
  });
}

/** Issued certificates with this serial (upper-case hex), with their order, newest first. */
export async function findCertificatesBySerial(
  db: Database,
  serial: string,
): Promise<{ certificate: Certificate; order: Order }[]> {
  return db
    .select({ certificate: certificates, order: orders })
    .from(certificates)
    .innerJoin(orders, eq(orders.id, certificates.orderId))
    .where(eq(certificates.serial, serial))
    .orderBy(desc(certificates.id))
    .limit(20);
}
