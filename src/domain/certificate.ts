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
