/**
 * A minimal DER reader. It exists because signatures cover the exact bytes of a structure, and forge's
 * parse/re-encode round trip does not promise to reproduce them; slicing the original buffer does.
 */

export interface DerElement {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

export class DerError extends Error {
  constructor(message: string) {
    super(`Malformed DER: ${message}`);
    this.name = "DerError";
  }
}

export const DER_TAG = {
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  bmpString: 0x1e,
  /** A GeneralName's dNSName: [2] IMPLICIT IA5String. */
  dnsName: 0x82,
} as const;

function readElement(der: Buffer, offset: number, limit = der.length): DerElement {
  const tag = byteAt(der, offset, limit);
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-byte tag at offset ${offset} is not supported`);
  const first = byteAt(der, offset + 1, limit);
  let length = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    const lengthBytes = first & 0x7f;
    if (lengthBytes === 0 || lengthBytes > 4)
      throw new DerError(`unsupported length form at offset ${offset}`);
    length = 0;
    for (let i = 0; i < lengthBytes; i++) length = length * 256 + byteAt(der, contentStart + i, limit);
    contentStart += lengthBytes;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError(`element at offset ${offset} runs past the end of its container`);
  return { tag, start: offset, contentStart, end };
}

export function readChildren(der: Buffer, parent: DerElement): DerElement[] {
  const children: DerElement[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const child = readElement(der, offset, parent.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

/** Reads the single element that must span the whole buffer, as a certificate or CSR does. */
export function readRoot(der: Buffer): DerElement {
  const root = readElement(der, 0);
  if (root.end !== der.length) throw new DerError("trailing bytes after the outer structure");
  return root;
}

export function elementBytes(der: Buffer, element: DerElement): Buffer {
  return der.subarray(element.start, element.end);
}

export function contentBytes(der: Buffer, element: DerElement): Buffer {
  return der.subarray(element.contentStart, element.end);
}

function byteAt(der: Buffer, offset: number, limit: number): number {
  const value = offset < limit ? der[offset] : undefined;
  if (value === undefined) throw new DerError(`unexpected end of data at offset ${offset}`);
  return value;
}
