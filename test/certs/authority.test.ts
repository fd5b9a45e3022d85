import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type CertificateAuthority, createCertificateAuthority, signCsr } from "../../src/certs/authority.js";
import { CsrError, createCsr } from "../../src/certs/csr.js";
import { inspectCertificate } from "../../src/certs/inspect.js";
import { generateKeyPair, type KeyAlgorithm } from "../../src/certs/keys.js";

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;
const workDir = mkdtempSync(path.join(tmpdir(), "certdesk-ca-"));

function openssl(args: string[]): { status: number | null; output: string } {
  const result = spawnSync("openssl", args, { cwd: workDir, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const now = new Date("2026-03-01T12:00:00Z");
const notBefore = new Date("2026-03-01T12:00:00Z");
const notAfter = new Date("2026-05-30T12:00:00Z");
let ca: CertificateAuthority;

beforeAll(async () => {
  ca = await createCertificateAuthority({ commonName: "certdesk Sandbox CA", now });
  writeFileSync(path.join(workDir, "ca.pem"), ca.certificatePem);
});

async function csrFor(algorithm: KeyAlgorithm, domains = ["shop.example.com", "www.shop.example.com"]) {
  const { privateKeyPem } = await generateKeyPair(algorithm);
  return createCsr({
    privateKeyPem,
    subject: { commonName: domains[0] ?? "", organisation: "Shop" },
    domains,
  });
}

describe("createCertificateAuthority", () => {
  it("creates a self-signed RSA-2048 CA valid for ten years", () => {
    const certificate = new X509Certificate(ca.certificatePem);

    expect(certificate.ca).toBe(true);
    expect(certificate.subject).toBe("CN=certdesk Sandbox CA");
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.checkPrivateKey(createPrivateKey(ca.privateKeyPem))).toBe(true);
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(new Date(certificate.validFrom)).toEqual(now);
    expect(new Date(certificate.validTo)).toEqual(new Date("2036-03-01T12:00:00Z"));
  });

  it.skipIf(!hasOpenssl)("has CA:TRUE and may only sign certificates and CRLs", () => {
    const { status, output } = openssl(["x509", "-in", "ca.pem", "-noout", "-text"]);

    expect(status).toBe(0);
    expect(output).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(output).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
  });
});

describe.each([
  ["rsa-2048", "Digital Signature, Key Encipherment"],
  ["ec-p256", "Digital Signature"],
] as const)("signCsr for an %s CSR", (algorithm, keyUsage) => {
  it("issues a leaf for the CSR's key, names and dates, signed by the CA", async () => {
    const csrPem = await csrFor(algorithm);

    const leafPem = await signCsr({ ca, csrPem, notBefore, notAfter });

    const leaf = new X509Certificate(leafPem);
    const caCertificate = new X509Certificate(ca.certificatePem);
    expect(leaf.checkIssued(caCertificate)).toBe(true);
    expect(leaf.verify(caCertificate.publicKey)).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(inspectCertificate(leafPem)).toMatchObject({
      subject: "shop.example.com",
      sans: ["shop.example.com", "www.shop.example.com"],
      issuer: "certdesk Sandbox CA",
      notBefore,
      notAfter,
    });
    expect(inspectCertificate(leafPem).serialNumber).toMatch(/^[0-9A-F]{32}$/);
  });

  it.skipIf(!hasOpenssl)("passes openssl verify -x509_strict and carries the leaf extensions", async () => {
    const leafPem = await signCsr({
      ca,
      csrPem: await csrFor(algorithm),
      notBefore,
      notAfter: new Date("2049-01-01"),
    });
    writeFileSync(path.join(workDir, `${algorithm}.pem`), leafPem);

    const verified = openssl([
      "verify",
      "-x509_strict",
      "-attime",
      "1780000000",
      "-CAfile",
      "ca.pem",
      `${algorithm}.pem`,
    ]);
    const text = openssl(["x509", "-in", `${algorithm}.pem`, "-noout", "-text"]);

    expect(verified.output.trim()).toBe(`${algorithm}.pem: OK`);
    expect(text.status).toBe(0);
    expect(text.output).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text.output).toMatch(new RegExp(`Key Usage: critical\\s+${keyUsage}\\n`));
    expect(text.output).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
    expect(text.output).toContain("DNS:shop.example.com, DNS:www.shop.example.com");
    expect(text.output).toContain("Signature Algorithm: sha256WithRSAEncryption");
  });
});

describe("signCsr input", () => {
  it("uses the serial number it is given, minimally encoded", async () => {
    const csrPem = await csrFor("ec-p256");

    const small = await signCsr({ ca, csrPem, notBefore, notAfter, serialNumber: "000a1b2c" });
    const highBit = await signCsr({ ca, csrPem, notBefore, notAfter, serialNumber: "FF01" });

    expect(inspectCertificate(small).serialNumber).toBe("0A1B2C");
    expect(inspectCertificate(highBit).serialNumber).toBe("FF01");
  });

  it("keeps validity dates after 2049 exact (GeneralizedTime)", async () => {
    const leafPem = await signCsr({
      ca,
      csrPem: await csrFor("ec-p256"),
      notBefore,
      notAfter: new Date("2051-06-01T00:00:00Z"),
    });

    expect(inspectCertificate(leafPem).notAfter).toEqual(new Date("2051-06-01T00:00:00Z"));
  });

  it("refuses bad serial numbers, an empty validity and a damaged CSR", async () => {
    const csrPem = await csrFor("ec-p256");

    await expect(signCsr({ ca, csrPem, notBefore, notAfter, serialNumber: "xyz" })).rejects.toThrow(
      RangeError,
    );
    await expect(signCsr({ ca, csrPem, notBefore, notAfter, serialNumber: "00" })).rejects.toThrow(
      /positive/,
    );
    await expect(signCsr({ ca, csrPem, notBefore, notAfter, serialNumber: "01".repeat(21) })).rejects.toThrow(
      /20 bytes/,
    );
    await expect(signCsr({ ca, csrPem, notBefore: notAfter, notAfter: notBefore })).rejects.toThrow(/later/);
    await expect(signCsr({ ca, csrPem: damage(csrPem), notBefore, notAfter })).rejects.toThrow(CsrError);
  });
});

/** Changes one base64 character inside the signed part of the request. */
function damage(pem: string): string {
  const lines = pem.split("\n");
  const line = lines[2] ?? "";
  lines[2] = `${line.slice(0, 10)}${line[10] === "A" ? "B" : "A"}${line.slice(11)}`;
  return lines.join("\n");
}
