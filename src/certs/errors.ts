/** A key type that a certificate operation cannot handle (e.g. a PFX for an EC key). */
export class UnsupportedKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedKeyError";
  }
}

/** A CSR that cannot be built from the given input, or a CSR text that is not a valid, signed request. */
export class CsrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CsrError";
  }
}
