import { createPrivateKey, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateKeyPair, KEY_ALGORITHMS, type KeyAlgorithm } from "../../src/certs/keys.js";

const EXPECTED_DETAILS: Record<KeyAlgorithm, { type: string; modulusLength?: number; namedCurve?: string }> =
  {
    "rsa-2048": { type: "rsa", modulusLength: 2048 },
    "rsa-3072": { type: "rsa", modulusLength: 3072 },
    "rsa-4096": { type: "rsa", modulusLength: 4096 },
    "ec-p256": { type: "ec", namedCurve: "prime256v1" },
  };

describe("generateKeyPair", () => {
  it.each(KEY_ALGORITHMS)("creates a matching PKCS#8 / SPKI pair for %s", async (algorithm) => {
    const { privateKeyPem, publicKeyPem } = await generateKeyPair(algorithm);

    expect(privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const privateKey = createPrivateKey(privateKeyPem);
    const { type, ...details } = EXPECTED_DETAILS[algorithm];
    expect(privateKey.asymmetricKeyType).toBe(type);
    expect(privateKey.asymmetricKeyDetails).toMatchObject(details);
    expect(createPublicKey(privateKeyPem).equals(createPublicKey(publicKeyPem))).toBe(true);
  });

  it("defaults to RSA-2048", async () => {
    const { privateKeyPem } = await generateKeyPair();

    expect(createPrivateKey(privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it("lets the event loop run while the key is generated", async () => {
    let turns = 0;
    let counting = true;
    const countTurn = () => {
      if (!counting) return;
      turns++;
      setImmediate(countTurn);
    };
    setImmediate(countTurn);

    await generateKeyPair("rsa-2048");
    counting = false;

    expect(turns).toBeGreaterThan(1);
  });
});
