import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  X509Certificate,
} from "node:crypto";
import {
  type Asn1,
  bitString,
  booleanTrue,
  distinguishedName,
  dnsGeneralNames,
  explicitTag,
  extension,
  fromDerBuffer,
  implicitPrimitive,
  integerFromBytes,
  OID,
  octetString,
  oid,
  sequence,
  smallInteger,
  validityTime,
} from "./asn1.js";
import { type ParsedCsr, parseCsr } from "./csr.js";
import { contentBytes, elementBytes, readChildren, readRoot } from "./der.js";
import { CsrError } from "./errors.js";
import { generateKeyPair } from "./keys.js";
import { derToPem } from "./pem.js";
import { signatureAlgorithm, signStructure } from "./signing.js";

/** The sandbox provider's issuing CA. */
export interface CertificateAuthority {
  certificatePem: string;
  privateKeyPem: string;
}

export interface SignCsrInput {
  ca: CertificateAuthority;
  csrPem: string;
  notBefore: Date;
  notAfter: Date;
  /** Hex; a random positive 16-byte serial when omitted. */
  serialNumber?: string;
}

const CA_VALIDITY_YEARS = 10;
const MAX_SERIAL_BYTES = 20;

// KeyUsage bits, numbered from the most significant bit of the first byte (RFC 5280 4.2.1.3).
const KEY_USAGE = {
  digitalSignature: 0x80,
  keyEncipherment: 0x20,
  keyCertSign: 0x04,
  cRLSign: 0x02,
} as const;

export async function createCertificateAuthority(input: {
  commonName: string;
  now: Date;
}): Promise<CertificateAuthority> {
  const { privateKeyPem } = await generateKeyPair("rsa-2048");
  const privateKey = createPrivateKey(privateKeyPem);
  const name = distinguishedName([{ oid: OID.commonName, value: input.commonName }]);
  const subjectPublicKeyInfo = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  const notAfter = new Date(input.now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_VALIDITY_YEARS);
  const certificateDer = await signStructure(
    tbsCertificate({
      serial: randomSerial(),
      signingKey: privateKey,
      issuer: name,
      subject: name,
      notBefore: input.now,
      notAfter,
      subjectPublicKeyInfo,
      extensions: [
        extension(OID.basicConstraints, true, sequence([booleanTrue()])),
        extension(OID.keyUsage, true, keyUsage(KEY_USAGE.keyCertSign | KEY_USAGE.cRLSign)),
        subjectKeyIdentifier(subjectPublicKeyInfo),
      ],
    }),
    privateKey,
  );
  return { certificatePem: derToPem(certificateDer, "CERTIFICATE"), privateKeyPem };
}

export async function signCsr(input: SignCsrInput): Promise<string> {
  if (input.notAfter.getTime() <= input.notBefore.getTime()) {
    throw new RangeError("notAfter must be later than notBefore.");
  }
  const csr = parseCsr(input.csrPem);
  if (csr.domains.length === 0) {
    throw new CsrError(
      "The CSR names no domain (no host name CN and no subjectAltName), so nothing can be issued.",
    );
  }
  const signingKey = createPrivateKey(input.ca.privateKeyPem);
  const certificateDer = await signStructure(
    tbsCertificate({
      serial: input.serialNumber === undefined ? randomSerial() : serialFromHex(input.serialNumber),
      signingKey,
      issuer: fromDerBuffer(subjectNameDer(input.ca.certificatePem)),
      subject: distinguishedName(csr.commonName ? [{ oid: OID.commonName, value: csr.commonName }] : []),
      notBefore: input.notBefore,
      notAfter: input.notAfter,
      subjectPublicKeyInfo: csr.publicKeySpkiDer,
      extensions: leafExtensions(csr, input.ca.certificatePem),
    }),
    signingKey,
  );
  return derToPem(certificateDer, "CERTIFICATE");
}

function leafExtensions(csr: ParsedCsr, caCertificatePem: string): Asn1[] {
  const keyType = createPublicKey({
    key: csr.publicKeySpkiDer,
    format: "der",
    type: "spki",
  }).asymmetricKeyType;
  // RFC 5480 forbids keyEncipherment on EC keys; RSA keys keep it for clients without ECDHE.
  const usage =
    keyType === "rsa" ? KEY_USAGE.digitalSignature | KEY_USAGE.keyEncipherment : KEY_USAGE.digitalSignature;
  return [
    extension(OID.basicConstraints, true, sequence([])),
    extension(OID.keyUsage, true, keyUsage(usage)),
    extension(OID.extKeyUsage, false, sequence([oid(OID.serverAuth)])),
    // With an empty subject the SAN carries the identity and must be critical (RFC 5280 4.2.1.6).
    extension(OID.subjectAltName, !csr.commonName, dnsGeneralNames(csr.domains)),
    subjectKeyIdentifier(csr.publicKeySpkiDer),
    authorityKeyIdentifier(caCertificatePem),
  ];
}

interface TbsFields {
  serial: Buffer;
  signingKey: KeyObject;
  issuer: Asn1;
  subject: Asn1;
  notBefore: Date;
  notAfter: Date;
  subjectPublicKeyInfo: Buffer;
  extensions: Asn1[];
}

function tbsCertificate(fields: TbsFields): Asn1 {
  return sequence([
    explicitTag(0, smallInteger(2)),
    integerFromBytes(fields.serial),
    signatureAlgorithm(fields.signingKey),
    fields.issuer,
    sequence([validityTime(fields.notBefore), validityTime(fields.notAfter)]),
    fields.subject,
    fromDerBuffer(fields.subjectPublicKeyInfo),
    explicitTag(3, sequence(fields.extensions)),
  ]);
}

/** A BIT STRING must drop trailing zero bits in DER, declaring them as unused. */
function keyUsage(bits: number): Asn1 {
  let unusedBits = 0;
  while (((bits >> unusedBits) & 1) === 0) unusedBits++;
  return bitString(Buffer.from([bits]), unusedBits);
}

// Strict verifiers (OpenSSL's -x509_strict, some TLS stacks) require these identifiers to build chains.
function subjectKeyIdentifier(subjectPublicKeyInfo: Buffer): Asn1 {
  return extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(subjectPublicKeyInfo)));
}

function authorityKeyIdentifier(caCertificatePem: string): Asn1 {
  const caPublicKeyInfo = new X509Certificate(caCertificatePem).publicKey.export({
    type: "spki",
    format: "der",
  });
  return extension(
    OID.authorityKeyIdentifier,
    false,
    sequence([implicitPrimitive(0, keyIdentifier(caPublicKeyInfo))]),
  );
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(subjectPublicKeyInfo: Buffer): Buffer {
  const [, subjectPublicKey] = readChildren(subjectPublicKeyInfo, readRoot(subjectPublicKeyInfo));
  if (!subjectPublicKey)
    throw new RangeError("The public key has no key bits; the CSR or CA key is damaged.");
  return createHash("sha1").update(contentBytes(subjectPublicKeyInfo, subjectPublicKey).subarray(1)).digest();
}

/** Positive and minimally encoded: a clear top bit, and a non-zero first byte. */
function randomSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f || 0x01;
  return serial;
}

function serialFromHex(hex: string): Buffer {
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new RangeError(`The serial number "${hex}" is not hexadecimal.`);
  let bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex");
  while (bytes.length > 0 && bytes[0] === 0) bytes = bytes.subarray(1);
  if (bytes.length === 0) throw new RangeError("The serial number must be positive, not zero.");
  const serial = (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
  if (serial.length > MAX_SERIAL_BYTES) {
    throw new RangeError(
      `The serial number is longer than the ${MAX_SERIAL_BYTES} bytes certificates allow.`,
    );
  }
  return serial;
}

/** The CA's subject bytes, copied exactly so that verifiers match the leaf's issuer to the CA. */
function subjectNameDer(certificatePem: string): Buffer {
  const der = new X509Certificate(certificatePem).raw;
  const [tbs] = readChildren(der, readRoot(der));
  const fields = tbs ? readChildren(der, tbs) : [];
  // TBSCertificate: [0] version, serial, signature, issuer, validity, subject, ...
  const subject = fields[5];
  if (!subject) throw new RangeError("The CA certificate has no subject; recreate the sandbox CA.");
  return elementBytes(der, subject);
}
