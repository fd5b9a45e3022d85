/** An X.509 certificate as certdesk shows it (certs/inspect.ts reads one). */
export interface CertificateDetails {
  /** The subject CN, or "" when the subject has none. */
  subject: string;
  sans: string[];
  /** The issuer CN, or the whole issuer name when it has no CN. */
  issuer: string;
  /** Upper-case hex without separators. */
  serialNumber: string;
  /** Upper-case hex pairs joined by colons, as browsers show it. */
  sha256Fingerprint: string;
  notBefore: Date;
  notAfter: Date;
}

/** Why a certificate was issued: the order's first, a reissue inside its subscription, a renewal's first. */
export const CERTIFICATE_REASONS = ["initial", "reissue", "renewal"] as const;
export type CertificateReason = (typeof CERTIFICATE_REASONS)[number];

/**
 * A certificate's own life, apart from its order's: a reissue waits for approval (only with
 * SSL_REQUIRE_APPROVAL=all), is being sent, validates, and is issued or fails; the order stays
 * issued meanwhile, its earlier certificate still valid.
 */
export const CERTIFICATE_STATUSES = [
  "awaiting_approval",
  "submitting",
  "pending",
  "issued",
  "failed",
  "rejected",
  /** Revoked at the CA (revocation-service.ts): browsers refuse it. */
  "revoked",
] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];
export const OPEN_CERTIFICATE_STATUSES: CertificateStatus[] = ["awaiting_approval", "submitting", "pending"];

/**
 * RFC 5280 CRLReason codes a person may give for a revocation (ACME takes the number). Providers
 * receive the name (providers/types.ts RevokeRequest); views put it in words.
 */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
} as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

export function isRevocationReason(value: unknown): value is RevocationReason {
  return typeof value === "string" && Object.hasOwn(REVOCATION_REASONS, value);
}

/** Who holds the private key: certdesk's vault (it made the key) or the client (it sent a CSR). */
export type KeySource = "generated" | "client_csr";

/** "SSL-1042" for an order's first certificate, "SSL-1042 · certificate 2" for later ones. */
export function certificateLabel(reference: string, number: number): string {
  return number <= 1 ? reference : `${reference} · certificate ${number}`;
}
