import { and, asc, eq, inArray, isNotNull, isNull } from "drizzle-orm";
import { inspectCertificate, isPrecertificate } from "../certs/inspect.js";
import type { CtSearch, CtSearchFailure } from "../checks/ct-search.js";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { certificates, clients, ctSightings, orders } from "../db/schema.js";
import {
  belongsTo,
  type CtCertificate,
  mergeEntries,
  normaliseSerial,
  registrableDomain,
  serialSpellings,
  stillValid,
} from "../domain/ct.js";
import type { CertificateImport } from "./certificate-import.js";

/**
 * Certificate Transparency watch: which certificates the CT logs show for the clients' domains that
 * certdesk did not order, kept once each in `ct_sightings` until someone imports or ignores them.
 *
 * - A client's domains are the registrable domains (tldts: "shop.example.co.uk" → "example.co.uk") of
 *   every name on the client's orders, whatever their status, imported ones included. A domain two
 *   clients share is searched once and its certificates are told to each of them.
 * - A certificate is known, and never told, when certdesk holds a certificate with its serial (any
 *   order's, ordered, reissued or imported: the `certificates` rows). Expired ones are left out.
 * - The search service is asked one domain at a time. A domain it does not answer (timeout, 5xx) is
 *   skipped until the next run; a 429 ends the run (more requests would only prolong the limit).
 *   Nothing stored is lost either way: the next run asks again and finds what this one missed.
 * - A sighting is written ("new") before it is posted and gets the message's ts after, so a post
 *   that failed is made by the next run and none is made twice (the jobs run under a lock).
 */

export type CtSighting = typeof ctSightings.$inferSelect;

/** A sighting as posted: with its client's name. */
export interface ShownSighting {
  sighting: CtSighting;
  clientName: string;
}

export interface CtScanSummary {
  domains: number;
  searched: number;
  /** Domains the service did not answer this run, with why (safe to log). */
  failures: { domain: string; message: string }[];
  /** Set when a 429 ended the run early: the domains after it wait for the next run. */
  rateLimited: boolean;
  /** Certificates certdesk did not order, not expired, seen for the first time (per client). */
  recorded: number;
}

export type CtImportOutcome =
  | { kind: "imported" | "already_tracked"; sighting: CtSighting; reference: string }
  | { kind: "settled"; sighting: CtSighting }
  | { kind: "missing" }
  | { kind: "unavailable"; message: string }
  | { kind: "refused"; message: string };

export type CtIgnoreOutcome = { kind: "ignored" | "settled"; sighting: CtSighting } | { kind: "missing" };

export function createCtWatch(deps: {
  db: Database;
  clock: Clock;
  search: CtSearch;
  imports: CertificateImport;
}) {
  const { db, clock, search } = deps;

  /** Registrable domain → the clients whose orders name it, domains in alphabetical order. */
  async function clientDomains(): Promise<Map<string, number[]>> {
    const rows = await db
      .select({ clientId: orders.clientId, primaryDomain: orders.primaryDomain, sans: orders.sans })
      .from(orders);
    const byDomain = new Map<string, Set<number>>();
    for (const row of rows) {
      for (const name of [row.primaryDomain, ...(row.sans ?? [])]) {
        const domain = registrableDomain(name);
        if (!domain) continue;
        const owners = byDomain.get(domain) ?? new Set<number>();
        owners.add(row.clientId);
        byDomain.set(domain, owners);
      }
    }
    return new Map(
      [...byDomain.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([domain, ids]) => [domain, [...ids]]),
    );
  }

  /** Certificate rows whose serial was never read (stored before rows had one) get it now. */
  async function fillUnreadSerials(): Promise<void> {
    const unread = await db
      .select({ id: certificates.id, certificate: certificates.certificate })
      .from(certificates)
      .where(and(isNull(certificates.serial), isNotNull(certificates.certificate)))
      .limit(1_000);
    for (const row of unread) {
      let serial: string | undefined;
      try {
        serial = row.certificate ? inspectCertificate(row.certificate).serialNumber : undefined;
      } catch {
        serial = undefined;
      }
      if (serial) await db.update(certificates).set({ serial }).where(eq(certificates.id, row.id));
    }
  }

  /** The certificates certdesk holds none of (by serial). */
  async function notHeld(found: CtCertificate[]): Promise<CtCertificate[]> {
    if (found.length === 0) return [];
    const spellings = found.flatMap((certificate) => serialSpellings(certificate.serial));
    const held = await db
      .select({ serial: certificates.serial })
      .from(certificates)
      .where(inArray(certificates.serial, spellings));
    const heldSerials = new Set(held.map((row) => normaliseSerial(row.serial ?? "")));
    return found.filter((certificate) => !heldSerials.has(certificate.serial));
  }

  async function record(certificate: CtCertificate, clientIds: number[]): Promise<number> {
    const [newest = 0] = certificate.entryIds;
    const inserted = await db
      .insert(ctSightings)
      .values(
        clientIds.map((clientId) => ({
          clientId,
          serial: certificate.serial,
          issuerCaId: certificate.issuerCaId,
          issuer: certificate.issuerName,
          crtshId: newest,
          entryIds: certificate.entryIds,
          commonName: certificate.commonName,
          names: certificate.names,
          notBefore: certificate.notBefore,
          notAfter: certificate.notAfter,
          status: "new" as const,
          createdAt: clock.now(),
        })),
      )
      .onConflictDoNothing()
      .returning({ id: ctSightings.id });
    return inserted.length;
  }

  async function scan(options: { signal?: AbortSignal } = {}): Promise<CtScanSummary> {
    await fillUnreadSerials();
    const domains = await clientDomains();
    const summary: CtScanSummary = {
      domains: domains.size,
      searched: 0,
      failures: [],
      rateLimited: false,
      recorded: 0,
    };
    for (const [domain, clientIds] of domains) {
      options.signal?.throwIfAborted();
      const found = await search.searchDomain(domain);
      if (!found.ok) {
        summary.failures.push({ domain, message: found.message });
        if (found.reason === "rate_limited") {
          summary.rateLimited = true;
          break;
        }
        continue;
      }
      summary.searched += 1;
      const now = clock.now();
      const mine = found.value.filter((entry) =>
        [entry.commonName, ...entry.names].some((name) => belongsTo(name, domain)),
      );
      const current = mergeEntries(mine).filter((certificate) => stillValid(certificate, now));
      for (const certificate of await notHeld(current)) {
        summary.recorded += await record(certificate, clientIds);
      }
    }
    return summary;
  }

  /** Sightings waiting for their post (new ones, and those whose post failed), oldest first. */
  async function unposted(limit = 200): Promise<ShownSighting[]> {
    const rows = await db
      .select({ sighting: ctSightings, clientName: clients.name })
      .from(ctSightings)
      .innerJoin(clients, eq(clients.id, ctSightings.clientId))
      .where(eq(ctSightings.status, "new"))
      .orderBy(asc(ctSightings.id))
      .limit(limit);
    return rows;
  }

  async function markPosted(id: number, posted: { channel: string; ts: string }): Promise<void> {
    await db
      .update(ctSightings)
      .set({ status: "posted", slackChannel: posted.channel, slackTs: posted.ts })
      .where(and(eq(ctSightings.id, id), eq(ctSightings.status, "new")));
  }

  async function get(id: number): Promise<ShownSighting | undefined> {
    const [row] = await db
      .select({ sighting: ctSightings, clientName: clients.name })
      .from(ctSightings)
      .innerJoin(clients, eq(clients.id, ctSightings.clientId))
      .where(eq(ctSightings.id, id));
    return row;
  }

  /** Settles a sighting that is still open; undefined when someone settled it first. */
  async function settle(
    id: number,
    change: { status: "imported" | "ignored"; by: string; orderId?: number },
  ): Promise<CtSighting | undefined> {
    const [settled] = await db
      .update(ctSightings)
      .set({
        status: change.status,
        resolvedBy: change.by,
        resolvedAt: clock.now(),
        ...(change.orderId ? { orderId: change.orderId } : {}),
      })
      .where(and(eq(ctSightings.id, id), inArray(ctSightings.status, ["new", "posted"])))
      .returning();
    return settled;
  }

  /**
   * The certificate of a sighting as PEM: its entries newest first, the first that is not a
   * precertificate; a precertificate only when the log holds nothing else (many CAs log only
   * those), since it has the certificate's serial, names and dates, which is what tracking needs.
   */
  async function fetchPem(entryIds: number[]): Promise<{ ok: true; pem: string } | CtSearchFailure> {
    let precertificate: string | undefined;
    for (const id of entryIds) {
      const answer = await search.certificatePem(id);
      if (!answer.ok) return answer;
      let precert: boolean;
      try {
        precert = isPrecertificate(answer.value);
      } catch {
        continue;
      }
      if (!precert) return { ok: true, pem: answer.value };
      precertificate ??= answer.value;
    }
    if (precertificate) return { ok: true, pem: precertificate };
    return { ok: false, reason: "bad_answer", message: "no entry came back as a readable certificate" };
  }

  /**
   * Import: the certificate fetched from the search service goes through the one import service
   * (`/ssl import`'s rules: readable, not expired, not already tracked) for the sighting's client,
   * as a certificate of the provider "external".
   */
  async function importSighting(request: {
    id: number;
    userId: string;
    slackChannel?: string;
  }): Promise<CtImportOutcome> {
    const shown = await get(request.id);
    if (!shown) return { kind: "missing" };
    if (shown.sighting.status === "imported" || shown.sighting.status === "ignored") {
      return { kind: "settled", sighting: shown.sighting };
    }
    const fetched = await fetchPem(shown.sighting.entryIds);
    if (!fetched.ok) return { kind: "unavailable", message: fetched.message };
    const outcome = await deps.imports.importCertificate({
      source: { kind: "pem", text: fetched.pem },
      clientId: shown.sighting.clientId,
      requestedBy: request.userId,
      slackChannel: request.slackChannel,
    });
    if (outcome.kind === "refused") return { kind: "refused", message: outcome.message };
    const settled = await settle(request.id, {
      status: "imported",
      by: request.userId,
      orderId: outcome.order.id,
    });
    if (!settled) {
      const now = await get(request.id);
      return now ? { kind: "settled", sighting: now.sighting } : { kind: "missing" };
    }
    return { kind: outcome.kind, sighting: settled, reference: outcome.order.reference };
  }

  async function ignoreSighting(request: { id: number; userId: string }): Promise<CtIgnoreOutcome> {
    const settled = await settle(request.id, { status: "ignored", by: request.userId });
    if (settled) return { kind: "ignored", sighting: settled };
    const shown = await get(request.id);
    return shown ? { kind: "settled", sighting: shown.sighting } : { kind: "missing" };
  }

  /** The order Import made or found, for the message's "imported as SSL-1042". */
  async function referenceOf(sighting: CtSighting): Promise<string | undefined> {
    if (!sighting.orderId) return undefined;
    const [order] = await db
      .select({ reference: orders.reference })
      .from(orders)
      .where(eq(orders.id, sighting.orderId));
    return order?.reference;
  }

  return { scan, unposted, markPosted, get, importSighting, ignoreSighting, referenceOf, clientDomains };
}

export type CtWatch = ReturnType<typeof createCtWatch>;
