import { generateKeyPair as generateKeyPairCallback } from "node:crypto";

export type KeyAlgorithm = "rsa-2048" | "rsa-3072" | "rsa-4096" | "ec-p256";

export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ["rsa-2048", "rsa-3072", "rsa-4096", "ec-p256"];

export interface KeyPairPem {
  /** PKCS#8 ("BEGIN PRIVATE KEY"). */
  privateKeyPem: string;
  /** SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"). */
  publicKeyPem: string;
}

const PEM_ENCODING = {
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
} as const;

const RSA_BITS: Record<Exclude<KeyAlgorithm, "ec-p256">, number> = {
  "rsa-2048": 2048,
  "rsa-3072": 3072,
  "rsa-4096": 4096,
};

/** The callback form generates on the libuv thread pool; RSA-4096 can take seconds and must not stall Slack. */
export function generateKeyPair(algorithm: KeyAlgorithm = "rsa-2048"): Promise<KeyPairPem> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, publicKeyPem: string, privateKeyPem: string) => {
      if (error) reject(error);
      else resolve({ privateKeyPem, publicKeyPem });
    };
    if (algorithm === "ec-p256") {
      generateKeyPairCallback("ec", { namedCurve: "prime256v1", ...PEM_ENCODING }, done);
    } else {
      generateKeyPairCallback(
        "rsa",
        { modulusLength: RSA_BITS[algorithm], publicExponent: 0x10001, ...PEM_ENCODING },
        done,
      );
    }
  });
}
