import { X509Certificate } from "node:crypto";
import type { CertificateDetails } from "../domain/certificate.js";
import { inspectCertificate, splitPemBundle } from "./inspect.js";

/**
 * The check of a certificate someone wants certdesk to track (`/ssl import`, `npm run
 * import-certs`): one server certificate and, optionally, the chain that issued it, in any order.
 * Every refusal says what is wrong in words and never repeats the text it was given: a pasted
 * private key must not travel on into a message, a log line or an error.
 */

export type ImportRefusalKind =
  | "private_key"
  | "not_certificate"
  | "unreadable"
  | "ca_certificate"
  | "several_certificates"
  | "chain_incomplete"
  | "no_name"
  | "expired";

export class CertificateImportError extends Error {
  override name = "CertificateImportError";
  constructor(
    readonly kind: ImportRefusalKind,
    message: string,
  ) {
    super(message);
  }
}

export interface CertificateBundle {
  /** The server certificate, PEM. */
  certificatePem: string;
  /** Its issuers, each followed by the one that issued it (the order Details hands them out in). */
  chainPems: string[];
  details: CertificateDetails;
  /** Worth saying with the confirmation: the chain was put in order, none was given. */
  notes: string[];
}

/** Any private key block: PKCS#8 (plain or encrypted), PKCS#1 RSA, SEC1 EC, DSA, OpenSSH. */
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const PEM_LABEL = /-----BEGIN ([A-Z0-9 ]{1,40})-----/;

export const PRIVATE_KEY_REFUSAL =
  "That text holds a private key. certdesk imports certificates only: the key was not stored, shown or logged. " +
  "Paste only the certificate (and its chain). If that key is in use, treat it as exposed and reissue.";

/** Whether the text holds a private key (callers refuse it without ever repeating the text). */
export function holdsPrivateKey(text: string): boolean {
  return PRIVATE_KEY.test(text);
}

/**
 * Reads a pasted or fetched PEM bundle: the server certificate first, then its issuers in order
 * (a bundle out of order is put in order and the note says so). Throws CertificateImportError for
 * a private key, anything that is not a certificate, CA certificates without a server certificate,
 * two server certificates, a chain that does not link, and a certificate already expired at `now`:
 * an import exists for the alerts before expiry, and an expired one has none left to give (it
 * would only post an "expired" alert at the next scan and count as live in lists and forecasts).
 */
export function readCertificateBundle(text: string, now: Date): CertificateBundle {
  if (holdsPrivateKey(text)) throw new CertificateImportError("private_key", PRIVATE_KEY_REFUSAL);
  const blocks = splitPemBundle(text);
  if (blocks.length === 0) throw new CertificateImportError("not_certificate", notCertificateMessage(text));
  const parsed: { pem: string; x509: X509Certificate }[] = [];
  for (const [index, pem] of blocks.entries()) {
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(pem);
    } catch {
      throw new CertificateImportError(
        "unreadable",
        blocks.length === 1
          ? "That certificate cannot be read: it is damaged or incomplete (copy it again, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----)."
          : `Certificate ${index + 1} of ${blocks.length} cannot be read: it is damaged or incomplete (copy it again, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----).`,
      );
    }
    // The same certificate twice (a chain pasted after a bundle that held it) counts once.
    if (!parsed.some((seen) => seen.x509.fingerprint256 === x509.fingerprint256)) parsed.push({ pem, x509 });
  }

  const servers = parsed.filter((entry) => !entry.x509.ca);
  if (servers.length === 0) {
    throw new CertificateImportError(
      "ca_certificate",
      `That is ${parsed.length === 1 ? "a CA certificate" : "only CA certificates"} (${names(parsed)}), not a server certificate: paste the certificate the server presents, with its chain after it.`,
    );
  }
  if (servers.length > 1) {
    throw new CertificateImportError(
      "several_certificates",
      `That text holds ${servers.length} server certificates (${names(servers)}): import them one at a time (\`npm run import-certs\` takes a folder of files).`,
    );
  }
  const leaf = servers[0] as (typeof parsed)[number];
  const chain = [leaf];
  let current = leaf;
  for (;;) {
    const issuer = parsed.find(
      (candidate) => !chain.includes(candidate) && issuedBy(current.x509, candidate.x509),
    );
    if (!issuer) break;
    chain.push(issuer);
    current = issuer;
  }
  const leftOver = parsed.filter((entry) => !chain.includes(entry));
  if (leftOver.length > 0) {
    throw new CertificateImportError(
      "chain_incomplete",
      `The chain is incomplete: nothing given issued ${nameOf(current.x509)}, so ${names(leftOver)} ${leftOver.length === 1 ? "does" : "do"} not link to the certificate. ` +
        "Give every intermediate certificate between them, or only the certificate (no chain), or the host that serves it.",
    );
  }

  const details = inspectCertificate(leaf.pem);
  if (!details.subject && details.sans.length === 0) {
    throw new CertificateImportError(
      "no_name",
      "That certificate names no domain (no common name, no DNS names), so certdesk has nothing to track it by.",
    );
  }
  if (details.notAfter.getTime() <= now.getTime()) {
    throw new CertificateImportError(
      "expired",
      `${details.subject || details.sans[0]} expired on ${day(details.notAfter)}. certdesk tracks certificates to warn before they expire, so it does not import one that has: import the certificate that replaced it.`,
    );
  }

  const notes: string[] = [];
  if (chain.some((entry, index) => parsed[index] !== entry)) {
    notes.push("The chain was out of order: it is stored certificate first, then each issuer.");
  }
  if (chain.length === 1 && !issuedBy(leaf.x509, leaf.x509)) {
    notes.push("No chain was given: Details will hand out the certificate without its intermediates.");
  }
  if (details.notBefore.getTime() > now.getTime()) {
    notes.push(`It is not valid before ${day(details.notBefore)}.`);
  }
  return {
    certificatePem: leaf.pem,
    chainPems: chain.slice(1).map((entry) => entry.pem),
    details,
    notes,
  };
}

/** `issuer` issued `subject`: names match and its key verifies the signature. */
function issuedBy(subject: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** What the text is, in words, without repeating it (a label of a PEM block is never secret). */
function notCertificateMessage(text: string): string {
  if (/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(text)) {
    return "That is a certificate signing request (CSR), not a certificate: paste the certificate the CA issued for it.";
  }
  const label = PEM_LABEL.exec(text)?.[1];
  if (label)
    return `That is a PEM “${label}” block, not a certificate: paste a block that starts -----BEGIN CERTIFICATE-----.`;
  return "That is not a certificate: paste the PEM text, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.";
}

function nameOf(x509: X509Certificate): string {
  const cn = x509.subject.split("\n").find((line) => line.startsWith("CN="));
  return `“${cn ? cn.slice(3) : x509.subject.replace(/\n/g, ", ")}”`;
}

function names(entries: { x509: X509Certificate }[]): string {
  return entries.map((entry) => nameOf(entry.x509)).join(", ");
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
