import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { domainToASCII } from "node:url";
import {
  type Asn1,
  derToOid,
  distinguishedName,
  dnsGeneralNames,
  explicitTag,
  extension,
  fromDerBuffer,
  type NameAttribute,
  OID,
  oid,
  sequence,
  set,
  smallInteger,
} from "./asn1.js";
import {
  contentBytes,
  DER_TAG,
  type DerElement,
  DerError,
  elementBytes,
  readChildren,
  readRoot,
} from "./der.js";
import { CsrError } from "./errors.js";
import { derToPem, pemToDer } from "./pem.js";
import { hashForSignatureAlgorithm, signStructure, verifySignature } from "./signing.js";

export { CsrError } from "./errors.js";

export interface CsrSubject {
  commonName: string;
  organisation?: string;
  unit?: string;
  locality?: string;
  state?: string;
  /** ISO 3166 two-letter code. */
  country?: string;
}

export interface CreateCsrInput {
  privateKeyPem: string;
  subject: CsrSubject;
  /** Every domain the certificate must cover, the common name included, in ASCII (punycode) form. */
  domains: string[];
}

export interface ParsedCsr {
  /** Empty when the subject has no CN. */
  commonName: string;
  /** The CN (when it is a host name) followed by the subjectAltName dNSNames, without duplicates. */
  domains: string[];
  publicKeySpkiDer: Buffer;
  /** The whole request; providers hash it for HTTP/CNAME domain validation. */
  der: Buffer;
}

const CSR_PEM_LABELS = ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"];

export async function createCsr(input: CreateCsrInput): Promise<string> {
  const domains = normaliseDomains(input.domains);
  assertCommonNameCovered(input.subject.commonName, domains);
  const privateKey = readPrivateKey(input.privateKeyPem);
  const requestInfo = sequence([
    smallInteger(0),
    distinguishedName(subjectAttributes(input.subject)),
    fromDerBuffer(createPublicKey(privateKey).export({ type: "spki", format: "der" })),
    explicitTag(0, extensionRequest(domains)),
  ]);
  return derToPem(await signStructure(requestInfo, privateKey), "CERTIFICATE REQUEST");
}

export function parseCsr(pem: string): ParsedCsr {
  const der = pemToDer(pem, CSR_PEM_LABELS);
  if (!der) {
    throw new CsrError(
      "The text is not a PEM certificate request: paste the whole CSR including the " +
        "-----BEGIN CERTIFICATE REQUEST----- and -----END CERTIFICATE REQUEST----- lines.",
    );
  }
  try {
    return parseCsrDer(der);
  } catch (error) {
    if (error instanceof DerError) {
      throw new CsrError(`The CSR is damaged and cannot be decoded (${error.message}); generate it again.`);
    }
    throw error;
  }
}

function parseCsrDer(der: Buffer): ParsedCsr {
  const [requestInfo, algorithm, signature, extra] = readChildren(der, readRoot(der));
  if (!requestInfo || !algorithm || !signature || extra) {
    throw new DerError("a CSR must hold exactly a request, an algorithm and a signature");
  }
  const [, subject, publicKeyInfo, attributes] = readChildren(der, requestInfo);
  if (!subject || !publicKeyInfo)
    throw new CsrError("The CSR has no subject or no public key; generate it again.");
  const publicKeySpkiDer = Buffer.from(elementBytes(der, publicKeyInfo));
  assertSignatureValid(der, { requestInfo, algorithm, signature, publicKeySpkiDer });
  const commonName = readCommonName(der, subject);
  const altNames = attributes ? readSubjectAltDnsNames(der, attributes) : [];
  return { commonName, domains: mergeDomains(commonName, altNames), publicKeySpkiDer, der };
}

function readPrivateKey(privateKeyPem: string): KeyObject {
  try {
    return createPrivateKey(privateKeyPem);
  } catch {
    throw new CsrError("The private key is not a readable PEM key, so no CSR can be made from it.");
  }
}

function normaliseDomains(domains: string[]): string[] {
  if (domains.length === 0) throw new CsrError("A CSR needs at least one domain.");
  const normalised = domains.map((domain) => domain.trim().toLowerCase());
  for (const domain of normalised) {
    if (!/^[\x21-\x7e]+$/.test(domain)) {
      const ascii = domainToASCII(domain);
      throw new CsrError(
        `The domain "${domain}" must be given in ASCII form${ascii ? ` (${ascii})` : ""} before it goes in a CSR.`,
      );
    }
  }
  return [...new Set(normalised)];
}

function assertCommonNameCovered(commonName: string, domains: string[]): void {
  if (!domains.includes(commonName.trim().toLowerCase())) {
    throw new CsrError(
      `The common name "${commonName}" must also be in the domain list: browsers only read subjectAltName.`,
    );
  }
}

function subjectAttributes(subject: CsrSubject): NameAttribute[] {
  if (subject.country !== undefined && !/^[A-Z]{2}$/.test(subject.country)) {
    throw new CsrError(`The country "${subject.country}" must be a two-letter ISO code such as GB or DE.`);
  }
  const ordered: [string, string | undefined][] = [
    [OID.country, subject.country],
    [OID.state, subject.state],
    [OID.locality, subject.locality],
    [OID.organisation, subject.organisation],
    [OID.unit, subject.unit],
    [OID.commonName, subject.commonName.trim().toLowerCase()],
  ];
  return ordered.flatMap(([attributeOid, value]) =>
    value === undefined || value === "" ? [] : [{ oid: attributeOid, value }],
  );
}

function extensionRequest(domains: string[]): Asn1 {
  const extensions = sequence([extension(OID.subjectAltName, false, dnsGeneralNames(domains))]);
  return sequence([oid(OID.extensionRequest), set([extensions])]);
}

function assertSignatureValid(
  der: Buffer,
  parts: {
    requestInfo: DerElement;
    algorithm: DerElement;
    signature: DerElement;
    publicKeySpkiDer: Buffer;
  },
): void {
  const algorithmOid = readAlgorithmOid(der, parts.algorithm);
  const hash = hashForSignatureAlgorithm(algorithmOid);
  if (!hash) {
    throw new CsrError(
      `The CSR is signed with an unsupported algorithm (${algorithmOid}); use SHA-256 with RSA or ECDSA.`,
    );
  }
  const signatureBits = contentBytes(der, parts.signature);
  if (parts.signature.tag !== DER_TAG.bitString || signatureBits[0] !== 0) {
    throw new DerError("the signature is not a whole-byte BIT STRING");
  }
  const valid = verifySignature({
    hash,
    signedBytes: elementBytes(der, parts.requestInfo),
    signature: signatureBits.subarray(1),
    publicKey: readPublicKey(parts.publicKeySpkiDer),
  });
  if (!valid) {
    throw new CsrError(
      "The CSR signature does not match its public key: it was altered after signing. Generate it again.",
    );
  }
}

function readPublicKey(spkiDer: Buffer): KeyObject {
  try {
    return createPublicKey({ key: spkiDer, format: "der", type: "spki" });
  } catch {
    throw new CsrError("The CSR's public key is of an unknown or damaged type; use an RSA or EC key.");
  }
}

function readAlgorithmOid(der: Buffer, algorithm: DerElement): string {
  const [identifier] = readChildren(der, algorithm);
  if (identifier?.tag !== DER_TAG.oid) throw new DerError("the signature algorithm has no OID");
  return derToOid(contentBytes(der, identifier));
}

function readCommonName(der: Buffer, subject: DerElement): string {
  for (const relativeName of readChildren(der, subject)) {
    for (const attribute of readChildren(der, relativeName)) {
      const [type, value] = readChildren(der, attribute);
      if (type?.tag === DER_TAG.oid && value && derToOid(contentBytes(der, type)) === OID.commonName) {
        return decodeDirectoryString(value.tag, contentBytes(der, value));
      }
    }
  }
  return "";
}

function decodeDirectoryString(tag: number, content: Buffer): string {
  if (tag === DER_TAG.utf8String) return content.toString("utf8");
  if (tag === DER_TAG.bmpString) return Buffer.from(content).swap16().toString("utf16le");
  return content.toString("latin1");
}

function readSubjectAltDnsNames(der: Buffer, attributes: DerElement): string[] {
  for (const attribute of readChildren(der, attributes)) {
    const [type, values] = readChildren(der, attribute);
    if (type?.tag !== DER_TAG.oid || !values || derToOid(contentBytes(der, type)) !== OID.extensionRequest) {
      continue;
    }
    for (const extensions of readChildren(der, values)) {
      for (const entry of readChildren(der, extensions)) {
        const fields = readChildren(der, entry);
        const [extensionId] = fields;
        const value = fields[fields.length - 1];
        if (extensionId?.tag === DER_TAG.oid && value?.tag === DER_TAG.octetString) {
          if (derToOid(contentBytes(der, extensionId)) === OID.subjectAltName) {
            return readDnsNames(contentBytes(der, value));
          }
        }
      }
    }
  }
  return [];
}

function readDnsNames(generalNamesDer: Buffer): string[] {
  return readChildren(generalNamesDer, readRoot(generalNamesDer))
    .filter((name) => name.tag === DER_TAG.dnsName)
    .map((name) => contentBytes(generalNamesDer, name).toString("latin1").toLowerCase());
}

/** CAs add the CN to the certificate's names, so a CSR covers it even when its SAN list omits it. */
function mergeDomains(commonName: string, altNames: string[]): string[] {
  const commonNameIsHost = /^[^\s/@]+\.[^\s/@]+$/.test(commonName);
  return [...new Set([...(commonNameIsHost ? [commonName.toLowerCase()] : []), ...altNames])];
}
