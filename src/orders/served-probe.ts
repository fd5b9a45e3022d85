import { and, asc, eq, gt, inArray, isNull, notInArray, sql } from "drizzle-orm";
import { certificateFacts, splitPemBundle } from "../certs/inspect.js";
import type { ServedPems, ServedProber, ServedTarget } from "../checks/served-certificate.js";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { clients, orderEvents, orders, servedProbes } from "../db/schema.js";
import { certificateLabel } from "../domain/certificate.js";
import { forEachLimited } from "../domain/concurrency.js";
import {
  type CertificateFacts,
  compareServed,
  DEFAULT_PROBE_PORTS,
  probeNames,
  type ServedCheck,
  type ServedLook,
  type ServedProblem,
  type ServedVerdict,
  servedProblems,
} from "../domain/served.js";
import { type Certificate, currentCertificate } from "./certificates.js";
import type { OrderObserver } from "./order-service.js";
import type { Order } from "./repository.js";

/**
 * "What is served" (PROBE_CRON): for each issued, unexpired, not renewed order, its current
 * certificate's names (wildcards skipped: domain/served.ts) are looked at on each of the client's
 * probe ports (clients.probe_ports, 443 when unset), at most PROBE_CONCURRENCY connections at once
 * across the whole run. Each look replaces that (certificate, name, port)'s row in served_probes
 * (Details and App Home read them), and each problem is told once per certificate in the order's
 * thread: an order event `served_problem` whose unique index (order, certificate, problem) makes the
 * first insert the only one, whichever replica or run gets there.
 */

/** Never more than this many connections at once (the limit). */
export const PROBE_CONCURRENCY = 4;

export interface ServedProbeSummary {
  /** Certificates looked at. */
  certificates: number;
  /** Name and port pairs looked at. */
  looked: number;
  served: number;
  different: number;
  notServed: number;
  /** Problems told in threads this run. */
  told: number;
}

export interface ServedProbeDeps {
  db: Database;
  clock: Clock;
  observer: OrderObserver;
  prober: ServedProber;
  /** Connections at once; PROBE_CONCURRENCY unless a test says otherwise. */
  concurrency?: number;
  logger: { warn(...message: unknown[]): void; error(...message: unknown[]): void };
}

interface Subject {
  order: Order;
  certificate: Certificate;
  ours: { leaf: CertificateFacts; chain: CertificateFacts[] };
  targets: ServedTarget[];
}

export function createServedProbe(deps: ServedProbeDeps) {
  const { db, clock, observer, logger } = deps;
  const concurrency = deps.concurrency ?? PROBE_CONCURRENCY;

  async function run(options: { signal?: AbortSignal } = {}): Promise<ServedProbeSummary> {
    const summary: ServedProbeSummary = {
      certificates: 0,
      looked: 0,
      served: 0,
      different: 0,
      notServed: 0,
      told: 0,
    };
    const subjects = await loadSubjects(clock.now());
    const looks = subjects.flatMap((subject) => subject.targets.map((target) => ({ subject, target })));
    const verdicts = new Map<Subject, { target: ServedTarget; verdict: ServedVerdict }[]>();
    await forEachLimited(looks, concurrency, async ({ subject, target }) => {
      options.signal?.throwIfAborted();
      const verdict = compareServed(subject.ours, factsOf(await deps.prober.look(target)));
      summary.looked += 1;
      if (verdict.status === "served") summary.served += 1;
      else if (verdict.status === "different") summary.different += 1;
      else summary.notServed += 1;
      const seen = verdicts.get(subject) ?? [];
      seen.push({ target, verdict });
      verdicts.set(subject, seen);
    });
    for (const subject of subjects) {
      const seen = verdicts.get(subject) ?? [];
      await store(subject, seen);
      summary.certificates += 1;
      summary.told += await tell(subject, seen);
    }
    return summary;
  }

  /** Issued orders still valid and not renewed, with their current certificate, names and ports. */
  async function loadSubjects(now: Date): Promise<Subject[]> {
    const rows = await db
      .select({ order: orders, probePorts: clients.probePorts })
      .from(orders)
      .innerJoin(clients, eq(clients.id, orders.clientId))
      .where(and(eq(orders.status, "issued"), gt(orders.notAfter, now), isNull(orders.renewedAt)))
      .orderBy(asc(orders.notAfter), asc(orders.id));
    const subjects: Subject[] = [];
    for (const { order, probePorts } of rows) {
      const certificate = await currentCertificate(db, order);
      if (!certificate?.certificate) continue;
      const ours = parseOurs(order, certificate);
      if (!ours) continue;
      const ports = probePorts && probePorts.length > 0 ? probePorts : DEFAULT_PROBE_PORTS;
      const names = probeNames(
        certificate.domains.length > 0 ? certificate.domains : [order.primaryDomain, ...order.sans],
      );
      const targets = names.flatMap((name) => ports.map((port) => ({ name, port })));
      if (targets.length > 0) subjects.push({ order, certificate, ours, targets });
    }
    return subjects;
  }

  function parseOurs(order: Order, certificate: Certificate): Subject["ours"] | undefined {
    try {
      const chain = (certificate.chain ?? order.chain ?? []).flatMap(splitPemBundle);
      return { leaf: certificateFacts(certificate.certificate ?? ""), chain: chain.map(certificateFacts) };
    } catch (error) {
      logger.warn(`${order.reference}'s stored certificate could not be parsed; it is not probed:`, error);
      return undefined;
    }
  }

  /** This run's looks replace the certificate's rows; names or ports no longer looked at go. */
  async function store(subject: Subject, seen: { target: ServedTarget; verdict: ServedVerdict }[]) {
    const checkedAt = clock.now();
    const certificateId = subject.certificate.id;
    for (const { target, verdict } of seen) {
      const values = {
        status: verdict.status,
        chainIncomplete: verdict.chainIncomplete,
        servedSerial: verdict.servedSerial ?? null,
        servedNotAfter: verdict.servedNotAfter ?? null,
        message: verdict.message ?? null,
        checkedAt,
      };
      await db
        .insert(servedProbes)
        .values({ certificateId, orderId: subject.order.id, name: target.name, port: target.port, ...values })
        .onConflictDoUpdate({
          target: [servedProbes.certificateId, servedProbes.name, servedProbes.port],
          set: values,
        });
    }
    const kept = seen.map(({ target }) => `${target.name}:${target.port}`);
    await db
      .delete(servedProbes)
      .where(
        and(
          eq(servedProbes.certificateId, certificateId),
          kept.length > 0
            ? notInArray(sql`${servedProbes.name} || ':' || ${servedProbes.port}`, kept)
            : sql`true`,
        ),
      );
  }

  /** Each problem found, told once per certificate: the unique index keeps the first insert only. */
  async function tell(
    subject: Subject,
    seen: { target: ServedTarget; verdict: ServedVerdict }[],
  ): Promise<number> {
    const { order, certificate } = subject;
    const issuedAt = certificate.issuedAt ?? certificate.notBefore ?? order.notBefore;
    if (!issuedAt || !order.notAfter) return 0;
    const now = clock.now();
    const found = new Map<ServedProblem, { target: ServedTarget; verdict: ServedVerdict }[]>();
    for (const look of seen) {
      for (const problem of servedProblems(
        look.verdict,
        { notAfter: subject.ours.leaf.notAfter, issuedAt },
        now,
      )) {
        found.set(problem, [...(found.get(problem) ?? []), look]);
      }
    }
    let told = 0;
    for (const [problem, looks] of found) {
      const detail = problemDetail(subject, problem, looks);
      const claimed = await db
        .insert(orderEvents)
        .values({ orderId: order.id, actor: "system", kind: "served_problem", at: now, detail })
        .onConflictDoNothing()
        .returning({ id: orderEvents.id });
      if (claimed.length === 0) continue;
      told += 1;
      await observer
        .orderChanged(order, { kind: "served_problem", actor: "system", detail })
        .catch((error: unknown) =>
          logger.error(`Could not tell ${order.reference}'s thread what is served:`, error),
        );
    }
    return told;
  }

  return { run };
}

export type ServedProbe = ReturnType<typeof createServedProbe>;

/**
 * The event's detail: plain values the thread reply and Details' timeline word. certificateId and
 * problem are the unique index's keys (stored as text by ->>), so both are always set.
 */
function problemDetail(
  subject: Subject,
  problem: ServedProblem,
  looks: { target: ServedTarget; verdict: ServedVerdict }[],
): Record<string, unknown> {
  const { order, certificate, ours } = subject;
  const sooner = looks
    .map(({ verdict }) => verdict.servedNotAfter?.getTime())
    .filter((time): time is number => time !== undefined);
  return {
    certificateId: certificate.id,
    certificate: certificate.number,
    label: certificateLabel(order.reference, certificate.number),
    problem,
    targets: looks.map(({ target }) => (target.port === 443 ? target.name : `${target.name}:${target.port}`)),
    notAfter: ours.leaf.notAfter.toISOString(),
    ...(problem === "expires_sooner" && sooner.length > 0
      ? { servedNotAfter: new Date(Math.min(...sooner)).toISOString() }
      : {}),
    ...(problem === "incomplete_chain" ? { missing: looks[0]?.verdict.missing } : {}),
    ...(problem === "not_served"
      ? { reasons: looks.map(({ verdict }) => verdict.message ?? "another certificate is served") }
      : {}),
  };
}

/** The PEMs a look found, as the facts the comparison reads; a certificate that does not parse ends the chain. */
function factsOf(look: ServedPems): ServedLook {
  if (!look.ok) return look;
  const presented: CertificateFacts[] = [];
  for (const pem of look.pems) {
    try {
      presented.push(certificateFacts(pem));
    } catch {
      break;
    }
  }
  return presented.length > 0
    ? { ok: true, presented }
    : { ok: false, message: "The server presented a certificate that could not be read." };
}

/** The last looks at an order's certificates, by certificate id, for Details and App Home. */
export async function listServedChecks(
  db: Database,
  orderIds: number[],
): Promise<Map<number, (ServedCheck & { certificateId: number; orderId: number })[]>> {
  const byOrder = new Map<number, (ServedCheck & { certificateId: number; orderId: number })[]>();
  if (orderIds.length === 0) return byOrder;
  const rows = await db
    .select()
    .from(servedProbes)
    .where(inArray(servedProbes.orderId, orderIds))
    .orderBy(asc(servedProbes.name), asc(servedProbes.port));
  for (const row of rows) {
    byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), row]);
  }
  return byOrder;
}
