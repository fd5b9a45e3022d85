import { spawnSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CsrError, createCsr, parseCsr } from "../../src/certs/csr.js";
import { generateKeyPair, type KeyPairPem } from "../../src/certs/keys.js";

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;
const workDir = mkdtempSync(path.join(tmpdir(), "certdesk-csr-"));

function openssl(args: string[]): { status: number | null; output: string } {
  const result = spawnSync("openssl", args, { cwd: workDir, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
}

function toCsrPem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`;
}

const fullSubject = {
  commonName: "shop.example.com",
  organisation: "Müller & Söhne GmbH",
  unit: "Web",
  locality: "München",
  state: "Bayern",
  country: "DE",
};
const domains = ["shop.example.com", "www.shop.example.com", "xn--mller-kva.example"];

const keys: Record<"rsa" | "ec", KeyPairPem> = {} as Record<"rsa" | "ec", KeyPairPem>;

beforeAll(async () => {
  [keys.rsa, keys.ec] = await Promise.all([generateKeyPair("rsa-2048"), generateKeyPair("ec-p256")]);
});

describe.each([
  ["rsa", "sha256WithRSAEncryption"],
  ["ec", "ecdsa-with-SHA256"],
] as const)("createCsr with an %s key", (keyType, signatureName) => {
  it("parses back to the subject, the domains and the key", async () => {
    const pem = await createCsr({
      privateKeyPem: keys[keyType].privateKeyPem,
      subject: fullSubject,
      domains,
    });

    const parsed = parseCsr(pem);

    expect(pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    expect(parsed.commonName).toBe("shop.example.com");
    expect(parsed.domains).toEqual(domains);
    expect(parsed.publicKeySpkiDer).toEqual(
      createPublicKey(keys[keyType].publicKeyPem).export({ type: "spki", format: "der" }),
    );
    expect(parsed.der).toEqual(pemBody(pem));
  });

  it.skipIf(!hasOpenssl)("is accepted by openssl req -verify with every requested field", async () => {
    const pem = await createCsr({
      privateKeyPem: keys[keyType].privateKeyPem,
      subject: fullSubject,
      domains,
    });
    writeFileSync(path.join(workDir, `${keyType}.csr`), pem);

    const { status, output } = openssl([
      "req",
      "-in",
      `${keyType}.csr`,
      "-noout",
      "-verify",
      "-text",
      "-nameopt",
      "utf8",
    ]);

    expect(status).toBe(0);
    expect(output).toMatch(/verify OK/);
    expect(output).toContain(
      "Subject: C=DE, ST=Bayern, L=München, O=Müller & Söhne GmbH, OU=Web, CN=shop.example.com",
    );
    expect(output).toContain("DNS:shop.example.com, DNS:www.shop.example.com, DNS:xn--mller-kva.example");
    expect(output).toContain(`Signature Algorithm: ${signatureName}`);
  });
});

describe("createCsr input", () => {
  it("puts only the given subject fields in the CSR", async () => {
    const pem = await createCsr({
      privateKeyPem: keys.ec.privateKeyPem,
      subject: { commonName: "Only.Example.com" },
      domains: ["only.example.com", "ONLY.example.com"],
    });

    const parsed = parseCsr(pem);

    expect(parsed.commonName).toBe("only.example.com");
    expect(parsed.domains).toEqual(["only.example.com"]);
    if (hasOpenssl) {
      writeFileSync(path.join(workDir, "cn-only.csr"), pem);
      expect(openssl(["req", "-in", "cn-only.csr", "-noout", "-subject"]).output.trim()).toBe(
        "subject=CN = only.example.com",
      );
    }
  });

  it("refuses a non-ASCII domain and names its punycode form", async () => {
    const attempt = createCsr({
      privateKeyPem: keys.ec.privateKeyPem,
      subject: { commonName: "müller.example" },
      domains: ["müller.example"],
    });

    await expect(attempt).rejects.toThrow(CsrError);
    await expect(attempt).rejects.toThrow(/xn--mller-kva\.example/);
  });

  it("refuses a common name that is missing from the domain list", async () => {
    const attempt = createCsr({
      privateKeyPem: keys.ec.privateKeyPem,
      subject: { commonName: "a.example.com" },
      domains: ["b.example.com"],
    });

    await expect(attempt).rejects.toThrow(/a\.example\.com.*domain list/);
  });

  it("refuses a country that is not a two-letter code", async () => {
    const attempt = createCsr({
      privateKeyPem: keys.ec.privateKeyPem,
      subject: { commonName: "a.example.com", country: "Germany" },
      domains: ["a.example.com"],
    });

    await expect(attempt).rejects.toThrow(/two-letter ISO code/);
  });
});

describe("parseCsr", () => {
  it.skipIf(!hasOpenssl).each([
    ["rsa", ["-newkey", "rsa:2048"]],
    ["ec", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]],
  ])("reads a CSR made by openssl with an %s key", (name, keyArgs) => {
    const result = openssl([
      "req",
      "-new",
      ...keyArgs,
      "-nodes",
      "-keyout",
      `openssl-${name}.key`,
      "-out",
      `openssl-${name}.csr`,
      "-subj",
      "/CN=api.example.org/O=Example",
      "-addext",
      "subjectAltName=DNS:api.example.org,DNS:api2.example.org",
    ]);
    expect(result.status).toBe(0);

    const parsed = parseCsr(readFileSync(path.join(workDir, `openssl-${name}.csr`), "utf8"));

    expect(parsed.commonName).toBe("api.example.org");
    expect(parsed.domains).toEqual(["api.example.org", "api2.example.org"]);
    expect(parsed.publicKeySpkiDer).toEqual(
      createPublicKey(readFileSync(path.join(workDir, `openssl-${name}.key`))).export({
        type: "spki",
        format: "der",
      }),
    );
  });

  it.skipIf(!hasOpenssl)("counts the common name as a domain when the CSR has no subjectAltName", () => {
    const keyArgs = [
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "plain.key",
    ];
    openssl(["req", "-new", ...keyArgs, "-out", "plain.csr", "-subj", "/CN=Plain.Example.net"]);

    const parsed = parseCsr(readFileSync(path.join(workDir, "plain.csr"), "utf8"));

    expect(parsed.commonName).toBe("Plain.Example.net");
    expect(parsed.domains).toEqual(["plain.example.net"]);
  });

  it("rejects a CSR altered after signing", async () => {
    const pem = await createCsr({
      privateKeyPem: keys.rsa.privateKeyPem,
      subject: { commonName: "www.example.com" },
      domains: ["www.example.com"],
    });
    const der = pemBody(pem);
    const tampered = Buffer.from(
      der.toString("latin1").replace("www.example.com", "evil.example.co"),
      "latin1",
    );

    expect(() => parseCsr(toCsrPem(tampered))).toThrow(/signature does not match/);
  });

  it("rejects text that is not a CSR", () => {
    expect(() => parseCsr("hello")).toThrow(CsrError);
    expect(() => parseCsr(toCsrPem(Buffer.from("not der at all")))).toThrow(/damaged/);
  });
});
