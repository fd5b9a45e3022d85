import { and, desc, eq, inArray, isNotNull, ne } from "drizzle-orm";
import {
  type CertificateBundle,
  CertificateImportError,
  type ImportRefusalKind,
  readCertificateBundle,
} from "../certs/import-check.js";
import { inspectCertificate } from "../certs/inspect.js";
import { fetchServedCertificates, type ServedCertificates } from "../checks/tls-certificate.js";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { orders } from "../db/schema.js";
import { EXTERNAL_PRODUCT_ID, EXTERNAL_PROVIDER, type HostPort, hostPortText } from "../domain/imported.js";
import type { ContactSnapshot } from "../domain/order.js";
import { findCertificatesBySerial, listCertificates, recordImportedCertificate } from "./certificates.js";
import { getClient, listContacts } from "./clients.js";
import { recordEvent } from "./events.js";
import type { OrderObserver } from "./order-service.js";
import type { Order } from "./repository.js";

/**
 * Tracking a certificate certdesk did not order: it becomes an issued order of the provider
 * "external" (domain/imported.ts) with its certificate and chain stored through certificates.ts, so
 * the expiry scan, lists, Details and App Home cover it with no path of their own. A certificate
 * certdesk already has (the same serial and fingerprint, on any order) is recognised as that order
 * and nothing is stored twice; a provider order id, when given, must name an order of certdesk's
 * whose certificate this is.
 */

const HOST_NAME = /^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/i;

export type ImportSource = { kind: "pem"; text: string } | { kind: "host"; target: HostPort };

export interface ImportRequest {
  source: ImportSource;
  clientId: number;
  /** Slack user ID, or "cli". */
  requestedBy: string;
  /** Where `/ssl import` was typed: the order message goes there when SSL_CHANNEL is unset. */
  slackChannel?: string;
  /** The provider's order id, to match the certificate to certdesk's own order. */
  providerOrderId?: string;
}

export type ImportOutcome =
  | { kind: "imported"; order: Order; bundle: CertificateBundle; clientName: string; notes: string[] }
  | { kind: "already_tracked"; order: Order; bundle: CertificateBundle; clientName: string }
  | {
      kind: "refused";
      field: "source" | "client" | "providerOrderId";
      message: string;
      /** Set when the certificate itself was refused (certs/import-check.ts). */
      reason?: ImportRefusalKind;
    };

export type ImportFetcher = (target: HostPort) => Promise<ServedCertificates>;

export function createCertificateImport(deps: {
  db: Database;
  clock: Clock;
  /** Slack's order notifier in the app; none in the CLI. */
  observer?: OrderObserver;
  fetch?: ImportFetcher;
}) {
  const { db, clock } = deps;
  const fetchServed = deps.fetch ?? ((target: HostPort) => fetchServedCertificates(target));

  async function importCertificate(request: ImportRequest): Promise<ImportOutcome> {
    const now = clock.now();
    const notes: string[] = [];
    let text: string;
    if (request.source.kind === "host") {
      const served = await fetchServed(request.source.target);
      if (!served.ok) return { kind: "refused", field: "source", message: served.message };
      text = served.pems.join("");
      if (served.untrusted) {
        notes.push(
          `${hostPortText(request.source.target)} serves it with a chain Node.js does not trust (${served.untrusted}).`,
        );
      }
    } else {
      text = request.source.text;
    }
    let bundle: CertificateBundle;
    try {
      bundle = readCertificateBundle(text, now);
    } catch (error) {
      if (error instanceof CertificateImportError) {
        return { kind: "refused", field: "source", message: error.message, reason: error.kind };
      }
      throw error;
    }
    const client = await getClient(db, request.clientId);
    if (!client) return { kind: "refused", field: "client", message: "That client no longer exists." };

    const known = await findKnown(bundle);
    if (request.providerOrderId) {
      const matched = await matchProviderOrder(request.providerOrderId, bundle);
      if (matched.kind !== "match") return matched.outcome;
      const owner = await getClient(db, matched.order.clientId);
      return {
        kind: "already_tracked",
        order: matched.order,
        bundle,
        clientName: owner?.name ?? client.name,
      };
    }
    if (known) {
      const owner = await getClient(db, known.clientId);
      return { kind: "already_tracked", order: known, bundle, clientName: owner?.name ?? client.name };
    }

    const { details } = bundle;
    // A common name that is no host name ("Web server") is left out when DNS names are there.
    const subjectName = HOST_NAME.test(details.subject) || details.sans.length === 0 ? [details.subject] : [];
    const names = [...new Set([...subjectName, ...details.sans].filter(Boolean).map(domainOf))];
    const [primaryDomain = domainOf(details.subject), ...sans] = names;
    const stored = await recordImportedCertificate(db, {
      now,
      order: {
        clientId: client.id,
        provider: EXTERNAL_PROVIDER,
        productId: EXTERNAL_PRODUCT_ID,
        productName: `Issued by ${details.issuer}`.slice(0, 200),
        periodMonths: monthsBetween(details.notBefore, details.notAfter),
        serverType: "other",
        dcvMethod: "email",
        primaryDomain,
        sans,
        organisation: client.organisation,
        state: client.state,
        country: client.country,
        contact: await contactOf(client.id),
        certificate: bundle.certificatePem,
        chain: bundle.chainPems,
        notBefore: details.notBefore,
        notAfter: details.notAfter,
        // Nothing was bought through certdesk: the certificate's end is the end; alerts offer Renew.
        coverageEndsAt: details.notAfter,
        status: "issued",
        requestedBy: request.requestedBy,
        slackChannel: request.slackChannel ?? null,
        idempotencyKey: `import:${details.sha256Fingerprint}`,
        createdAt: now,
        updatedAt: now,
      },
    });
    if (!stored) {
      const [other] = await db
        .select()
        .from(orders)
        .where(eq(orders.idempotencyKey, `import:${details.sha256Fingerprint}`));
      if (!other) throw new Error("The imported certificate could not be stored; please try again.");
      return { kind: "already_tracked", order: other, bundle, clientName: client.name };
    }
    const allNotes = [...bundle.notes, ...notes];
    const detail = {
      source: request.source.kind,
      ...(request.source.kind === "host" ? { host: hostPortText(request.source.target) } : {}),
      commonName: details.subject,
      issuer: details.issuer,
      serial: details.serialNumber,
      notAfter: details.notAfter.toISOString(),
      chainLength: bundle.chainPems.length,
      notes: allNotes,
    };
    await recordEvent(db, {
      orderId: stored.id,
      actor: request.requestedBy,
      kind: "imported",
      detail,
      at: now,
    });
    await deps.observer?.orderChanged(stored, { kind: "imported", actor: request.requestedBy, detail });
    return { kind: "imported", order: stored, bundle, clientName: client.name, notes: allNotes };
  }

  /**
   * The order already holding this very certificate: by serial among certificate rows, then (rows
   * whose serial was never read, orders stored before certificates had rows) among the orders for
   * its names, by fingerprint.
   */
  async function findKnown(bundle: CertificateBundle): Promise<Order | undefined> {
    const rows = await findCertificatesBySerial(db, bundle.details.serialNumber);
    const bySerial = rows.find(({ certificate }) => sameCertificate(certificate.certificate, bundle))?.order;
    if (bySerial) return bySerial;
    const names = [bundle.details.subject, ...bundle.details.sans].filter(Boolean).map(domainOf);
    if (names.length === 0) return undefined;
    const candidates = await db
      .select()
      .from(orders)
      .where(and(inArray(orders.primaryDomain, names), isNotNull(orders.certificate)))
      .orderBy(desc(orders.id))
      .limit(200);
    return candidates.find((order) => sameCertificate(order.certificate, bundle));
  }

  async function matchProviderOrder(
    providerOrderId: string,
    bundle: CertificateBundle,
  ): Promise<{ kind: "match"; order: Order } | { kind: "no_match"; outcome: ImportOutcome }> {
    const [order] = await db
      .select()
      .from(orders)
      .where(and(eq(orders.providerOrderId, providerOrderId), ne(orders.provider, EXTERNAL_PROVIDER)))
      .limit(1);
    if (!order) {
      return {
        kind: "no_match",
        outcome: {
          kind: "refused",
          field: "providerOrderId",
          message: `No order of certdesk's has the provider order id ${providerOrderId}. Leave it empty to track the certificate as one certdesk did not order.`,
        },
      };
    }
    const mine = (await listCertificates(db, order)).some((row) => sameCertificate(row.certificate, bundle));
    if (mine) return { kind: "match", order };
    return {
      kind: "no_match",
      outcome: {
        kind: "refused",
        field: "providerOrderId",
        message: `${providerOrderId} is ${order.reference}, an order certdesk placed, and this certificate is not one of its certificates. certdesk takes that order's certificates from its provider: Check status on ${order.reference} fetches the current one.`,
      },
    };
  }

  async function contactOf(clientId: number): Promise<ContactSnapshot> {
    const contacts = await listContacts(db, clientId);
    const contact = contacts.find((entry) => entry.isDefault) ?? contacts[0];
    if (!contact) return { firstName: "", lastName: "", email: "", phone: "", title: "" };
    const { firstName, lastName, email, phone, title } = contact;
    return { firstName, lastName, email, phone, title };
  }

  return { importCertificate };
}

export type CertificateImport = ReturnType<typeof createCertificateImport>;

function sameCertificate(stored: string | null, bundle: CertificateBundle): boolean {
  if (!stored) return false;
  try {
    return inspectCertificate(stored).sha256Fingerprint === bundle.details.sha256Fingerprint;
  } catch {
    return false;
  }
}

/** Orders store names in ASCII (certificates hold them so already), lower case; a wildcard keeps its "*.". */
function domainOf(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

function monthsBetween(from: Date, to: Date): number {
  return Math.max(1, Math.round((to.getTime() - from.getTime()) / (30.44 * 86_400_000)));
}
