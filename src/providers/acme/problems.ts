/**
 * ACME problem documents (RFC 8555 §6.7, RFC 7807) in plain words: what the CA found, then the CA's
 * own detail, so a support engineer knows what to fix without reading the RFC.
 */

export interface AcmeProblem {
  type?: string;
  detail?: string;
  status?: number;
  subproblems?: { type?: string; detail?: string; identifier?: { value?: string } }[];
}

const PREFIX = "urn:ietf:params:acme:error:";

const PLAIN_WORDS: Record<string, string> = {
  unauthorized: "The CA did not find the expected content at the validation file or record",
  incorrectResponse: "The CA found the validation file or record, but with the wrong content",
  connection: "The CA could not connect to the web server to fetch the validation file",
  dns: "The CA's DNS look-up for the domain failed",
  caa: "A CAA record on the domain does not allow this CA to issue",
  tls: "The CA's TLS connection to the server failed",
  rejectedIdentifier: "The CA will not issue for this name",
  unsupportedIdentifier: "The CA does not issue for this kind of name",
  malformed: "The CA refused the request as malformed",
  badCSR: "The CA refused the certificate request (CSR)",
  rateLimited: "The CA's rate limit was reached, so it refused for now",
  serverInternal: "The CA had an internal error, so it refused for now",
  orderNotReady: "The order was not ready to be finalized yet",
  externalAccountRequired: "The CA needs External Account Binding (ACME_EAB_KID and ACME_EAB_HMAC_KEY)",
  unauthorizedAccount: "The CA refused the ACME account",
  accountDoesNotExist: "The CA does not know the ACME account",
  alreadyRevoked: "The certificate was already revoked",
  badRevocationReason: "The CA does not accept that revocation reason",
};

/** "The CA did not find … (www.example.com): <CA's detail>". */
export function problemInPlainWords(problem: AcmeProblem | undefined, domain?: string): string {
  if (!problem) return "The CA refused the validation without saying why.";
  const kind = problem.type?.startsWith(PREFIX) ? problem.type.slice(PREFIX.length) : undefined;
  // Own keys only: "constructor" or "toString" from a CA must not find Object.prototype's.
  const plain = (kind && Object.hasOwn(PLAIN_WORDS, kind) && PLAIN_WORDS[kind]) || "The CA refused";
  const where = domain ? ` (${domain})` : "";
  const detail = problem.detail?.replace(/\s+/g, " ").trim();
  return detail ? `${plain}${where}: ${detail}` : `${plain}${where}.`;
}

/** The problem type an acme-client error carries, where it kept one (it keeps only the detail). */
export function isProblem(value: unknown): value is AcmeProblem {
  return typeof value === "object" && value !== null && ("type" in value || "detail" in value);
}
