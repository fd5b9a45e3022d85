/** Domain control validation: how a customer proves a domain is theirs. */

export const DCV_METHODS = ["email", "http", "dns"] as const;
export type DcvMethod = (typeof DCV_METHODS)[number];

/**
 * The method an order uses: the one chosen if the provider offers it, else DNS where offered (CAs
 * stop accepting e-mail validation on 15 March 2028, and a DNS record can stay for reissues), else
 * the provider's first. The forms preselect it and an order that names none gets it.
 */
export function dcvMethodFor(offered: readonly DcvMethod[], wanted?: DcvMethod): DcvMethod {
  if (wanted && offered.includes(wanted)) return wanted;
  if (offered.includes("dns")) return "dns";
  return offered[0] ?? "email";
}

/** What the customer must publish (or who must click) to prove control of a domain. */
export interface DcvInstruction {
  domain: string;
  method: DcvMethod;
  email?: string;
  httpUrl?: string;
  httpContent?: string;
  dnsRecord?: { name: string; type: "CNAME" | "TXT"; value: string };
}

export type DomainValidationState = "pending" | "validated" | "failed" | "unknown";

/** A domain's last validation at a provider, and until when the CA may reuse it. */
export interface DomainValidation {
  domain: string;
  method: string;
  validatedAt: Date;
  reusableUntil: Date;
}

/** What a form says about one domain: reusable until a date, or to be validated again (and why). */
export type ValidationStanding =
  | { domain: string; kind: "reusable"; validation: DomainValidation }
  | { domain: string; kind: "expired"; validation: DomainValidation }
  | { domain: string; kind: "none" };

/** One line of `/ssl validations`: an order, its client, how it is validated, and a date. */
export interface ValidationListing {
  reference: string;
  primaryDomain: string;
  clientName: string;
  status: string;
  dcvMethod: string;
  approverEmail: string | null;
  /** When it reached the provider (stuck), until when it may be reused, or the certificate's end. */
  at: Date | null;
  /** The domain, when the line is about one domain of the order. */
  domain?: string;
}
