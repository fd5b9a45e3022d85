import forge from "node-forge";

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

export type { Asn1 };

export const OID = {
  commonName: "2.5.4.3",
  country: "2.5.4.6",
  locality: "2.5.4.7",
  state: "2.5.4.8",
  organisation: "2.5.4.10",
  unit: "2.5.4.11",
  extensionRequest: "1.2.840.113549.1.9.14",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  keyUsage: "2.5.29.15",
  basicConstraints: "2.5.29.19",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  sha1WithRsa: "1.2.840.113549.1.1.5",
  sha256WithRsa: "1.2.840.113549.1.1.11",
  sha384WithRsa: "1.2.840.113549.1.1.12",
  sha512WithRsa: "1.2.840.113549.1.1.13",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  ecdsaWithSha384: "1.2.840.10045.4.3.3",
  ecdsaWithSha512: "1.2.840.10045.4.3.4",
} as const;

export interface NameAttribute {
  oid: string;
  value: string;
}

export function sequence(items: Asn1[]): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
}

export function set(items: Asn1[]): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items);
}

export function oid(dotted: string): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(dotted).getBytes());
}

export function nullValue(): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, "");
}

export function booleanTrue(): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, String.fromCharCode(0xff));
}

export function smallInteger(value: number): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(value).getBytes());
}

/** `bytes` must already be a minimal, positive two's-complement encoding. */
export function integerFromBytes(bytes: Buffer): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, bytes.toString("binary"));
}

export function octetString(bytes: Buffer): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes.toString("binary"));
}

/** A BIT STRING whose last `unusedBits` bits are padding. */
export function bitString(bytes: Buffer, unusedBits = 0): Asn1 {
  return asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.BITSTRING,
    false,
    String.fromCharCode(unusedBits) + bytes.toString("binary"),
  );
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function validityTime(date: Date): Asn1 {
  return date.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

export function explicitTag(tagNumber: number, inner: Asn1): Asn1 {
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, tagNumber as forge.asn1.Type, true, [inner]);
}

/** X.520 names: country must be a PrintableString; everything else is UTF-8 so accents survive. */
export function distinguishedName(attributes: NameAttribute[]): Asn1 {
  return sequence(attributes.map((attribute) => set([sequence([oid(attribute.oid), nameValue(attribute)])])));
}

function nameValue(attribute: NameAttribute): Asn1 {
  if (attribute.oid === OID.country) {
    return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.PRINTABLESTRING, false, attribute.value);
  }
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, forge.util.encodeUtf8(attribute.value));
}

/** An IMPLICIT context-specific primitive, e.g. a GeneralName's dNSName [2]. */
export function implicitPrimitive(tagNumber: number, bytes: Buffer): Asn1 {
  return asn1.create(
    asn1.Class.CONTEXT_SPECIFIC,
    tagNumber as forge.asn1.Type,
    false,
    bytes.toString("binary"),
  );
}

export function dnsGeneralNames(domains: string[]): Asn1 {
  return sequence(domains.map((domain) => implicitPrimitive(2, Buffer.from(domain, "latin1"))));
}

export function extension(extensionOid: string, critical: boolean, value: Asn1): Asn1 {
  const fields = [oid(extensionOid)];
  if (critical) fields.push(booleanTrue());
  fields.push(octetString(toDerBuffer(value)));
  return sequence(fields);
}

export function toDerBuffer(value: Asn1): Buffer {
  return Buffer.from(asn1.toDer(value).getBytes(), "binary");
}

export function fromDerBuffer(der: Buffer): Asn1 {
  return asn1.fromDer(der.toString("binary"), true);
}

export function derToOid(content: Buffer): string {
  return asn1.derToOid(content.toString("binary"));
}
