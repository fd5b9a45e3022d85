import forge from "node-forge";

/**
 * A throwaway root + intermediate CA that signs CSRs for the Sectigo stub, so "issued" orders
 * carry real X.509 certificates. 1024-bit keys: fast to generate, never trusted by anything.
 */
export interface TestCa {
  rootPem: string;
  intermediatePem: string;
  issueCertificate(csrPem: string): { leafPem: string; chainPems: string[] };
}

interface Authority {
  keys: forge.pki.rsa.KeyPair;
  certificate: forge.pki.Certificate;
}

const DAY_MS = 86_400_000;

export function createTestCa(options: { now?: () => Date; validityDays?: number } = {}): TestCa {
  const now = options.now ?? (() => new Date());
  const root = selfSignedRoot(now());
  const intermediate = signedAuthority("certdesk test intermediate", root, now());
  return {
    rootPem: forge.pki.certificateToPem(root.certificate),
    intermediatePem: forge.pki.certificateToPem(intermediate.certificate),
    issueCertificate(csrPem) {
      const leaf = signLeaf(csrPem, intermediate, now(), options.validityDays ?? 365);
      return {
        leafPem: forge.pki.certificateToPem(leaf),
        chainPems: [
          forge.pki.certificateToPem(intermediate.certificate),
          forge.pki.certificateToPem(root.certificate),
        ],
      };
    },
  };
}

let csrKeys: forge.pki.rsa.KeyPair | undefined;

/** A CSR for `commonName` (plus SANs), signed with one key shared by every test CSR to keep tests fast. */
export function createTestCsr(commonName: string, sans: string[] = []): string {
  csrKeys ??= forge.pki.rsa.generateKeyPair(1024);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = csrKeys.publicKey;
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
  csr.sign(csrKeys.privateKey, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

function selfSignedRoot(now: Date): Authority {
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const certificate = baseCertificate(keys.publicKey, now, 3650);
  const subject = [{ name: "commonName", value: "certdesk test root" }];
  certificate.setSubject(subject);
  certificate.setIssuer(subject);
  certificate.setExtensions([
    { name: "basicConstraints", cA: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true },
  ]);
  certificate.sign(keys.privateKey, forge.md.sha256.create());
  return { keys, certificate };
}

function signedAuthority(commonName: string, issuer: Authority, now: Date): Authority {
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const certificate = baseCertificate(keys.publicKey, now, 1825);
  certificate.setSubject([{ name: "commonName", value: commonName }]);
  certificate.setIssuer(issuer.certificate.subject.attributes);
  certificate.setExtensions([
    { name: "basicConstraints", cA: true, pathLenConstraint: 0 },
    { name: "keyUsage", keyCertSign: true, cRLSign: true },
  ]);
  certificate.sign(issuer.keys.privateKey, forge.md.sha256.create());
  return { keys, certificate };
}

function signLeaf(csrPem: string, issuer: Authority, now: Date, validityDays: number): forge.pki.Certificate {
  const csr = forge.pki.certificationRequestFromPem(csrPem);
  if (!csr.publicKey) throw new Error("test CA: the CSR has no public key");
  const certificate = baseCertificate(csr.publicKey, now, validityDays);
  certificate.setSubject(csr.subject.attributes);
  certificate.setIssuer(issuer.certificate.subject.attributes);
  const commonName = String(csr.subject.getField("CN")?.value ?? "");
  certificate.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: [{ type: 2, value: commonName }] },
  ]);
  certificate.sign(issuer.keys.privateKey, forge.md.sha256.create());
  return certificate;
}

function baseCertificate(
  publicKey: forge.pki.PublicKey,
  now: Date,
  validityDays: number,
): forge.pki.Certificate {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = publicKey;
  certificate.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(8))}`;
  certificate.validity.notBefore = now;
  certificate.validity.notAfter = new Date(now.getTime() + validityDays * DAY_MS);
  return certificate;
}
