import { type KeyObject, sign, verify } from "node:crypto";
import { promisify } from "node:util";
import { type Asn1, bitString, nullValue, OID, oid, sequence, toDerBuffer } from "./asn1.js";
import { UnsupportedKeyError } from "./errors.js";

// The callback form runs RSA signing on the libuv thread pool, so a busy bot keeps answering Slack.
const signOffLoop = promisify(sign);

const HASH_BY_SIGNATURE_OID: Record<string, string> = {
  [OID.sha1WithRsa]: "sha1",
  [OID.sha256WithRsa]: "sha256",
  [OID.sha384WithRsa]: "sha384",
  [OID.sha512WithRsa]: "sha512",
  [OID.ecdsaWithSha256]: "sha256",
  [OID.ecdsaWithSha384]: "sha384",
  [OID.ecdsaWithSha512]: "sha512",
};

/** The AlgorithmIdentifier our signatures use: SHA-256 with the key's own scheme. */
export function signatureAlgorithm(privateKey: KeyObject): Asn1 {
  switch (privateKey.asymmetricKeyType) {
    case "rsa":
      return sequence([oid(OID.sha256WithRsa), nullValue()]);
    case "ec":
      return sequence([oid(OID.ecdsaWithSha256)]);
    default:
      throw new UnsupportedKeyError(
        `Only RSA and EC keys can sign CSRs and certificates; this key is ${privateKey.asymmetricKeyType ?? "of an unknown type"}.`,
      );
  }
}

/** Wraps a to-be-signed structure as X.509 and PKCS#10 both do: SEQUENCE { tbs, algorithm, signature }. */
export async function signStructure(toBeSigned: Asn1, privateKey: KeyObject): Promise<Buffer> {
  const algorithm = signatureAlgorithm(privateKey);
  const signature = await signOffLoop("sha256", toDerBuffer(toBeSigned), privateKey);
  return toDerBuffer(sequence([toBeSigned, algorithm, bitString(signature)]));
}

export function hashForSignatureAlgorithm(algorithmOid: string): string | undefined {
  return HASH_BY_SIGNATURE_OID[algorithmOid];
}

export function verifySignature(input: {
  hash: string;
  signedBytes: Buffer;
  signature: Buffer;
  publicKey: KeyObject;
}): boolean {
  return verify(input.hash, input.signedBytes, input.publicKey, input.signature);
}
