import { createPublicKey, type KeyObject } from "node:crypto";
import { domainToASCII } from "node:url";
import { derToOid } from "./asn1.js";
import { CsrError, parseCsr } from "./csr.js";
import {
  contentBytes,
  DER_TAG,
  type DerElement,
  DerError,
  elementBytes,
  readChildren,
  readRoot,
} from "./der.js";
import { derToPem } from "./pem.js";
import { hashForSignatureAlgorithm, verifySignature } from "./signing.js";

/**
 * Checks a CSR that a client generated with their own key, for ordering, reissuing or renewing without
 * certdesk ever holding the private key. Every refusal is a sentence for the support engineer who pasted
 * the text; it shows the CSR's names at most, never its encoded body, and never any part of a pasted key.
 *
 * Synchronous on purpose (it validates a Slack form field). That is why the signature is checked with
 * node:crypto over the exact signed bytes, as parseCsr does, rather than with PKI.js: PKI.js verifies
 * through async WebCrypto and is loaded lazily because it adds about 16 MB of RSS (see bundle.ts).
 */
export type CsrCheck =
  | {
      ok: true;
      csrPem: string;
      domains: string[];
      /** "rsa-2048" (or "rsa-3072", "rsa-4096", …), "ec-p256" or "ec-p384". */
      keyAlgorithm: string;
    }
  | { ok: false; message: string };

const CSR_LABELS = ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"];
const CERTIFICATE_LABELS = ["CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"];
const SEQUENCE_TAG = 0x30;
/** PEM keys of every kind (PKCS#8, PKCS#1, SEC1, encrypted, OpenSSH), even with a line lost, and PuTTY keys. */
const PRIVATE_KEY_MARKER = /-----(BEGIN|END) [A-Z0-9 ]*PRIVATE KEY-----|PuTTY-User-Key-File-/;
const MIN_RSA_BITS = 2048;
const ACCEPTED_EC_CURVES: Record<string, string> = { prime256v1: "p256", secp384r1: "p384" };
const CURVE_NAMES: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };
const KEY_TYPE_NAMES: Record<string, string> = {
  "rsa-pss": "RSA-PSS",
  dsa: "DSA",
  dh: "Diffie-Hellman",
  ed25519: "Ed25519",
  ed448: "Ed448",
  x25519: "X25519",
  x448: "X448",
};
/** Longer name lists are cut, so the message stays readable under the form field. */
const MAX_LISTED_NAMES = 10;

export const CSR_CHECK_MESSAGES = {
  notPem:
    "This is not a PEM certificate signing request (it should start with -----BEGIN CERTIFICATE REQUEST----- " +
    "and end with -----END CERTIFICATE REQUEST-----).",
  certificate:
    "This is a certificate, not a CSR: ask the client for the certificate signing request they generated " +
    "with their key (-----BEGIN CERTIFICATE REQUEST-----).",
  privateKey:
    "This is a private key: never paste a private key; paste the CSR (-----BEGIN CERTIFICATE REQUEST-----). " +
    "The key was shared, so the client should generate a new key and CSR.",
  incomplete:
    "The CSR is cut off: the -----END CERTIFICATE REQUEST----- line is missing. Paste the whole CSR, " +
    "from the BEGIN line to the END line.",
  extraText:
    "Paste the CSR alone, from -----BEGIN CERTIFICATE REQUEST----- to -----END CERTIFICATE REQUEST-----: " +
    "the text holds something else as well.",
  notBase64:
    "The CSR's text is damaged: between its BEGIN and END lines there are characters that cannot be in a " +
    "CSR. Copy it again from the client's file, unchanged.",
  damaged:
    "The CSR is damaged and cannot be decoded. Copy it again from the client's file, unchanged, or ask the " +
    "client for a new CSR.",
  badSignature: "The CSR's signature does not verify: it was altered or damaged.",
} as const;

const KEY_POLICY = `certdesk accepts RSA keys of at least ${MIN_RSA_BITS} bits and EC keys on the P-256 or P-384 curve`;

export function checkClientCsr(text: string, expected: { domains: string[] }): CsrCheck {
  const pem = readSinglePem(text);
  if (!pem.ok) return pem;
  const structure = readStructure(pem.der);
  if (!structure.ok) return structure;
  const key = checkKey(structure.publicKeySpkiDer);
  if (!key.ok) return key;
  const signature = checkSignature(pem.der, structure, key.publicKey);
  if (!signature.ok) return signature;
  const csrPem = derToPem(pem.der, "CERTIFICATE REQUEST");
  const names = readNames(csrPem);
  if (!names.ok) return names;
  const mismatch = describeNameMismatch(names.domains, expected.domains);
  if (mismatch) return { ok: false, message: mismatch };
  return { ok: true, csrPem, domains: names.domains, keyAlgorithm: key.keyAlgorithm };
}

type Refusal = { ok: false; message: string };

function refuse(message: string): Refusal {
  return { ok: false, message };
}

function readSinglePem(text: string): { ok: true; der: Buffer } | Refusal {
  const normalised = text.replace(/\r\n?/g, "\n").trim();
  // Checked first and on the raw text, so a key is refused even when cut off or pasted next to a CSR.
  if (PRIVATE_KEY_MARKER.test(normalised)) return refuse(CSR_CHECK_MESSAGES.privateKey);
  const blocks = [...normalised.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  const csrBlocks = blocks.filter((block) => CSR_LABELS.includes(block[1] ?? ""));
  if (csrBlocks.length === 0) {
    if (blocks.some((block) => CERTIFICATE_LABELS.includes(block[1] ?? ""))) {
      return refuse(CSR_CHECK_MESSAGES.certificate);
    }
    if (/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(normalised)) {
      return refuse(CSR_CHECK_MESSAGES.incomplete);
    }
    const otherLabel = blocks[0]?.[1];
    if (otherLabel) {
      return refuse(
        `This is a PEM "${otherLabel}" block, not a CSR (it should start with -----BEGIN CERTIFICATE REQUEST-----).`,
      );
    }
    return refuse(CSR_CHECK_MESSAGES.notPem);
  }
  if (csrBlocks.length > 1) {
    return refuse(
      `The text holds ${csrBlocks.length} CSRs: paste only the one for this order (each starts with -----BEGIN CERTIFICATE REQUEST-----).`,
    );
  }
  const [block] = csrBlocks;
  if (!block || block[0] !== normalised) return refuse(CSR_CHECK_MESSAGES.extraText);
  const base64 = (block[2] ?? "").replace(/\s+/g, "");
  if (base64 === "") return refuse(CSR_CHECK_MESSAGES.damaged);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) {
    return refuse(CSR_CHECK_MESSAGES.notBase64);
  }
  return { ok: true, der: Buffer.from(base64, "base64") };
}

interface CsrStructure {
  ok: true;
  requestInfo: DerElement;
  algorithm: DerElement;
  signature: DerElement;
  publicKeySpkiDer: Buffer;
}

/** PKCS#10 (RFC 2986): SEQUENCE { CertificationRequestInfo, AlgorithmIdentifier, BIT STRING }. */
function readStructure(der: Buffer): CsrStructure | Refusal {
  try {
    const [requestInfo, algorithm, signature, extra] = readChildren(der, readRoot(der));
    if (!requestInfo || !algorithm || !signature || extra) return refuse(CSR_CHECK_MESSAGES.damaged);
    if (requestInfo.tag !== SEQUENCE_TAG || algorithm.tag !== SEQUENCE_TAG) {
      return refuse(CSR_CHECK_MESSAGES.damaged);
    }
    const [, subject, publicKeyInfo] = readChildren(der, requestInfo);
    if (subject?.tag !== SEQUENCE_TAG || publicKeyInfo?.tag !== SEQUENCE_TAG) {
      return refuse(CSR_CHECK_MESSAGES.damaged);
    }
    return {
      ok: true,
      requestInfo,
      algorithm,
      signature,
      publicKeySpkiDer: Buffer.from(elementBytes(der, publicKeyInfo)),
    };
  } catch (error) {
    if (error instanceof DerError) return refuse(CSR_CHECK_MESSAGES.damaged);
    throw error;
  }
}

function checkKey(spkiDer: Buffer): { ok: true; publicKey: KeyObject; keyAlgorithm: string } | Refusal {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: spkiDer, format: "der", type: "spki" });
  } catch {
    return refuse(
      `The CSR's public key is of a type certdesk cannot read (${describeUnreadableKey(spkiDer)}); ${KEY_POLICY}. ` +
        "Ask the client for a new key and CSR.",
    );
  }
  const type = publicKey.asymmetricKeyType;
  const details = publicKey.asymmetricKeyDetails ?? {};
  if (type === "rsa") {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) {
      return refuse(
        `The CSR's key is RSA-${bits}, which is too weak: ${KEY_POLICY}. Ask the client for a new key and CSR.`,
      );
    }
    return { ok: true, publicKey, keyAlgorithm: `rsa-${bits}` };
  }
  if (type === "ec") {
    const curve = details.namedCurve ?? "";
    const accepted = ACCEPTED_EC_CURVES[curve];
    if (accepted) return { ok: true, publicKey, keyAlgorithm: `ec-${accepted}` };
    const curveName = CURVE_NAMES[curve] ?? (curve || "an unnamed curve");
    return refuse(
      `The CSR's key is EC on ${curveName}, which certificate authorities do not accept: ${KEY_POLICY}. ` +
        "Ask the client for a new key and CSR.",
    );
  }
  const typeName = KEY_TYPE_NAMES[type ?? ""] ?? type ?? "of an unknown type";
  return refuse(
    `The CSR's key is ${typeName}, which certificate authorities do not accept: ${KEY_POLICY}. ` +
      "Ask the client for a new key and CSR.",
  );
}

/** The key's algorithm OID (and its parameter OID, such as an EC curve), for a key node:crypto refused. */
function describeUnreadableKey(spkiDer: Buffer): string {
  try {
    const [algorithm] = readChildren(spkiDer, readRoot(spkiDer));
    const oids = (algorithm ? readChildren(spkiDer, algorithm) : [])
      .filter((field) => field.tag === DER_TAG.oid)
      .map((field) => derToOid(contentBytes(spkiDer, field)));
    return oids.length > 0 ? `algorithm ${oids.join(", ")}` : "no algorithm identifier";
  } catch {
    return "damaged key";
  }
}

function checkSignature(der: Buffer, structure: CsrStructure, publicKey: KeyObject): { ok: true } | Refusal {
  try {
    const [identifier] = readChildren(der, structure.algorithm);
    if (identifier?.tag !== DER_TAG.oid) return refuse(CSR_CHECK_MESSAGES.damaged);
    const algorithmOid = derToOid(contentBytes(der, identifier));
    const hash = hashForSignatureAlgorithm(algorithmOid);
    if (!hash) {
      return refuse(
        `The CSR is signed with an algorithm certdesk cannot check (${algorithmOid}). Ask the client for a CSR ` +
          "signed with SHA-256, which is what openssl and the usual tools do by default.",
      );
    }
    const bits = contentBytes(der, structure.signature);
    if (structure.signature.tag !== DER_TAG.bitString || bits[0] !== 0) {
      return refuse(CSR_CHECK_MESSAGES.badSignature);
    }
    const valid = verifySignature({
      hash,
      signedBytes: elementBytes(der, structure.requestInfo),
      signature: bits.subarray(1),
      publicKey,
    });
    return valid ? { ok: true } : refuse(CSR_CHECK_MESSAGES.badSignature);
  } catch {
    // node:crypto throws on some malformed signatures (e.g. a broken ECDSA SEQUENCE), which is the same finding.
    return refuse(CSR_CHECK_MESSAGES.badSignature);
  }
}

/** The names come from parseCsr, the reader that also feeds the providers: CN when it is a host, then SANs. */
function readNames(csrPem: string): { ok: true; domains: string[] } | Refusal {
  try {
    const parsed = parseCsr(csrPem);
    return { ok: true, domains: uniqueNames(parsed.domains) };
  } catch (error) {
    if (error instanceof CsrError) return refuse(error.message);
    return refuse(CSR_CHECK_MESSAGES.damaged);
  }
}

/** Case-insensitive, trailing dot ignored, IDNs in their ASCII form; a wildcard is just a name. */
function normaliseName(name: string): string {
  const lower = name.trim().toLowerCase().replace(/\.$/, "");
  if (/^[\x21-\x7e]*$/.test(lower)) return lower;
  return domainToASCII(lower) || lower;
}

function uniqueNames(names: string[]): string[] {
  return [...new Set(names.map(normaliseName).filter((name) => name !== ""))];
}

function describeNameMismatch(csrNames: string[], expectedNames: string[]): string | undefined {
  const expected = uniqueNames(expectedNames);
  const missing = expected.filter((name) => !csrNames.includes(name));
  const extra = csrNames.filter((name) => !expected.includes(name));
  if (csrNames.length === 0) {
    return (
      "The CSR names no domain (no host name in its CN and no subjectAltName); it must name exactly: " +
      `${listNames(expected)}.`
    );
  }
  if (missing.length === 0 && extra.length === 0) return undefined;
  const parts = ["The CSR's names do not match the order."];
  if (missing.length > 0) parts.push(`Missing from the CSR: ${listNames(missing)}.`);
  if (extra.length > 0) parts.push(`In the CSR but not in the order: ${listNames(extra)}.`);
  parts.push("Ask the client for a CSR with exactly the order's domains, or change the order's domains.");
  return parts.join(" ");
}

function listNames(names: string[]): string {
  if (names.length === 0) return "(none)";
  const shown = names.slice(0, MAX_LISTED_NAMES).map(displayName);
  const more = names.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

/** CSR names are client text: show control characters escaped and cut an absurdly long one. */
function displayName(name: string): string {
  const visible = JSON.stringify(name).slice(1, -1);
  return visible.length > 100 ? `${visible.slice(0, 100)}…` : visible;
}
