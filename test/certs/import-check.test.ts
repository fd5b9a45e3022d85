import { describe, expect, it } from "vitest";
import { CertificateImportError, readCertificateBundle } from "../../src/certs/import-check.js";
import { createImportCa } from "../support/certificates.js";
import { createTestCsr } from "../support/test-ca.js";

const ca = createImportCa();
const now = new Date();
const leaf = ca.leaf(["www.example.com", "example.com"]);

function refusal(text: string): CertificateImportError {
  try {
    readCertificateBundle(text, now);
  } catch (error) {
    if (error instanceof CertificateImportError) return error;
    throw error;
  }
  throw new Error("the bundle was accepted");
}

describe("readCertificateBundle (what /ssl import and import-certs accept)", () => {
  it("takes a certificate with its chain, certificate first", () => {
    const bundle = readCertificateBundle(leaf.pem + ca.intermediatePem + ca.rootPem, now);
    expect(bundle.details.subject).toBe("www.example.com");
    expect(bundle.details.sans).toEqual(["www.example.com", "example.com"]);
    expect(bundle.details.issuer).toBe("Import Test Intermediate");
    expect(bundle.chainPems).toEqual([ca.intermediatePem, ca.rootPem]);
    expect(bundle.notes).toEqual([]);
  });

  it("takes a certificate without a chain, and says Details will hand it out alone", () => {
    const bundle = readCertificateBundle(leaf.pem, now);
    expect(bundle.chainPems).toEqual([]);
    expect(bundle.notes.join(" ")).toMatch(/No chain was given/);
  });

  it("puts a chain given out of order in order, and says so", () => {
    const bundle = readCertificateBundle(`${ca.rootPem}\r\n${leaf.pem}\n\n${ca.intermediatePem}`, now);
    expect(bundle.certificatePem).toBe(leaf.pem);
    expect(bundle.chainPems).toEqual([ca.intermediatePem, ca.rootPem]);
    expect(bundle.notes.join(" ")).toMatch(/out of order/);
  });

  it("refuses an expired certificate, naming it and the day it expired", () => {
    const expired = ca.leaf(["old.example.com"], { days: -3 });
    const error = refusal(expired.pem + ca.intermediatePem);
    expect(error.kind).toBe("expired");
    expect(error.message).toContain(
      `old.example.com expired on ${expired.notAfter.toISOString().slice(0, 10)}`,
    );
  });

  it("refuses what is not a certificate: plain text, a CSR, another PEM block, a damaged one", () => {
    expect(refusal("hello, this is not a certificate").kind).toBe("not_certificate");
    expect(refusal(createTestCsr("www.example.com")).message).toMatch(/certificate signing request/);
    expect(refusal("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").message).toMatch(
      /“PUBLIC KEY” block/,
    );
    const damaged = leaf.pem.replace(/\n[A-Za-z0-9+/]{20}/, "\n");
    expect(refusal(damaged).kind).toBe("unreadable");
  });

  it("refuses a private key without repeating any of it", () => {
    const error = refusal(leaf.pem + leaf.keyPem);
    expect(error.kind).toBe("private_key");
    const body = leaf.keyPem.split("\n")[1] ?? "";
    expect(body.length).toBeGreaterThan(20);
    expect(error.message).not.toContain(body.slice(0, 20));
    for (const label of [
      "RSA PRIVATE KEY",
      "EC PRIVATE KEY",
      "ENCRYPTED PRIVATE KEY",
      "OPENSSH PRIVATE KEY",
    ]) {
      expect(refusal(`-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`).kind).toBe("private_key");
    }
  });

  it("refuses an incomplete chain, CA certificates alone and two server certificates", () => {
    // The intermediate is missing: the root does not link to the certificate.
    const incomplete = refusal(leaf.pem + ca.rootPem);
    expect(incomplete.kind).toBe("chain_incomplete");
    expect(incomplete.message).toContain("Import Test Root");
    const other = createImportCa("Other");
    expect(refusal(leaf.pem + other.intermediatePem).kind).toBe("chain_incomplete");
    expect(refusal(ca.intermediatePem + ca.rootPem).kind).toBe("ca_certificate");
    expect(refusal(leaf.pem + ca.leaf(["shop.example.com"]).pem).kind).toBe("several_certificates");
  });
});
