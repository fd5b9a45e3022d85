import type { DcvInstruction, DcvMethod } from "./dcv.js";

/**
 * "Will it issue?": what certdesk can see from outside about whether a CA could validate a domain
 * and issue for it — CAA, the name resolving, the DNS record or HTTP file in place, MX for the
 * approver address. Findings are advice: they never block an order (the CA decides, from several
 * network perspectives certdesk does not have).
 */

export type ReadinessCheck = "caa" | "resolves" | "dns_record" | "http_file" | "mx";

/** ok: seen as the CA needs it; warning: may stop issuance; problem: will stop it as things are. */
export type FindingSeverity = "ok" | "warning" | "problem";

export interface Finding {
  domain: string;
  check: ReadinessCheck;
  severity: FindingSeverity;
  /** One plain sentence for a support engineer: what was seen and, when not ok, what to do. */
  text: string;
  /** What was found instead of what was expected (a record's value, an HTTP status), when it helps. */
  seen?: string;
}

/** One domain to look at, and how the CA is to validate it. */
export interface ReadinessTarget {
  domain: string;
  method: DcvMethod;
  /** The provider's CA identifiers as CAA `issue` values name them (e.g. sectigo.com, comodoca.com). */
  caIdentifiers: string[];
  /** The provider's instruction for this domain, once the order is placed (record, file, address). */
  instruction?: DcvInstruction;
  /** E-mail validation: the address the approval goes to (its domain should have MX records). */
  approverEmail?: string;
}

/** Worst first, so a summary can lead with what stops issuance. */
export function worstFirst(findings: Finding[]): Finding[] {
  const rank: Record<FindingSeverity, number> = { problem: 0, warning: 1, ok: 2 };
  return [...findings].sort((a, b) => rank[a.severity] - rank[b.severity]);
}
