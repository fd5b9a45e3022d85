import { createHash, X509Certificate } from "node:crypto";
import forge from "node-forge";
import { beforeAll, describe, expect, it } from "vitest";
import { type CertificateAuthority, createCertificateAuthority, signCsr } from "../../src/certs/authority.js";
import { createCsr } from "../../src/certs/csr.js";
import { certificateMatchesCsr, inspectCertificate, splitPemBundle } from "../../src/certs/inspect.js";
import { generateKeyPair } from "../../src/certs/keys.js";

const notBefore = new Date("2026-01-10T08:30:00Z");
const notAfter = new Date("2027-01-10T08:29:59Z");
let ca: CertificateAuthority;
let csrPem: string;
let otherCsrPem: string;
let leafPem: string;

async function csrFor(commonName: string, domains: string[]): Promise<string> {
  const { privateKeyPem } = await generateKeyPair("ec-p256");
  return createCsr({ privateKeyPem, subject: { commonName }, domains });
}

beforeAll(async () => {
  [ca, csrPem, otherCsrPem] = await Promise.all([
    createCertificateAuthority({ commonName: "Inspect CA", now: notBefore }),
    csrFor("inspect.example", ["inspect.example", "www.inspect.example"]),
    csrFor("inspect.example", ["inspect.example"]),
  ]);
  leafPem = await signCsr({ ca, csrPem, notBefore, notAfter, serialNumber: "0123456789abcdef" });
});

describe("inspectCertificate", () => {
  it("reports subject, names, issuer, serial, fingerprint and validity", () => {
    const expectedFingerprint = createHash("sha256")
      .update(new X509Certificate(leafPem).raw)
      .digest("hex")
      .toUpperCase()
      .match(/../g)
      ?.join(":");

    expect(inspectCertificate(leafPem)).toEqual({
      subject: "inspect.example",
      sans: ["inspect.example", "www.inspect.example"],
      issuer: "Inspect CA",
      serialNumber: "0123456789ABCDEF",
      sha256Fingerprint: expectedFingerprint,
      notBefore,
      notAfter,
    });
  });

  it("shows the whole issuer name when it has no CN", () => {
    const keys = forge.pki.rsa.generateKeyPair({ bits: 512, e: 0x10001 });
    const certificate = forge.pki.createCertificate();
    const name = [
      { shortName: "C", value: "GB" },
      { shortName: "O", value: "No CN Ltd" },
    ];
    certificate.publicKey = keys.publicKey;
    certificate.serialNumber = "01";
    certificate.validity.notBefore = notBefore;
    certificate.validity.notAfter = notAfter;
    certificate.setSubject(name);
    certificate.setIssuer(name);
    certificate.sign(keys.privateKey, forge.md.sha256.create());

    const details = inspectCertificate(forge.pki.certificateToPem(certificate));

    expect(details.issuer).toBe("C=GB, O=No CN Ltd");
    expect(details.subject).toBe("");
    expect(details.sans).toEqual([]);
  });
});

describe("certificateMatchesCsr", () => {
  it("is true only for the CSR whose key the certificate carries", () => {
    expect(certificateMatchesCsr(leafPem, csrPem)).toBe(true);
    expect(certificateMatchesCsr(leafPem, otherCsrPem)).toBe(false);
  });
});

describe("splitPemBundle", () => {
  it("returns every certificate block in order and skips other blocks", () => {
    const text = [
      "Subject: leaf",
      leafPem.trim(),
      "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
      ca.certificatePem.trim(),
    ]
      .join("\n")
      .replace(/\n/g, "\r\n");

    const blocks = splitPemBundle(text);

    expect(blocks).toEqual([leafPem, ca.certificatePem]);
  });

  it("returns nothing for text without certificates", () => {
    expect(splitPemBundle("no pem here")).toEqual([]);
  });
});
