import { createPublicKey, X509Certificate } from "node:crypto";
import type { CertificateDetails } from "../domain/certificate.js";
import type { CertificateFacts } from "../domain/served.js";
import { parseCsr } from "./csr.js";

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export function inspectCertificate(pem: string): CertificateDetails {
  const certificate = new X509Certificate(pem);
  return {
    subject: commonNameOf(certificate.subject) ?? "",
    sans: dnsNamesOf(certificate.subjectAltName),
    issuer: commonNameOf(certificate.issuer) ?? certificate.issuer.replace(/\n/g, ", "),
    serialNumber: certificate.serialNumber.replace(/:/g, "").toUpperCase(),
    sha256Fingerprint: certificate.fingerprint256.toUpperCase(),
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
  };
}

/** What the served-certificate probe compares (domain/served.ts); throws on text that is not a certificate. */
export function certificateFacts(pem: string): CertificateFacts {
  const certificate = new X509Certificate(pem);
  return {
    fingerprint: certificate.fingerprint256.toUpperCase(),
    serial: certificate.serialNumber.replace(/:/g, "").toUpperCase(),
    subject: certificate.subject,
    issuer: certificate.issuer,
    notAfter: new Date(certificate.validTo),
  };
}

export function certificateMatchesCsr(certificatePem: string, csrPem: string): boolean {
  const certificateKey = new X509Certificate(certificatePem).publicKey;
  const csrKey = createPublicKey({ key: parseCsr(csrPem).publicKeySpkiDer, format: "der", type: "spki" });
  return certificateKey.equals(csrKey);
}

/** Every certificate in a bundle, in order; keys and other blocks in the text are skipped. */
export function splitPemBundle(text: string): string[] {
  return (text.replace(/\r\n/g, "\n").match(CERTIFICATE_BLOCK) ?? []).map((block) => `${block}\n`);
}

/** Node renders names one "KEY=value" per line. */
function commonNameOf(name: string): string | undefined {
  const line = name.split("\n").find((entry) => entry.startsWith("CN="));
  return line?.slice("CN=".length);
}

function dnsNamesOf(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName
    .split(", ")
    .filter((entry) => entry.startsWith("DNS:"))
    .map((entry) => entry.slice("DNS:".length));
}

/** The DER of RFC 6962's precertificate poison extension's OID, 1.3.6.1.4.1.11129.2.4.3. */
const PRECERTIFICATE_POISON_OID = Buffer.from("060a2b06010401d679020403", "hex");

/**
 * Whether the certificate is an RFC 6962 precertificate (it carries the critical "poison"
 * extension no server certificate has): what a CA logs before issuing the certificate itself.
 */
export function isPrecertificate(pem: string): boolean {
  return new X509Certificate(pem).raw.includes(PRECERTIFICATE_POISON_OID);
}
