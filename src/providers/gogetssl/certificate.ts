import { X509Certificate } from "node:crypto";
import { ProviderUnavailableError } from "../errors.js";
import type { IssuedCertificate } from "../types.js";

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function pemBlocks(text: string | undefined): string[] {
  return (text?.replace(/\r\n?/g, "\n").match(PEM_BLOCK) ?? []).map((block) => `${block}\n`);
}

function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

/**
 * GoGetSSL does not document the order inside `ca_code`; certdesk promises intermediates first and
 * the root last, so the chain is walked from the leaf's issuer upwards. Unrecognised certificates
 * keep their place at the end.
 */
function orderChain(leaf: X509Certificate | undefined, chainPems: string[]): string[] {
  const parsed = chainPems.map((pem) => ({ pem, cert: parseCertificate(pem) }));
  if (!leaf || parsed.some((entry) => !entry.cert)) return chainPems;
  const ordered: string[] = [];
  let remaining = parsed;
  let current = leaf;
  for (;;) {
    const issuer = remaining.find((entry) => entry.cert && current.checkIssued(entry.cert));
    if (!issuer?.cert) break;
    ordered.push(issuer.pem);
    remaining = remaining.filter((entry) => entry !== issuer);
    if (issuer.cert.checkIssued(issuer.cert)) break;
    current = issuer.cert;
  }
  return [...ordered, ...remaining.map((entry) => entry.pem)];
}

/** "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS", in UTC. */
export function parseProviderDate(value: string | undefined): Date | undefined {
  const match = value?.match(/^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0));
  const date = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, second));
  return Number.isNaN(date.getTime()) || year === 0 ? undefined : date;
}

export interface CertificateFields {
  orderId: string;
  crtCode: string;
  caCode: string | undefined;
  validFrom: string | undefined;
  validTill: string | undefined;
}

/** The issued certificate; its own validity wins over GoGetSSL's date fields. */
export function issuedCertificate(fields: CertificateFields): IssuedCertificate {
  const [certificatePem] = pemBlocks(fields.crtCode);
  if (!certificatePem) {
    throw new ProviderUnavailableError(
      "gogetssl",
      `GoGetSSL reports order ${fields.orderId} as issued, but its crt_code is not a PEM certificate. ` +
        "Check the order in the GoGetSSL client area.",
    );
  }
  const leaf = parseCertificate(certificatePem);
  const notBefore = leaf ? new Date(leaf.validFrom) : parseProviderDate(fields.validFrom);
  const notAfter = leaf ? new Date(leaf.validTo) : parseProviderDate(fields.validTill);
  if (!notBefore || !notAfter || Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    throw new ProviderUnavailableError(
      "gogetssl",
      `GoGetSSL sent the certificate for order ${fields.orderId} without a readable validity period.`,
    );
  }
  return { certificatePem, chainPem: orderChain(leaf, pemBlocks(fields.caCode)), notBefore, notAfter };
}
