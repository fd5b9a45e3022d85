import { createPrivateKey, randomInt, X509Certificate } from "node:crypto";
import forge from "node-forge";
import { UnsupportedKeyError } from "./errors.js";

export { UnsupportedKeyError } from "./errors.js";

export interface PfxInput {
  privateKeyPem: string;
  certificatePem: string;
  /** Intermediates first, then the root if the caller wants it included. */
  chainPems: string[];
  password: string;
  /** The name Windows shows in the certificate store. */
  friendlyName: string;
}

// No 0/O/o, 1/l/I: people read these passwords off a Slack message and type them into IIS.
const PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
const PASSWORD_LENGTH = 20;

export function fullChainPem(certificatePem: string, chainPems: string[]): string {
  return [certificatePem, ...chainPems].map(normalisePem).join("");
}

export function chainPem(chainPems: string[]): string {
  return chainPems.map(normalisePem).join("");
}

/** PKCS#12 with 3DES and a SHA-1 MAC: the newest scheme older Windows Server / IIS can still import. */
export function createPfx(input: PfxInput): Buffer {
  assertRsaPrivateKey(input.privateKeyPem);
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

export function generatePfxPassword(): string {
  return Array.from(
    { length: PASSWORD_LENGTH },
    () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)],
  ).join("");
}

function normalisePem(pem: string): string {
  return `${pem.replace(/\r\n/g, "\n").trim()}\n`;
}

function assertRsaPrivateKey(privateKeyPem: string): void {
  const type = createPrivateKey(privateKeyPem).asymmetricKeyType;
  if (type !== "rsa") {
    throw new UnsupportedKeyError(
      `A PFX file is only produced for RSA keys, and this certificate's key is ${type?.toUpperCase() ?? "not RSA"}. ` +
        "Install it from the PEM files (certificate, chain and private key), or reissue with an RSA key " +
        "if the server (e.g. older Windows/IIS) needs a PFX.",
    );
  }
}

/** node-forge can only carry certificates whose public key is RSA. */
function assertRsaCertificate(certificatePem: string): void {
  const certificate = new X509Certificate(certificatePem);
  if (certificate.publicKey.asymmetricKeyType !== "rsa") {
    throw new UnsupportedKeyError(
      `A PFX file is only produced for RSA keys, and the certificate "${certificate.subject.replace(/\n/g, ", ")}" ` +
        "in the chain has a non-RSA key. Use the PEM files instead.",
    );
  }
}
