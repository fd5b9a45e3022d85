import {
  createCipheriv,
  createHash,
  createPrivateKey,
  pbkdf2,
  randomBytes,
  randomInt,
  X509Certificate,
} from "node:crypto";
import { promisify } from "node:util";
import forge from "node-forge";
// Types only: PKI.js itself is loaded on first use (see modernPfx).
import type { CryptoEngineEncryptParams } from "pkijs";
import { UnsupportedKeyError } from "./errors.js";

export { UnsupportedKeyError } from "./errors.js";

/**
 * How the PFX is protected. "aes-256" is what `openssl pkcs12 -export` writes by default since
 * OpenSSL 3 and what Windows Server 2019+, current macOS and Java import. "legacy-3des" is for
 * servers that cannot read it (Windows Server 2016 and earlier).
 */
export type PfxEncryption = "aes-256" | "legacy-3des";

export interface PfxInput {
  privateKeyPem: string;
  certificatePem: string;
  /** Intermediates first, then the root if the caller wants it included. */
  chainPems: string[];
  password: string;
  /** The name Windows shows in the certificate store. */
  friendlyName: string;
  /** "aes-256" unless the recipient asks for the legacy format. */
  encryption?: PfxEncryption;
}

// No 0/O/o, 1/l/I: people read these passwords off a Slack message and type them into IIS.
const PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
const PASSWORD_LENGTH = 20;

// OpenSSL's default (PKCS12_DEFAULT_ITER). The password is random (about 116 bits), so the iteration
// count adds nothing against guessing; a higher one only slows down imports on old machines.
const PFX_ITERATIONS = 2048;
// 16 bytes, as OpenSSL 3.2+ and NIST SP 800-132 have it; PKI.js's 64 is what Windows refuses (see modernPfx).
const SALT_BYTES = 16;
const AES_BLOCK_BYTES = 16;
const AES_256_KEY_BYTES = 32;
const pbkdf2Async = promisify(pbkdf2);
const OID = {
  data: "1.2.840.113549.1.7.1",
  sha256: "2.16.840.1.101.3.4.2.1",
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  hmacWithSha256: "1.2.840.113549.2.9",
  aes256Cbc: "2.16.840.1.101.3.4.1.42",
  certBag: "1.2.840.113549.1.12.10.1.3",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  friendlyName: "1.2.840.113549.1.9.20",
  localKeyId: "1.2.840.113549.1.9.21",
} as const;

export function fullChainPem(certificatePem: string, chainPems: string[]): string {
  return [certificatePem, ...chainPems].map(normalisePem).join("");
}

export function chainPem(chainPems: string[]): string {
  return chainPems.map(normalisePem).join("");
}

/**
 * A PKCS#12 bundle of the key, the certificate and the chain. By default AES-256-CBC through PBES2
 * (PBKDF2 with HMAC-SHA-256) for both the key and the certificates, and a SHA-256 MAC, for RSA and EC
 * keys; with `encryption: "legacy-3des"`, 3DES and a SHA-1 MAC, for RSA keys only.
 */
export async function createPfx(input: PfxInput): Promise<Buffer> {
  return (input.encryption ?? "aes-256") === "legacy-3des" ? legacyPfx(input) : modernPfx(input);
}

export function generatePfxPassword(): string {
  return Array.from(
    { length: PASSWORD_LENGTH },
    () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)],
  ).join("");
}

/**
 * The AES-256 bundle, laid out as `openssl pkcs12 -export` lays it out.
 *
 * PKI.js (PKCS#12 over WebCrypto) writes the structures and the SHA-256 MAC; node-forge cannot, as its
 * PKCS#12 MAC is SHA-1 only. Two of PKI.js's choices are replaced, both where it hard-codes them:
 * - its salts are 64 bytes, and Windows refuses such a PFX as "the password you entered is incorrect"
 *   (PKI.js issue #300, open since 2020; 8, 16 and 32 bytes import). Ours are 16 bytes, as in OpenSSL 3.2+.
 * - it cuts ciphertext into 1,024-byte pieces (a constructed OCTET STRING: BER). OpenSSL writes one
 *   primitive OCTET STRING (DER), and DER-only readers such as node-forge refuse the pieces.
 * PKI.js is loaded on the first PFX rather than at start: it adds about 16 MB of RSS.
 */
async function modernPfx(input: PfxInput): Promise<Buffer> {
  const privateKeyDer = pkcs8Der(
    input.privateKeyPem,
    ["rsa", "ec"],
    (type) =>
      `A PFX file is only produced for RSA and EC keys, and this certificate's key is ${type}. ` +
      "Install it from the PEM files (certificate, chain and private key).",
  );
  const [pkijs, asn1js] = await Promise.all([import("pkijs"), import("asn1js")]);
  const nullParameters = () => new asn1js.Null();

  /** PBES2: PBKDF2 with HMAC-SHA-256, then AES-256-CBC (RFC 8018), for the key bag and the certificates. */
  class Pkcs12CryptoEngine extends pkijs.CryptoEngine {
    override async encryptEncryptedContentInfo(parameters: CryptoEngineEncryptParams) {
      const salt = randomBytes(SALT_BYTES);
      const iv = randomBytes(AES_BLOCK_BYTES);
      const key = await pbkdf2Async(
        Buffer.from(parameters.password),
        salt,
        parameters.iterationCount,
        AES_256_KEY_BYTES,
        "sha256",
      );
      const cipher = createCipheriv("aes-256-cbc", key, iv);
      const encrypted = Buffer.concat([
        cipher.update(Buffer.from(parameters.contentToEncrypt)),
        cipher.final(),
      ]);
      const pbkdf2 = new pkijs.PBKDF2Params({
        salt: new asn1js.OctetString({ valueHex: arrayBuffer(salt) }),
        iterationCount: parameters.iterationCount,
        prf: new pkijs.AlgorithmIdentifier({
          algorithmId: OID.hmacWithSha256,
          algorithmParams: nullParameters(),
        }),
      });
      const pbes2 = new pkijs.PBES2Params({
        keyDerivationFunc: new pkijs.AlgorithmIdentifier({
          algorithmId: OID.pbkdf2,
          algorithmParams: pbkdf2.toSchema(),
        }),
        encryptionScheme: new pkijs.AlgorithmIdentifier({
          algorithmId: OID.aes256Cbc,
          algorithmParams: new asn1js.OctetString({ valueHex: arrayBuffer(iv) }),
        }),
      });
      return new pkijs.EncryptedContentInfo({
        contentType: parameters.contentType,
        contentEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({
          algorithmId: OID.pbes2,
          algorithmParams: pbes2.toSchema(),
        }),
        encryptedContent: new asn1js.OctetString({ valueHex: arrayBuffer(encrypted) }),
        disableSplit: true,
      });
    }
  }

  const crypto = new Pkcs12CryptoEngine({ name: "node", crypto: globalThis.crypto });
  const password = new TextEncoder().encode(input.password).buffer;
  // Pkcs12CryptoEngine encrypts exactly so whatever it is given; the names are for PKI.js's types.
  const encryption = {
    password,
    contentEncryptionAlgorithm: { name: "AES-CBC", length: 256 },
    hmacHashAlgorithm: "SHA-256",
    iterationCount: PFX_ITERATIONS,
  };
  const leaf = new X509Certificate(input.certificatePem);
  // As OpenSSL and Windows do: both bags carry the name, and the same id ties the key to its certificate.
  const attributes = () => [
    new pkijs.Attribute({
      type: OID.friendlyName,
      values: [new asn1js.BmpString({ value: input.friendlyName })],
    }),
    new pkijs.Attribute({
      type: OID.localKeyId,
      values: [
        new asn1js.OctetString({ valueHex: arrayBuffer(createHash("sha1").update(leaf.raw).digest()) }),
      ],
    }),
  ];
  const certificateBags = [input.certificatePem, ...input.chainPems].map(
    (pem, index) =>
      new pkijs.SafeBag({
        bagId: OID.certBag,
        bagValue: new pkijs.CertBag({
          certId: OID.x509Certificate,
          parsedValue: pkijs.Certificate.fromBER(arrayBuffer(new X509Certificate(pem).raw)),
        }),
        ...(index === 0 ? { bagAttributes: attributes() } : {}),
      }),
  );
  const keyBag = new pkijs.PKCS8ShroudedKeyBag({
    parsedValue: pkijs.PrivateKeyInfo.fromBER(arrayBuffer(privateKeyDer)),
  });
  await keyBag.makeInternalValues(encryption, crypto);

  // The certificates encrypted, then the key (itself encrypted) in a plain container.
  const authenticatedSafe = new pkijs.AuthenticatedSafe({
    parsedValue: {
      safeContents: [
        { privacyMode: 1, value: new pkijs.SafeContents({ safeBags: certificateBags }) },
        {
          privacyMode: 0,
          value: new pkijs.SafeContents({
            safeBags: [
              new pkijs.SafeBag({ bagId: OID.shroudedKeyBag, bagValue: keyBag, bagAttributes: attributes() }),
            ],
          }),
        },
      ],
    },
  });
  await authenticatedSafe.makeInternalValues({ safeContents: [encryption, {}] }, crypto);

  // PFX.makeInternalValues would do this with a 64-byte salt (above); the same MAC, with ours.
  const content = authenticatedSafe.toSchema().toBER(false);
  const macSalt = arrayBuffer(randomBytes(SALT_BYTES));
  const mac = await crypto.stampDataWithPassword({
    password,
    hashAlgorithm: "SHA-256",
    salt: macSalt,
    iterationCount: PFX_ITERATIONS,
    contentToStamp: content,
  });
  const pfx = new pkijs.PFX({
    authSafe: new pkijs.ContentInfo({
      contentType: OID.data,
      content: new asn1js.OctetString({ valueHex: content }),
    }),
    macData: new pkijs.MacData({
      mac: new pkijs.DigestInfo({
        digestAlgorithm: new pkijs.AlgorithmIdentifier({
          algorithmId: OID.sha256,
          algorithmParams: nullParameters(),
        }),
        digest: new asn1js.OctetString({ valueHex: mac }),
      }),
      macSalt: new asn1js.OctetString({ valueHex: macSalt }),
      iterations: PFX_ITERATIONS,
    }),
  });
  return Buffer.from(pfx.toSchema().toBER(false));
}

/** node-forge's PKCS#12: 3DES and a SHA-1 MAC, the newest scheme older Windows Server / IIS can import. */
function legacyPfx(input: PfxInput): Buffer {
  pkcs8Der(
    input.privateKeyPem,
    ["rsa"],
    (type) =>
      `A legacy (3DES) PFX file is only produced for RSA keys, and this certificate's key is ${type}. ` +
      "Use the default PFX (Windows Server 2019 and later import it), install from the PEM files " +
      "(certificate, chain and private key), or reissue with an RSA key if an older Windows/IIS needs a PFX.",
  );
  const certificatePems = [input.certificatePem, ...input.chainPems];
  certificatePems.forEach(assertRsaCertificate);
  const pfx = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(input.privateKeyPem),
    certificatePems.map((pem) => forge.pki.certificateFromPem(pem)),
    input.password,
    { algorithm: "3des", friendlyName: input.friendlyName, generateLocalKeyId: true },
  );
  return Buffer.from(forge.asn1.toDer(pfx).getBytes(), "binary");
}

function normalisePem(pem: string): string {
  return `${pem.replace(/\r\n/g, "\n").trim()}\n`;
}

/** The key as PKCS#8 DER, whatever PEM it came in; UnsupportedKeyError for a key type not in `allowed`. */
function pkcs8Der(privateKeyPem: string, allowed: string[], refusal: (type: string) => string): Buffer {
  const key = createPrivateKey(privateKeyPem);
  const type = key.asymmetricKeyType;
  if (!type || !allowed.includes(type))
    throw new UnsupportedKeyError(refusal(type?.toUpperCase() ?? "unknown"));
  return key.export({ type: "pkcs8", format: "der" });
}

/** node-forge can only carry certificates whose public key is RSA. */
function assertRsaCertificate(certificatePem: string): void {
  const certificate = new X509Certificate(certificatePem);
  if (certificate.publicKey.asymmetricKeyType !== "rsa") {
    throw new UnsupportedKeyError(
      `A legacy (3DES) PFX file is only produced for RSA keys, and the certificate "${certificate.subject.replace(/\n/g, ", ")}" ` +
        "in the chain has a non-RSA key. Use the default PFX or the PEM files instead.",
    );
  }
}

/** A Buffer may be a view into Node's shared pool; PKI.js wants exactly its bytes. */
function arrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
