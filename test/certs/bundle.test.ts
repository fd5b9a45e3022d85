import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import forge from "node-forge";
import { beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority, signCsr } from "../../src/certs/authority.js";
import {
  chainPem,
  createPfx,
  fullChainPem,
  generatePfxPassword,
  UnsupportedKeyError,
} from "../../src/certs/bundle.js";
import { createCsr } from "../../src/certs/csr.js";
import { splitPemBundle } from "../../src/certs/inspect.js";
import { generateKeyPair } from "../../src/certs/keys.js";

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;
const workDir = mkdtempSync(path.join(tmpdir(), "certdesk-bundle-"));

function openssl(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync("openssl", args, { cwd: workDir, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** OpenSSL 3 moved some PKCS#12 ciphers to its legacy provider; retry with it only when asked to. */
function opensslPkcs12(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const plain = openssl(["pkcs12", ...args]);
  if (plain.status === 0 || !/unsupported|legacy/i.test(plain.stderr)) return plain;
  return openssl(["pkcs12", "-legacy", ...args]);
}

function derOf(pem: string): Buffer {
  return new X509Certificate(pem).raw;
}

const SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2";
const CERT_BAG = "1.2.840.113549.1.12.10.1.3";
const now = new Date("2026-03-01T00:00:00Z");
let rsa: { privateKeyPem: string; certificatePem: string };
let ec: { privateKeyPem: string; certificatePem: string };
let rootPem: string;
let intermediatePem: string;

async function issue(
  algorithm: "rsa-2048" | "ec-p256",
  ca: { certificatePem: string; privateKeyPem: string },
) {
  const { privateKeyPem } = await generateKeyPair(algorithm);
  const csrPem = await createCsr({
    privateKeyPem,
    subject: { commonName: "pfx.example" },
    domains: ["pfx.example"],
  });
  const notAfter = new Date("2026-06-01T00:00:00Z");
  return { privateKeyPem, certificatePem: await signCsr({ ca, csrPem, notBefore: now, notAfter }) };
}

beforeAll(async () => {
  const [issuing, root] = await Promise.all([
    createCertificateAuthority({ commonName: "Sandbox Issuing CA", now }),
    createCertificateAuthority({ commonName: "Sandbox Root CA", now }),
  ]);
  intermediatePem = issuing.certificatePem;
  rootPem = root.certificatePem;
  [rsa, ec] = await Promise.all([issue("rsa-2048", issuing), issue("ec-p256", issuing)]);
});

describe("fullChainPem and chainPem", () => {
  it("join certificates in order with one newline each, whatever their line endings", () => {
    const crlf = `${rsa.certificatePem.trim().replace(/\n/g, "\r\n")}\r\n\r\n`;

    const full = fullChainPem(crlf, [intermediatePem, `${rootPem}\n\n`]);
    const chain = chainPem([intermediatePem, rootPem]);

    expect(full).not.toContain("\r");
    expect(full).not.toMatch(/\n\n/);
    expect(splitPemBundle(full).map(derOf)).toEqual(
      [rsa.certificatePem, intermediatePem, rootPem].map(derOf),
    );
    expect(splitPemBundle(chain).map(derOf)).toEqual([intermediatePem, rootPem].map(derOf));
    expect(full.endsWith("-----END CERTIFICATE-----\n")).toBe(true);
  });
});

describe("createPfx", () => {
  const friendlyName = "pfx.example (2026)";

  function pfxFor(password: string): Buffer {
    return createPfx({
      privateKeyPem: rsa.privateKeyPem,
      certificatePem: rsa.certificatePem,
      chainPems: [intermediatePem, rootPem],
      password,
      friendlyName,
    });
  }

  it("opens in node-forge with the password and holds the key, the certificate and the chain", () => {
    const password = generatePfxPassword();

    const pfx = forge.pkcs12.pkcs12FromAsn1(
      forge.asn1.fromDer(pfxFor(password).toString("binary")),
      password,
    );

    const keyBags = pfx.getBags({ bagType: SHROUDED_KEY_BAG })[SHROUDED_KEY_BAG] ?? [];
    const certBags = pfx.getBags({ bagType: CERT_BAG })[CERT_BAG] ?? [];
    const key = keyBags[0]?.key as forge.pki.rsa.PrivateKey;
    expect(forge.pki.privateKeyToPem(key)).toBe(
      forge.pki.privateKeyToPem(forge.pki.privateKeyFromPem(rsa.privateKeyPem)),
    );
    expect(keyBags[0]?.attributes.friendlyName).toEqual([friendlyName]);
    expect(certBags.map((bag) => bag.cert?.subject.getField("CN").value)).toEqual([
      "pfx.example",
      "Sandbox Issuing CA",
      "Sandbox Root CA",
    ]);
    expect(() =>
      forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(pfxFor(password).toString("binary")), "wrong password"),
    ).toThrow();
  });

  it.skipIf(!hasOpenssl)("opens in openssl pkcs12 with the password, certificates byte for byte", () => {
    const password = generatePfxPassword();
    writeFileSync(path.join(workDir, "site.pfx"), pfxFor(password));

    const certificates = opensslPkcs12(["-in", "site.pfx", "-passin", `pass:${password}`, "-nokeys"]);
    const key = opensslPkcs12(["-in", "site.pfx", "-passin", `pass:${password}`, "-nocerts", "-nodes"]);
    const wrong = opensslPkcs12(["-in", "site.pfx", "-passin", "pass:not-it", "-nokeys"]);

    expect(certificates.status).toBe(0);
    expect(splitPemBundle(certificates.stdout).map(derOf)).toEqual(
      [rsa.certificatePem, intermediatePem, rootPem].map(derOf),
    );
    expect(key.status).toBe(0);
    expect(createPrivateKey(key.stdout).equals(createPrivateKey(rsa.privateKeyPem))).toBe(true);
    expect(wrong.status).not.toBe(0);
  });

  it("refuses an EC key with UnsupportedKeyError that explains PFX needs RSA", () => {
    const attempt = () =>
      createPfx({
        privateKeyPem: ec.privateKeyPem,
        certificatePem: ec.certificatePem,
        chainPems: [intermediatePem],
        password: "x",
        friendlyName,
      });

    expect(attempt).toThrow(UnsupportedKeyError);
    expect(attempt).toThrow(/only produced for RSA keys.*EC/);
  });

  it("refuses a chain certificate with an EC key", () => {
    const attempt = () =>
      createPfx({
        privateKeyPem: rsa.privateKeyPem,
        certificatePem: rsa.certificatePem,
        chainPems: [ec.certificatePem],
        password: "x",
        friendlyName,
      });

    expect(attempt).toThrow(UnsupportedKeyError);
  });
});

describe("generatePfxPassword", () => {
  it("makes 20 unambiguous characters, different every time", () => {
    const passwords = Array.from({ length: 50 }, generatePfxPassword);

    for (const password of passwords) expect(password).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);
    expect(new Set(passwords).size).toBe(passwords.length);
  });
});
