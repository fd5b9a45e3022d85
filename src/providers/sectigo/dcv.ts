import { createHash } from "node:crypto";
import forge from "node-forge";
import type { DcvInstruction, DcvMethod } from "../../domain/dcv.js";
import { baseName } from "../../domain/names.js";

/** Sectigo's names for the DCV methods (the same tokens AutoUpdateDCV documents). */
export const SECTIGO_DCV_METHODS: Record<DcvMethod, string> = {
  email: "EMAIL",
  http: "HTTP_CSR_HASH",
  dns: "CNAME_CSR_HASH",
};

export interface CsrHashes {
  md5: string;
  sha256: string;
}

/** Upper-case hex MD5 and SHA-256 of the CSR's DER bytes, or undefined when the text holds no CSR. */
export function csrHashes(csrPem: string): CsrHashes | undefined {
  const der = csrDer(csrPem);
  if (!der) return undefined;
  const hex = (algorithm: string) => createHash(algorithm).update(der).digest("hex").toUpperCase();
  return { md5: hex("md5"), sha256: hex("sha256") };
}

function csrDer(csrPem: string): Buffer | undefined {
  try {
    const block = forge.pem
      .decode(csrPem)
      .find((candidate) => candidate.type.endsWith("CERTIFICATE REQUEST"));
    return block && block.body.length > 0 ? Buffer.from(block.body, "binary") : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `uniqueValue` (≤ 20 alphanumerics) derived from certdesk's order reference, never random:
 * a resubmission of the same order carries the same token, so it can be matched to the
 * order Sectigo already holds (and Sectigo can refuse it as a duplicate).
 */
export function uniqueValueFor(reference: string): string {
  const alphanumeric = reference.replace(/[^A-Za-z0-9]/g, "");
  if (alphanumeric.length > 0 && alphanumeric.length <= 20) return alphanumeric;
  // Too long (or nothing usable): keep a readable prefix and let a digest keep it distinct.
  const digest = createHash("sha256").update(reference).digest("hex").toUpperCase();
  return (alphanumeric.slice(0, 12) + digest).slice(0, 20);
}

/**
 * What the customer publishes for HTTP or CNAME DCV: names from the CSR's MD5, content from
 * its SHA-256 plus `uniqueValue` (providers.md §1.4). The authorization domain of a wildcard
 * name is the name without `*.`.
 */
export function dcvInstruction(
  domain: string,
  method: DcvMethod,
  hashes: CsrHashes,
  uniqueValue: string,
  approverEmail?: string,
): DcvInstruction {
  const authorizationDomain = baseName(domain);
  switch (method) {
    case "email":
      return { domain, method, email: approverEmail };
    case "http":
      return {
        domain,
        method,
        httpUrl: `http://${authorizationDomain}/.well-known/pki-validation/${hashes.md5}.txt`,
        httpContent: `${hashes.sha256}\nsectigo.com\n${uniqueValue}`,
      };
    case "dns":
      return {
        domain,
        method,
        dnsRecord: {
          name: `_${hashes.md5}.${authorizationDomain}`,
          type: "CNAME",
          value: `${hashes.sha256.slice(0, 32)}.${hashes.sha256.slice(32)}.${uniqueValue}.sectigo.com`,
        },
      };
  }
}
