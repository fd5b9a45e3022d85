import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

/**
 * A throw-away CA (root -> intermediate -> leaf) that signs CSRs for the provider stubs, so "issued"
 * orders carry real X.509 certificates.
 */
export interface TestCa {
  rootPem: string;
  intermediatePem: string;
  /** Signs the CSR's public key; the chain is intermediate then root. */
  issueCertificate(csrPem: string): { leafPem: string; chainPems: string[] };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * An RSA key pair as forge keys, generated natively (forge's pure-JS keygen takes seconds); 1024
 * bits by default keeps forge's signing fast in tests (a TLS server's key must have 2048).
 */
export function rsaKeyPair(bits = 1024): {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
} {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: bits,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey);
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

/** X.509 has second precision; whole seconds keep round-trips exact. */
export function wholeSeconds(time: number): Date {
  return new Date(Math.floor(time / 1000) * 1000);
}

interface CertificateSpec {
  subject: forge.pki.CertificateField[];
  issuer: forge.pki.CertificateField[];
  publicKey: forge.pki.PublicKey;
  signingKey: forge.pki.rsa.PrivateKey;
  isCa: boolean;
  validDays: number;
  altNames?: string[];
}

function signCertificate(spec: CertificateSpec): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = spec.publicKey;
  // A positive serial: the leading nibble must not set the sign bit.
  cert.serialNumber = `01${randomBytes(8).toString("hex")}`;
  cert.validity.notBefore = wholeSeconds(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = wholeSeconds(Date.now() + spec.validDays * DAY_MS);
  cert.setSubject(spec.subject);
  cert.setIssuer(spec.issuer);
  const extensions: object[] = [{ name: "basicConstraints", cA: spec.isCa }];
  if (spec.isCa) extensions.push({ name: "keyUsage", keyCertSign: true, cRLSign: true });
  if (spec.altNames) {
    extensions.push({ name: "subjectAltName", altNames: spec.altNames.map((value) => ({ type: 2, value })) });
  }
  cert.setExtensions(extensions);
  cert.sign(spec.signingKey, forge.md.sha256.create());
  return cert;
}

function csrNames(csr: forge.pki.CertificateSigningRequest): string[] {
  const commonName = String(csr.subject.getField("CN")?.value ?? "");
  const request = csr.getAttribute({ name: "extensionRequest" }) as {
    extensions?: { name?: string; altNames?: { value: string }[] }[];
  } | null;
  const sans = request?.extensions?.find((ext) => ext.name === "subjectAltName")?.altNames ?? [];
  return [...new Set([commonName, ...sans.map((name) => name.value)].filter(Boolean))];
}

export function createTestCa(): TestCa {
  const root = rsaKeyPair();
  const rootName = [{ name: "commonName", value: "certdesk Test Root" }];
  const rootCert = signCertificate({
    subject: rootName,
    issuer: rootName,
    publicKey: root.publicKey,
    signingKey: root.privateKey,
    isCa: true,
    validDays: 3650,
  });
  const intermediate = rsaKeyPair();
  const intermediateName = [{ name: "commonName", value: "certdesk Test Intermediate" }];
  const intermediateCert = signCertificate({
    subject: intermediateName,
    issuer: rootName,
    publicKey: intermediate.publicKey,
    signingKey: root.privateKey,
    isCa: true,
    validDays: 1825,
  });
  const rootPem = forge.pki.certificateToPem(rootCert);
  const intermediatePem = forge.pki.certificateToPem(intermediateCert);
  return {
    rootPem,
    intermediatePem,
    issueCertificate(csrPem) {
      const csr = forge.pki.certificationRequestFromPem(csrPem);
      if (!csr.publicKey) throw new Error("CSR has no public key");
      const names = csrNames(csr);
      const leaf = signCertificate({
        subject: [{ name: "commonName", value: names[0] ?? "unknown" }],
        issuer: intermediateName,
        publicKey: csr.publicKey,
        signingKey: intermediate.privateKey,
        isCa: false,
        validDays: 90,
        altNames: names,
      });
      return { leafPem: forge.pki.certificateToPem(leaf), chainPems: [intermediatePem, rootPem] };
    },
  };
}

/** A CSR for `commonName` (plus SANs), as certdesk would submit it. */
export function createTestCsr(commonName: string, sans: string[] = []): string {
  const keys = rsaKeyPair();
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.publicKey;
  csr.setSubject([{ name: "commonName", value: commonName }]);
  if (sans.length > 0) {
    csr.setAttributes([
      {
        name: "extensionRequest",
        extensions: [
          { name: "subjectAltName", altNames: [commonName, ...sans].map((value) => ({ type: 2, value })) },
        ],
      },
    ]);
  }
  csr.sign(keys.privateKey, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}
