import { spawnSync } from "node:child_process";
import { createPrivateKey } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority } from "../../src/certs/authority.js";
import { createCsr } from "../../src/certs/csr.js";
import { CSR_CHECK_MESSAGES, type CsrCheck, checkClientCsr } from "../../src/certs/csr-check.js";
import { readChildren, readRoot } from "../../src/certs/der.js";
import { generateKeyPair, type KeyPairPem } from "../../src/certs/keys.js";

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;
const workDir = mkdtempSync(path.join(tmpdir(), "certdesk-csr-check-"));
let fileCounter = 0;

/** A CSR made by `openssl req -new` with a fresh key; `keyArgs` follow -newkey. */
function opensslCsr(keyArgs: string[], subject: string, extra: string[] = []): string {
  const name = `csr-${fileCounter++}`;
  const result = spawnSync(
    "openssl",
    [
      "req",
      "-new",
      "-newkey",
      ...keyArgs,
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      subject,
      ...extra,
    ],
    { cwd: workDir, encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`openssl req failed: ${result.stderr}`);
  return readFileSync(path.join(workDir, `${name}.csr`), "utf8");
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
}

function toCsrPem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`;
}

function refusal(check: CsrCheck): string {
  if (check.ok) throw new Error(`expected a refusal, got ${JSON.stringify(check)}`);
  return check.message;
}

/** No 12-character run of the PEM's base64 body may appear in a message. */
function expectNoEncodedMaterial(message: string, pem: string): void {
  const body = pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  expect(body.length).toBeGreaterThan(40);
  for (let i = 0; i + 12 <= body.length; i += 4) {
    expect(message).not.toContain(body.slice(i, i + 12));
  }
}

const keys = {} as Record<"rsa" | "ec", KeyPairPem>;

beforeAll(async () => {
  [keys.rsa, keys.ec] = await Promise.all([generateKeyPair("rsa-2048"), generateKeyPair("ec-p256")]);
});

function repoCsr(keyType: "rsa" | "ec", domains: string[]): Promise<string> {
  return createCsr({
    privateKeyPem: keys[keyType].privateKeyPem,
    subject: { commonName: domains[0] ?? "", organisation: "Example Ltd", country: "GB" },
    domains,
  });
}

describe("checkClientCsr accepts", () => {
  it.each([
    ["rsa", "rsa-2048"],
    ["ec", "ec-p256"],
  ] as const)("a CSR made by createCsr with an %s key", async (keyType, keyAlgorithm) => {
    const pem = await repoCsr(keyType, ["shop.example.com", "www.shop.example.com"]);

    const check = checkClientCsr(pem, { domains: ["www.shop.example.com", "shop.example.com"] });

    expect(check).toEqual({
      ok: true,
      csrPem: pem,
      domains: ["shop.example.com", "www.shop.example.com"],
      keyAlgorithm,
    });
  });

  it.skipIf(!hasOpenssl).each([
    ["RSA-2048", ["rsa:2048"], "rsa-2048"],
    ["EC P-256", ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "ec-p256"],
    ["EC P-384", ["ec", "-pkeyopt", "ec_paramgen_curve:P-384"], "ec-p384"],
  ])("a CSR made by openssl req with an %s key", (_name, keyArgs, keyAlgorithm) => {
    const pem = opensslCsr(keyArgs, "/C=GB/O=Example Ltd/CN=api.example.org", [
      "-addext",
      "subjectAltName=DNS:api.example.org,DNS:api2.example.org",
    ]);

    const check = checkClientCsr(pem, { domains: ["api.example.org", "api2.example.org"] });

    expect(check).toEqual({
      ok: true,
      csrPem: pem,
      domains: ["api.example.org", "api2.example.org"],
      keyAlgorithm,
    });
  });

  it("CRLF line ends, surrounding whitespace and the NEW CERTIFICATE REQUEST label", async () => {
    const pem = await repoCsr("ec", ["a.example.com"]);
    const pasted = `  \r\n${pem.replace(/CERTIFICATE REQUEST/g, "NEW CERTIFICATE REQUEST").replace(/\n/g, "\r\n")}\r\n\t `;

    const check = checkClientCsr(pasted, { domains: ["a.example.com"] });

    expect(check).toMatchObject({ ok: true, csrPem: pem, domains: ["a.example.com"] });
  });

  it.skipIf(!hasOpenssl)("names in any case, with a trailing dot, and the CN when it is a host name", () => {
    const pem = opensslCsr(["ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "/CN=WWW.Example.COM.", [
      "-addext",
      "subjectAltName=DNS:Api.Example.com.,DNS:*.Example.com",
    ]);

    const check = checkClientCsr(pem, { domains: ["www.example.com", "API.example.com", "*.example.com."] });

    expect(check).toMatchObject({
      ok: true,
      domains: ["www.example.com", "api.example.com", "*.example.com"],
    });
  });

  it.skipIf(!hasOpenssl)("a CSR whose only name is its CN", () => {
    const pem = opensslCsr(
      ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
      "/O=Example Ltd/CN=plain.example.net",
    );

    expect(checkClientCsr(pem, { domains: ["plain.example.net"] })).toMatchObject({
      ok: true,
      domains: ["plain.example.net"],
    });
  });
});

describe("checkClientCsr refuses text that is not one PEM CSR", () => {
  it.each([
    ["empty text", ""],
    ["plain text", "hello, here is our CSR"],
    ["base64 without PEM lines", Buffer.from("some bytes that are not a CSR").toString("base64")],
  ])("%s", (_name, text) => {
    expect(refusal(checkClientCsr(text, { domains: ["a.example.com"] }))).toBe(CSR_CHECK_MESSAGES.notPem);
    expect(CSR_CHECK_MESSAGES.notPem).toContain("-----BEGIN CERTIFICATE REQUEST-----");
  });

  it("a CSR cut off before its END line", async () => {
    const pem = await repoCsr("ec", ["a.example.com"]);
    const cut = pem.slice(0, pem.indexOf("-----END"));

    expect(refusal(checkClientCsr(cut, { domains: ["a.example.com"] }))).toBe(CSR_CHECK_MESSAGES.incomplete);
  });

  it("a CSR body with characters that are not base64", async () => {
    const pem = await repoCsr("ec", ["a.example.com"]);
    const lines = pem.split("\n");
    lines[2] = `${lines[2]?.slice(0, 10)}é!${lines[2]?.slice(12)}`;

    const message = refusal(checkClientCsr(lines.join("\n"), { domains: ["a.example.com"] }));

    expect(message).toBe(CSR_CHECK_MESSAGES.notBase64);
  });

  it("a CSR block whose bytes are not a certificate request", () => {
    const pem = toCsrPem(Buffer.from("this decodes from base64 but is not DER at all"));

    expect(refusal(checkClientCsr(pem, { domains: ["a.example.com"] }))).toBe(CSR_CHECK_MESSAGES.damaged);
  });

  it("a CSR with a byte missing", async () => {
    const der = pemBody(await repoCsr("rsa", ["a.example.com"]));

    const message = refusal(checkClientCsr(toCsrPem(der.subarray(0, der.length - 1)), { domains: [] }));

    expect(message).toBe(CSR_CHECK_MESSAGES.damaged);
  });

  it("two CSRs", async () => {
    const [first, second] = await Promise.all([
      repoCsr("ec", ["a.example.com"]),
      repoCsr("rsa", ["b.example.com"]),
    ]);

    const message = refusal(checkClientCsr(`${first}\n${second}`, { domains: ["a.example.com"] }));

    expect(message).toMatch(/holds 2 CSRs: paste only the one for this order/);
  });

  it("a CSR with other text around it", async () => {
    const pem = await repoCsr("ec", ["a.example.com"]);

    const message = refusal(checkClientCsr(`Hi, here is the CSR:\n${pem}`, { domains: ["a.example.com"] }));

    expect(message).toBe(CSR_CHECK_MESSAGES.extraText);
  });

  it("a public key", () => {
    const message = refusal(checkClientCsr(keys.rsa.publicKeyPem, { domains: ["a.example.com"] }));

    expect(message).toBe(
      'This is a PEM "PUBLIC KEY" block, not a CSR (it should start with -----BEGIN CERTIFICATE REQUEST-----).',
    );
  });
});

describe("checkClientCsr refuses a certificate", () => {
  it("alone, and alongside a CSR", async () => {
    const { certificatePem } = await createCertificateAuthority({
      commonName: "Test CA",
      now: new Date("2025-01-01T00:00:00Z"),
    });
    const csr = await repoCsr("ec", ["a.example.com"]);

    const alone = refusal(
      checkClientCsr(certificatePem.replace(/\n/g, "\r\n"), { domains: ["a.example.com"] }),
    );
    const withCsr = refusal(checkClientCsr(`${csr}${certificatePem}`, { domains: ["a.example.com"] }));

    expect(alone).toBe(CSR_CHECK_MESSAGES.certificate);
    expect(alone).toMatch(/^This is a certificate, not a CSR/);
    expect(withCsr).toBe(CSR_CHECK_MESSAGES.extraText);
  });
});

describe("checkClientCsr refuses a private key without echoing it", () => {
  const keyTexts = (): [string, string][] => {
    const rsa = createPrivateKey(keys.rsa.privateKeyPem);
    const ec = createPrivateKey(keys.ec.privateKeyPem);
    return [
      ["PKCS#8 RSA", keys.rsa.privateKeyPem],
      ["PKCS#8 EC", keys.ec.privateKeyPem],
      ["PKCS#1 RSA", rsa.export({ type: "pkcs1", format: "pem" }).toString()],
      ["SEC1 EC", ec.export({ type: "sec1", format: "pem" }).toString()],
      [
        "encrypted PKCS#8",
        rsa.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" }).toString(),
      ],
    ];
  };

  it("in every PEM form", () => {
    for (const [name, keyPem] of keyTexts()) {
      const message = refusal(checkClientCsr(keyPem, { domains: ["a.example.com"] }));

      expect(message, name).toBe(CSR_CHECK_MESSAGES.privateKey);
      expect(message).toMatch(/^This is a private key: never paste a private key; paste the CSR/);
      expectNoEncodedMaterial(message, keyPem);
    }
  });

  it("cut off, with CRLF, or pasted together with the CSR", async () => {
    const csr = await repoCsr("rsa", ["a.example.com"]);
    const keyPem = keys.rsa.privateKeyPem;
    const pastes = [
      keyPem.slice(0, keyPem.length / 2),
      keyPem.slice(keyPem.indexOf("\n") + 1),
      keyPem.replace(/\n/g, "\r\n"),
      `${csr}${keyPem}`,
      `${keyPem}${csr}`,
    ];

    for (const text of pastes) {
      const message = refusal(checkClientCsr(text, { domains: ["a.example.com"] }));

      expect(message).toBe(CSR_CHECK_MESSAGES.privateKey);
      expectNoEncodedMaterial(message, keyPem);
    }
  });
});

describe("checkClientCsr refuses keys certificate authorities do not accept", () => {
  it.skipIf(!hasOpenssl)("RSA-1024, as too weak", () => {
    const pem = opensslCsr(["rsa:1024"], "/CN=a.example.com");

    const message = refusal(checkClientCsr(pem, { domains: ["a.example.com"] }));

    expect(message).toBe(
      "The CSR's key is RSA-1024, which is too weak: certdesk accepts RSA keys of at least 2048 bits and EC keys " +
        "on the P-256 or P-384 curve. Ask the client for a new key and CSR.",
    );
  });

  it.skipIf(!hasOpenssl).each([
    ["secp256k1", ["ec", "-pkeyopt", "ec_paramgen_curve:secp256k1"], "EC on secp256k1"],
    ["P-521", ["ec", "-pkeyopt", "ec_paramgen_curve:P-521"], "EC on P-521"],
    ["Ed25519", ["ed25519"], "Ed25519"],
  ])("%s, naming the key and what is accepted", (_name, keyArgs, described) => {
    const pem = opensslCsr(keyArgs, "/CN=a.example.com");

    const message = refusal(checkClientCsr(pem, { domains: ["a.example.com"] }));

    expect(message).toContain(`The CSR's key is ${described}, which certificate authorities do not accept`);
    expect(message).toContain("RSA keys of at least 2048 bits and EC keys on the P-256 or P-384 curve");
    expectNoEncodedMaterial(message, pem);
  });

  it.skipIf(!hasOpenssl)("a signature algorithm certdesk cannot check (RSA-PSS)", () => {
    const pem = opensslCsr(["rsa:2048"], "/CN=a.example.com", ["-sigopt", "rsa_padding_mode:pss"]);

    const message = refusal(checkClientCsr(pem, { domains: ["a.example.com"] }));

    expect(message).toMatch(/signed with an algorithm certdesk cannot check \(1\.2\.840\.113549\.1\.1\.10\)/);
  });
});

describe("checkClientCsr refuses names that differ from the order", () => {
  it("listing the missing and the extra names in one message", async () => {
    const pem = await repoCsr("rsa", ["shop.example.com", "old.example.com", "www.shop.example.com"]);

    const message = refusal(
      checkClientCsr(pem, { domains: ["shop.example.com", "www.shop.example.com", "new.example.com"] }),
    );

    expect(message).toBe(
      "The CSR's names do not match the order. Missing from the CSR: new.example.com. " +
        "In the CSR but not in the order: old.example.com. " +
        "Ask the client for a CSR with exactly the order's domains, or change the order's domains.",
    );
    expectNoEncodedMaterial(message, pem);
  });

  it("only missing names", async () => {
    const pem = await repoCsr("ec", ["a.example.com"]);

    const message = refusal(
      checkClientCsr(pem, { domains: ["a.example.com", "b.example.com", "c.example.com"] }),
    );

    expect(message).toContain("Missing from the CSR: b.example.com, c.example.com.");
    expect(message).not.toContain("not in the order");
  });

  it.skipIf(!hasOpenssl)("the CN counts as a name even when the subjectAltName omits it", () => {
    const pem = opensslCsr(["ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "/CN=shop.example.com", [
      "-addext",
      "subjectAltName=DNS:www.shop.example.com",
    ]);

    const message = refusal(checkClientCsr(pem, { domains: ["www.shop.example.com"] }));

    expect(message).toContain("In the CSR but not in the order: shop.example.com.");
    expect(message).not.toContain("Missing");
  });

  it("compares wildcards literally", async () => {
    const pem = await repoCsr("ec", ["*.example.com"]);

    const message = refusal(checkClientCsr(pem, { domains: ["www.example.com"] }));

    expect(message).toContain("Missing from the CSR: www.example.com.");
    expect(message).toContain("In the CSR but not in the order: *.example.com.");
  });

  it("cuts a long list of names", async () => {
    const names = Array.from({ length: 14 }, (_, i) => `host${i}.example.com`);
    const pem = await repoCsr("ec", names);

    const message = refusal(checkClientCsr(pem, { domains: ["other.example.com"] }));

    expect(message).toContain("host9.example.com and 4 more.");
    expect(message).not.toContain("host10.example.com");
  });

  it.skipIf(!hasOpenssl)("a CSR that names no domain", () => {
    const pem = opensslCsr(["ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "/O=Example Ltd/CN=Example Ltd");

    const message = refusal(checkClientCsr(pem, { domains: ["a.example.com"] }));

    expect(message).toMatch(/^The CSR names no domain .* it must name exactly: a\.example\.com\.$/);
  });
});

describe("checkClientCsr refuses a CSR whose signature does not verify", () => {
  function expectStillACsr(der: Buffer): void {
    expect(readChildren(der, readRoot(der))).toHaveLength(3);
  }

  it.each(["rsa", "ec"] as const)("%s: a byte of the signature flipped", async (keyType) => {
    const der = pemBody(await repoCsr(keyType, ["www.example.com"]));
    const tampered = Buffer.from(der);
    tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 0x01;
    expectStillACsr(tampered);

    const message = refusal(checkClientCsr(toCsrPem(tampered), { domains: ["www.example.com"] }));

    expect(message).toBe("The CSR's signature does not verify: it was altered or damaged.");
  });

  it.each(["rsa", "ec"] as const)("%s: a byte of the subject changed", async (keyType) => {
    const der = pemBody(await repoCsr(keyType, ["www.example.com"]));
    const tampered = Buffer.from(der.toString("latin1").replaceAll("www.example", "wwx.example"), "latin1");
    expect(tampered.length).toBe(der.length);
    expect(tampered.equals(der)).toBe(false);
    expectStillACsr(tampered);

    const message = refusal(checkClientCsr(toCsrPem(tampered), { domains: ["wwx.example.com"] }));

    expect(message).toBe(CSR_CHECK_MESSAGES.badSignature);
  });

  it.skipIf(!hasOpenssl)("which openssl also reads but refuses to verify", () => {
    const pem = opensslCsr(["rsa:2048"], "/CN=www.example.com");
    const der = pemBody(pem);
    const tampered = Buffer.from(der.toString("latin1").replace("www.example", "wwx.example"), "latin1");
    const tamperedPem = toCsrPem(tampered);
    const openssl = (args: string[]) =>
      spawnSync("openssl", ["req", "-noout", ...args], { input: tamperedPem, encoding: "utf8" });

    expect(openssl(["-subject"]).status).toBe(0);
    // OpenSSL 3.0 exits 0 either way, so read what it says.
    const verify = openssl(["-verify"]);
    expect(`${verify.stdout}${verify.stderr}`).toMatch(/verify failure/);
    expect(`${verify.stdout}${verify.stderr}`).not.toMatch(/verify OK/);
    expect(refusal(checkClientCsr(tamperedPem, { domains: ["wwx.example.com"] }))).toBe(
      CSR_CHECK_MESSAGES.badSignature,
    );
  });
});
