/**
 * "What is served" (PROBE_CRON): what a server presents for one of a certificate's names, compared
 * with the certificate certdesk holds. Plain data and pure rules; the handshake is checks/'s, the
 * parsing certs/', the storage and the posts orders/'.
 *
 * Decisions:
 * - "served": the leaf presented is ours (same SHA-256 fingerprint). "different": another leaf (an
 *   older certificate still installed, someone else's). "not served": no TLS there (no address,
 *   refused, reset, no handshake within the time-out).
 * - The chain is incomplete when our leaf is served without an intermediate of the chain we hold:
 *   walking up from the leaf through our stored chain, each issuer that is not a root (self-signed)
 *   must be among the certificates presented (matched by subject, so a cross-signed copy counts).
 *   Roots need not be sent. Without a stored chain nothing can be said, and nothing is.
 * - Problems told once per certificate in the order's thread: `incomplete_chain` at once;
 *   `expires_sooner` at once when a name presents another certificate that ends before ours (the
 *   old one, still installed: the issue's "served one expires sooner than ours"); `not_served` once
 *   SERVED_GRACE_DAYS have passed since our certificate was issued and a name still presents
 *   nothing or another certificate that does not end sooner (that case is already told).
 */

export type ServedStatus = "served" | "not_served" | "different";
export type ServedProblem = "not_served" | "expires_sooner" | "incomplete_chain";

/** How long after issue a certificate may go uninstalled before the thread is told. */
export const SERVED_GRACE_DAYS = 3;
const DAY_MS = 86_400_000;

/** A certificate as the probe compares it, read from its PEM. */
export interface CertificateFacts {
  /** SHA-256 of the DER, "AB:CD:…". */
  fingerprint: string;
  /** Hex, upper case, no colons. */
  serial: string;
  subject: string;
  issuer: string;
  notAfter: Date;
}

/** What one TLS handshake with a name showed: the certificates presented, leaf first, or why none. */
export type ServedLook = { ok: true; presented: CertificateFacts[] } | { ok: false; message: string };

export interface ServedVerdict {
  status: ServedStatus;
  chainIncomplete: boolean;
  /** The subject of the first intermediate missing from what was presented. */
  missing?: string;
  servedSerial?: string;
  servedNotAfter?: Date;
  /** Why nothing was served. */
  message?: string;
}

const selfSigned = (certificate: CertificateFacts) => certificate.subject === certificate.issuer;

/** What was presented for a name, against our leaf and the chain we hold for it. */
export function compareServed(
  ours: { leaf: CertificateFacts; chain: CertificateFacts[] },
  look: ServedLook,
): ServedVerdict {
  if (!look.ok) return { status: "not_served", chainIncomplete: false, message: look.message };
  const [leaf] = look.presented;
  if (!leaf) return { status: "not_served", chainIncomplete: false, message: "no certificate presented" };
  if (leaf.fingerprint !== ours.leaf.fingerprint) {
    return {
      status: "different",
      chainIncomplete: false,
      servedSerial: leaf.serial,
      servedNotAfter: leaf.notAfter,
    };
  }
  const missing = missingIntermediate(ours, look.presented.slice(1));
  return { status: "served", chainIncomplete: missing !== undefined, ...(missing ? { missing } : {}) };
}

function missingIntermediate(
  ours: { leaf: CertificateFacts; chain: CertificateFacts[] },
  presented: CertificateFacts[],
): string | undefined {
  const sent = new Set(presented.map((certificate) => certificate.subject));
  let current = ours.leaf;
  // Bounded by the chain's length: a loop in a broken chain ends too.
  for (let step = 0; step <= ours.chain.length; step += 1) {
    if (selfSigned(current)) return undefined;
    const issuer = ours.chain.find((candidate) => candidate.subject === current.issuer);
    if (!issuer || selfSigned(issuer)) return undefined;
    if (!sent.has(issuer.subject)) return issuer.subject;
    current = issuer;
  }
  return undefined;
}

/** The problems one name's verdict shows, as of `now`, for our certificate issued at `issuedAt`. */
export function servedProblems(
  verdict: ServedVerdict,
  ours: { notAfter: Date; issuedAt: Date },
  now: Date,
): ServedProblem[] {
  if (verdict.status === "served") return verdict.chainIncomplete ? ["incomplete_chain"] : [];
  // A new certificate (or reissue) is installed by a person, after it is issued: until the grace
  // is over, the previous certificate still being served is the expected state, not news. After
  // it, a served certificate that ends before ours is said as such (the more useful words: the site
  // will break sooner than we think), anything else as "not served"; either once.
  const overdue = now.getTime() >= ours.issuedAt.getTime() + SERVED_GRACE_DAYS * DAY_MS;
  if (!overdue) return [];
  if (
    verdict.status === "different" &&
    verdict.servedNotAfter &&
    verdict.servedNotAfter.getTime() < ours.notAfter.getTime()
  ) {
    return ["expires_sooner"];
  }
  return ["not_served"];
}

/** One name and port's last look, as Details and App Home read it. */
export interface ServedCheck {
  name: string;
  port: number;
  status: ServedStatus;
  chainIncomplete: boolean;
  servedSerial: string | null;
  servedNotAfter: Date | null;
  message: string | null;
  checkedAt: Date;
}

/** A certificate's looks in one word: served everywhere, a different certificate somewhere, else not served. */
export interface ServedSummary {
  status: ServedStatus;
  /** Names and ports serving ours, of all looked at. */
  served: number;
  total: number;
  chainIncomplete: boolean;
  /** The oldest look's time: when the certificate was last checked everywhere. */
  checkedAt: Date;
}

export function summariseServed(checks: ServedCheck[]): ServedSummary | undefined {
  if (checks.length === 0) return undefined;
  const served = checks.filter((check) => check.status === "served").length;
  const status: ServedStatus =
    served === checks.length
      ? "served"
      : checks.some((check) => check.status === "different")
        ? "different"
        : "not_served";
  return {
    status,
    served,
    total: checks.length,
    chainIncomplete: checks.some((check) => check.chainIncomplete),
    checkedAt: new Date(Math.min(...checks.map((check) => check.checkedAt.getTime()))),
  };
}

export const SERVED_WORDS: Record<ServedStatus, string> = {
  served: "served",
  not_served: "not served",
  different: "different certificate",
};

/**
 * The names the probe connects to: each of the certificate's names but wildcards (a wildcard names
 * no host to connect to; which hosts under it are served is not known), lower case, once each.
 */
export function probeNames(domains: string[]): string[] {
  const names = domains
    .map((domain) => domain.trim().toLowerCase().replace(/\.$/, ""))
    .filter((domain) => domain !== "" && !domain.startsWith("*."));
  return [...new Set(names)];
}

export const DEFAULT_PROBE_PORTS = [443];
