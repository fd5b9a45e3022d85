import { spawnSync } from "node:child_process";
import { createPrivateKey, generateKeyPairSync, X509Certificate } from "node:crypto";
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
  type PfxEncryption,
  UnsupportedKeyError,
} from "../../src/certs/bundle.js";
import { createCsr } from "../../src/certs/csr.js";
import { splitPemBundle } from "../../src/certs/inspect.js";
import { generateKeyPair } from "../../src/certs/keys.js";

const workDir = mkdtempSync(path.join(tmpdir(), "certdesk-bundle-"));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The real binary: without it these tests fail rather than skip, since they are the proof of interoperability. */
function openssl(args: string[]): Run {
  const result = spawnSync("openssl", args, { cwd: workDir, encoding: "utf8" });
  if (result.error) {
    throw new Error(`These tests need the openssl binary (apt-get install openssl): ${result.error.message}`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Never -legacy: OpenSSL 3 needs it only for RC2 and the like, and neither variant may use those. */
function opensslPkcs12(args: string[]): Run {
  return openssl(["pkcs12", ...args]);
}

/** `openssl pkcs12 -info` describes the MAC and each bag's encryption, on stderr, one line each. */
function pkcs12Info(file: string, password: string): { status: number | null; lines: string[] } {
  const run = opensslPkcs12(["-in", file, "-info", "-noout", "-passin", `pass:${password}`]);
  return { status: run.status, lines: `${run.stderr}\n${run.stdout}`.split("\n").map((line) => line.trim()) };
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
  const MODERN = "PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256";
  const LEGACY = "pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048";

  function pfxFor(
    password: string,
    options: { encryption?: PfxEncryption; key?: { privateKeyPem: string; certificatePem: string } } = {},
  ): Promise<Buffer> {
    const key = options.key ?? rsa;
    return createPfx({
      privateKeyPem: key.privateKeyPem,
      certificatePem: key.certificatePem,
      chainPems: [intermediatePem, rootPem],
      password,
      friendlyName,
      ...(options.encryption ? { encryption: options.encryption } : {}),
    });
  }

  async function writePfx(name: string, pfx: Promise<Buffer>): Promise<string> {
    writeFileSync(path.join(workDir, name), await pfx);
    return name;
  }

  /** What openssl takes out of the bundle: certificates in order, the key, and the bag attributes. */
  function opened(file: string, password: string) {
    const certificates = opensslPkcs12(["-in", file, "-passin", `pass:${password}`, "-nokeys"]);
    const key = opensslPkcs12(["-in", file, "-passin", `pass:${password}`, "-nocerts", "-nodes"]);
    expect(certificates.stderr).toBe("");
    expect(certificates.status).toBe(0);
    expect(key.status).toBe(0);
    return {
      certificates: splitPemBundle(certificates.stdout).map(derOf),
      privateKeyPem: key.stdout.slice(key.stdout.indexOf("-----BEGIN")),
      keyAttributes: key.stdout.slice(0, key.stdout.indexOf("-----BEGIN")),
      leafAttributes: certificates.stdout.slice(0, certificates.stdout.indexOf("-----BEGIN")),
    };
  }

  function pkcs8(privateKeyPem: string): string {
    return createPrivateKey(privateKeyPem).export({ type: "pkcs8", format: "pem" }).toString();
  }

  describe("by default (AES-256)", () => {
    it("is what OpenSSL 3 writes: PBES2 with AES-256-CBC and HMAC-SHA-256 for key and certificates, SHA-256 MAC", async () => {
      const password = generatePfxPassword();
      const file = await writePfx("modern.pfx", pfxFor(password));

      const info = pkcs12Info(file, password);

      expect(info.status).toBe(0);
      expect(info.lines).toContain("MAC: sha256, Iteration 2048");
      expect(info.lines).toContain("MAC length: 32, salt length: 16");
      expect(info.lines.filter((line) => line.startsWith("Shrouded Keybag:"))).toEqual([
        `Shrouded Keybag: ${MODERN}`,
      ]);
      // One encrypted container holds all three certificates; none travels in the clear.
      expect(info.lines.filter((line) => line.startsWith("PKCS7 Encrypted data:"))).toEqual([
        `PKCS7 Encrypted data: ${MODERN}`,
      ]);
      const encrypted = info.lines.indexOf(`PKCS7 Encrypted data: ${MODERN}`);
      const plain = info.lines.indexOf("PKCS7 Data");
      expect(info.lines.slice(encrypted + 1, plain)).toEqual(Array(3).fill("Certificate bag"));
      expect(info.lines.slice(plain + 1).filter((line) => line.endsWith("bag"))).toEqual([]);
      expect(info.lines.join("\n")).not.toMatch(/3DES|TripleDES|sha1|RC2|Error/i);
    });

    it("salts with 16 bytes, as OpenSSL does: Windows refuses PKI.js's default 64-byte salts", async () => {
      const pfx = await pfxFor(generatePfxPassword());

      // PBKDF2 parameters are not encrypted: OID, then SEQUENCE { OCTET STRING salt, INTEGER iterations, prf }.
      const pbkdf2 = Buffer.from("06092a864886f70d01050c", "hex");
      const saltLengths: number[] = [];
      for (let at = pfx.indexOf(pbkdf2); at >= 0; at = pfx.indexOf(pbkdf2, at + 1)) {
        const parameters = pfx.subarray(at + pbkdf2.length);
        expect([parameters[0], parameters[2]]).toEqual([0x30, 0x04]);
        saltLengths.push(parameters[3] ?? 0);
      }

      // One for the certificates' container, one for the key bag.
      expect(saltLengths).toEqual([16, 16]);
    });

    it("opens in openssl with the password: the key, the certificate and the chain are the inputs", async () => {
      const password = generatePfxPassword();
      const file = await writePfx("modern.pfx", pfxFor(password));

      const pfx = opened(file, password);

      expect(pfx.certificates).toEqual([rsa.certificatePem, intermediatePem, rootPem].map(derOf));
      expect(pkcs8(pfx.privateKeyPem)).toBe(pkcs8(rsa.privateKeyPem));
      // Windows names the entry by friendlyName and pairs key and certificate by localKeyID.
      const localKeyId = /localKeyID: ([0-9A-F ]+)/.exec(pfx.keyAttributes)?.[1];
      expect(localKeyId).toMatch(/^([0-9A-F]{2} ){20}$/);
      for (const attributes of [pfx.keyAttributes, pfx.leafAttributes]) {
        expect(attributes).toContain(`friendlyName: ${friendlyName}`);
        expect(attributes).toContain(`localKeyID: ${localKeyId}`);
      }
    });

    it("is refused by openssl with a wrong password", async () => {
      const file = await writePfx("modern.pfx", pfxFor(generatePfxPassword()));

      const wrong = opensslPkcs12(["-in", file, "-passin", "pass:not-it", "-nokeys"]);
      const info = pkcs12Info(file, "not-it");

      expect(wrong.status).not.toBe(0);
      expect(wrong.stdout).not.toContain("BEGIN CERTIFICATE");
      expect(info.status).not.toBe(0);
      expect(info.lines.join("\n")).toMatch(/Mac verify error/i);
    });

    it("is DER that node-forge reads too, and forge refuses a wrong password", async () => {
      const password = generatePfxPassword();
      const der = (await pfxFor(password)).toString("binary");

      const pfx = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), password);

      const keyBags = pfx.getBags({ bagType: SHROUDED_KEY_BAG })[SHROUDED_KEY_BAG] ?? [];
      const certBags = pfx.getBags({ bagType: CERT_BAG })[CERT_BAG] ?? [];
      expect(forge.pki.privateKeyToPem(keyBags[0]?.key as forge.pki.rsa.PrivateKey)).toBe(
        forge.pki.privateKeyToPem(forge.pki.privateKeyFromPem(rsa.privateKeyPem)),
      );
      expect(certBags.map((bag) => bag.cert?.subject.getField("CN").value)).toEqual([
        "pfx.example",
        "Sandbox Issuing CA",
        "Sandbox Root CA",
      ]);
      expect(() => forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), "wrong password")).toThrow();
    });

    it("carries an EC P-256 key, which openssl opens to the same key", async () => {
      const password = generatePfxPassword();
      const file = await writePfx("ec.pfx", pfxFor(password, { key: ec }));

      const info = pkcs12Info(file, password);
      const pfx = opened(file, password);

      expect(info.status).toBe(0);
      expect(info.lines).toContain("MAC: sha256, Iteration 2048");
      expect(info.lines).toContain(`Shrouded Keybag: ${MODERN}`);
      expect(info.lines).toContain(`PKCS7 Encrypted data: ${MODERN}`);
      expect(pfx.certificates).toEqual([ec.certificatePem, intermediatePem, rootPem].map(derOf));
      expect(pkcs8(pfx.privateKeyPem)).toBe(pkcs8(ec.privateKeyPem));
      expect(createPrivateKey(pfx.privateKeyPem).asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
      expect(opensslPkcs12(["-in", file, "-passin", "pass:not-it", "-nokeys"]).status).not.toBe(0);
    });

    it("takes a PKCS#1 or SEC1 key PEM as well as PKCS#8", async () => {
      const password = generatePfxPassword();
      const traditional = {
        rsa: { ...rsa, privateKeyPem: exportPem(rsa.privateKeyPem, "pkcs1") },
        ec: { ...ec, privateKeyPem: exportPem(ec.privateKeyPem, "sec1") },
      };

      for (const [name, key] of Object.entries(traditional)) {
        expect(key.privateKeyPem).not.toContain("BEGIN PRIVATE KEY");
        const file = await writePfx(`${name}-traditional.pfx`, pfxFor(password, { key }));
        expect(pkcs8(opened(file, password).privateKeyPem)).toBe(pkcs8(key.privateKeyPem));
      }
    });

    it("refuses a key that is neither RSA nor EC with UnsupportedKeyError", async () => {
      const ed25519 = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" });

      const attempt = pfxFor("x", {
        key: { privateKeyPem: ed25519.toString(), certificatePem: rsa.certificatePem },
      });

      await expect(attempt).rejects.toThrow(UnsupportedKeyError);
      await expect(attempt).rejects.toThrow(/only produced for RSA and EC keys.*ED25519/);
    });
  });

  describe("legacy-3des, for Windows Server 2016 and older", () => {
    it("is 3DES with a SHA-1 MAC, and opens in openssl 3 without -legacy", async () => {
      const password = generatePfxPassword();
      const file = await writePfx("legacy.pfx", pfxFor(password, { encryption: "legacy-3des" }));

      const info = pkcs12Info(file, password);
      const pfx = opened(file, password);

      expect(info.status).toBe(0);
      expect(info.lines).toContain("MAC: sha1, Iteration 2048");
      expect(info.lines.filter((line) => line.startsWith("Shrouded Keybag:"))).toEqual([
        `Shrouded Keybag: ${LEGACY}`,
      ]);
      expect(info.lines.join("\n")).not.toMatch(/AES|PBES2|sha256|RC2/);
      expect(pfx.certificates).toEqual([rsa.certificatePem, intermediatePem, rootPem].map(derOf));
      expect(pkcs8(pfx.privateKeyPem)).toBe(pkcs8(rsa.privateKeyPem));
      expect(pfx.keyAttributes).toContain(`friendlyName: ${friendlyName}`);
    });

    it("is refused by openssl with a wrong password", async () => {
      const file = await writePfx("legacy.pfx", pfxFor(generatePfxPassword(), { encryption: "legacy-3des" }));

      const wrong = opensslPkcs12(["-in", file, "-passin", "pass:not-it", "-nokeys"]);

      expect(wrong.status).not.toBe(0);
      expect(wrong.stderr).toMatch(/Mac verify error/i);
    });

    it("opens in node-forge with the password and holds the key, the certificate and the chain", async () => {
      const password = generatePfxPassword();
      const der = (await pfxFor(password, { encryption: "legacy-3des" })).toString("binary");

      const pfx = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), password);

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
      expect(() => forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), "wrong password")).toThrow();
    });

    it("refuses an EC key with UnsupportedKeyError that explains it needs RSA and points to the default", async () => {
      const attempt = pfxFor("x", { key: ec, encryption: "legacy-3des" });

      await expect(attempt).rejects.toThrow(UnsupportedKeyError);
      await expect(attempt).rejects.toThrow(/legacy \(3DES\) PFX file is only produced for RSA keys.*EC/);
      await expect(attempt).rejects.toThrow(/default PFX/);
    });

    it("refuses a chain certificate with an EC key", async () => {
      const attempt = createPfx({
        privateKeyPem: rsa.privateKeyPem,
        certificatePem: rsa.certificatePem,
        chainPems: [ec.certificatePem],
        password: "x",
        friendlyName,
        encryption: "legacy-3des",
      });

      await expect(attempt).rejects.toThrow(UnsupportedKeyError);
    });
  });
});

function exportPem(privateKeyPem: string, type: "pkcs1" | "sec1"): string {
  return createPrivateKey(privateKeyPem).export({ type, format: "pem" }).toString();
}

describe("generatePfxPassword", () => {
  it("makes 20 unambiguous characters, different every time", () => {
    const passwords = Array.from({ length: 50 }, generatePfxPassword);

    for (const password of passwords) expect(password).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);
    expect(new Set(passwords).size).toBe(passwords.length);
  });
});
