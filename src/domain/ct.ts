import { getDomain } from "tldts";

/**
 * Certificate Transparency watch (CT_CRON): the vocabulary of what a CT search service (crt.sh)
 * reports and the rules certdesk applies to it, as plain data and pure functions. The wire format is
 * read in checks/ct-search.ts; what is stored and posted is orders/ct-watch.ts's.
 */

/** One log entry as the search service lists it (a precertificate and its certificate are two). */
export interface CtEntry {
  /** The service's id of the entry: crt.sh serves its PEM at `?d=<id>`. */
  id: number;
  issuerCaId: number;
  issuerName: string;
  commonName: string;
  /** Every name the entry matched on (crt.sh's `name_value`, one per line). */
  names: string[];
  /** Hex, as the service prints it (crt.sh: lower case, leading zeros kept). */
  serial: string;
  notBefore: Date;
  notAfter: Date;
}

/** One certificate as seen in the logs: its entries merged (precertificate and certificate). */
export interface CtCertificate {
  serial: string;
  issuerCaId: number;
  issuerName: string;
  commonName: string;
  names: string[];
  notBefore: Date;
  notAfter: Date;
  /** The service's ids of its entries, newest first: the final certificate is usually logged last. */
  entryIds: number[];
}

/** What a sighting became: posted in SSL_CHANNEL (or waiting to be), imported, or ignored. */
export type CtSightingStatus = "new" | "posted" | "imported" | "ignored";

/**
 * A serial as certdesk compares them: upper-case hex without separators or leading zeros, which is
 * what both crt.sh's `serial_number` and openssl's printing (certs/inspect.ts) come down to.
 */
export function normaliseSerial(serial: string): string {
  const hex = serial.replace(/[^0-9a-f]/gi, "").toUpperCase();
  return hex.replace(/^0+(?=.)/, "");
}

/**
 * The spellings a stored serial may have for a normalised one: openssl keeps a leading zero byte
 * (an even number of digits, "00" before a high first digit), so the lookup tries each.
 */
export function serialSpellings(normalised: string): string[] {
  return [...new Set([normalised, `0${normalised}`, `00${normalised}`])];
}

/**
 * Merges the entries of one certificate: the same serial from the same CA is one certificate,
 * whether logged as a precertificate, a certificate or both. Names are the union, in order.
 */
export function mergeEntries(entries: readonly CtEntry[]): CtCertificate[] {
  const byKey = new Map<string, CtCertificate>();
  for (const entry of entries) {
    const serial = normaliseSerial(entry.serial);
    const key = `${entry.issuerCaId}:${serial}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, {
        serial,
        issuerCaId: entry.issuerCaId,
        issuerName: entry.issuerName,
        commonName: entry.commonName,
        names: unique(entry.names),
        notBefore: entry.notBefore,
        notAfter: entry.notAfter,
        entryIds: [entry.id],
      });
      continue;
    }
    seen.names = unique([...seen.names, ...entry.names]);
    seen.entryIds = [...new Set([...seen.entryIds, entry.id])].sort((a, b) => b - a);
  }
  return [...byKey.values()];
}

/** Still valid at `now`: expired certificates in the logs are history, not news. */
export function stillValid(certificate: Pick<CtCertificate, "notAfter">, now: Date): boolean {
  return certificate.notAfter.getTime() > now.getTime();
}

/** The registrable domain a name belongs to ("www.shop.example.co.uk" → "example.co.uk"), if any. */
export function registrableDomain(name: string): string | undefined {
  const host = name.trim().toLowerCase().replace(/^\*\./, "").replace(/\.$/, "");
  return getDomain(host) ?? undefined;
}

/**
 * Whether a certificate name belongs to the registrable domain: the domain itself, or a name (or
 * wildcard) under it. The search is by pattern, so its results are checked against the domain.
 */
export function belongsTo(name: string, domain: string): boolean {
  const host = name.trim().toLowerCase().replace(/^\*\./, "").replace(/\.$/, "");
  return host === domain || host.endsWith(`.${domain}`);
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names.map((name) => name.trim().toLowerCase()).filter(Boolean))];
}
