import { X509Certificate } from "node:crypto";
import type { DcvMethod, DomainValidationState } from "../../domain/dcv.js";
import type { IssuedCertificate, ProviderOrderStatus, StatusResult } from "../types.js";
import { type CollectFields, collectFields, type SectigoAnswer } from "./wire.js";

/** CollectSSL refusals that describe the order rather than a failed call (providers.md §1.5, §1.9). */
const ORDER_STATE_REFUSALS: Record<number, { status: ProviderOrderStatus; detail: string }> = {
  [-20]: { status: "rejected", detail: "Sectigo rejected the order." },
  [-21]: { status: "cancelled", detail: "Sectigo revoked the certificate." },
  [-22]: {
    status: "pending",
    detail: "Awaiting payment: Sectigo will not process the order until it is paid in the reseller account.",
  },
  [-26]: { status: "pending", detail: "Sectigo is issuing the certificate right now." },
};

export function describesOrderState(code: number): boolean {
  return code >= 0 || ORDER_STATE_REFUSALS[code] !== undefined;
}

/** Sub-status fields shown on the Status tab, labelled for people. */
const DETAIL_LABELS: [keyof CollectFields, string][] = [
  ["certificateStatus", "Certificate"],
  ["validationStatus", "Validation"],
  ["dcvStatus", "DCV"],
  ["csrStatus", "CSR"],
  ["organizationValidationStatus", "Organisation validation"],
  ["ovCallBackStatus", "OV callback"],
  ["brandValStatus", "Brand validation"],
  ["caaStatus", "CAA check"],
  ["evClickThroughStatus", "EV click-through"],
];

export class UnreadableCollectAnswer extends Error {}

/**
 * A CollectSSL answer (status >= 0, or an order-state refusal) as certdesk's status.
 * Throws UnreadableCollectAnswer when the fields do not have the documented shape.
 */
export function statusFromCollect(answer: SectigoAnswer, now: Date): StatusResult {
  const refusal = ORDER_STATE_REFUSALS[answer.code];
  if (refusal) return { status: refusal.status, detail: [refusal.detail], domains: [] };

  const parsed = collectFields.safeParse(answer.fields);
  if (!parsed.success) {
    throw new UnreadableCollectAnswer("CollectSSL fields do not match the documented shape");
  }
  const fields = parsed.data;
  // 1 = certificate available, 2 = attached; 0 = still being processed.
  const issued = answer.code >= 1;
  const certificate = issued ? issuedCertificate(fields) : undefined;
  const notAfter = certificate?.notAfter ?? fields.notAfter;
  const status: ProviderOrderStatus = !issued
    ? "pending"
    : notAfter && notAfter.getTime() < now.getTime()
      ? "expired"
      : "issued";
  return {
    status,
    detail: detailLines(fields),
    domains: domainStates(fields, issued),
    ...(certificate ? { certificate } : {}),
  };
}

function detailLines(fields: CollectFields): string[] {
  return DETAIL_LABELS.flatMap(([key, label]) => {
    const value = fields[key];
    return typeof value === "string" && value.trim() !== "" ? [`${label}: ${value.trim()}`] : [];
  });
}

function domainStates(fields: CollectFields, issued: boolean): StatusResult["domains"] {
  const perDomain = fields.mdcDomainDetails ? parseMdcDomainDetails(fields.mdcDomainDetails) : [];
  const domains =
    perDomain.length > 0
      ? perDomain
      : fields.fqdn
        ? [{ domain: fields.fqdn.trim().toLowerCase(), state: domainState(fields.dcvStatus) }]
        : [];
  // Sectigo signs only once every name is validated, whatever the sub-status fields say.
  return issued ? domains.map((domain) => ({ ...domain, state: "validated" as const })) : domains;
}

const HOST_NAME = /^(\*\.)?([a-z0-9-]+\.)+[a-z0-9-]+$/i;
const SECTIGO_METHODS: Record<string, DcvMethod> = {
  EMAIL: "email",
  HTTP_CSR_HASH: "http",
  HTTPS_CSR_HASH: "http",
  CNAME_CSR_HASH: "dns",
};

/**
 * `mdcDomainDetails` pairs each domain with its DCV status (SD:collect-ssl/request); the exact
 * separators were not found in any source. Any of `| ; , TAB newline` is accepted: a host name
 * starts an entry, a DCV method token sets its method, other text is its status.
 */
function parseMdcDomainDetails(values: string[]): StatusResult["domains"] {
  const domains: StatusResult["domains"] = [];
  const tokens = values
    .join("|")
    .split(/[|;,\t\n]/)
    .map((token) => token.trim())
    .filter((token) => token !== "");
  for (const token of tokens) {
    if (HOST_NAME.test(token)) {
      domains.push({ domain: token.toLowerCase(), state: "unknown" });
      continue;
    }
    const current = domains.at(-1);
    if (!current || token.includes("@")) continue;
    const method = SECTIGO_METHODS[token.toUpperCase()];
    if (method) current.method = method;
    else current.state = domainState(token);
  }
  return domains;
}

function domainState(raw: string | undefined): DomainValidationState {
  const value = raw?.trim().toLowerCase() ?? "";
  // Numeric sub-statuses (without showExtStatus): third-party clients read 1 as complete.
  if (/^\d+$/.test(value)) return value === "1" ? "validated" : "pending";
  if (/not validated|await|pending|progress|not yet|requested|sent/.test(value)) return "pending";
  if (/fail|reject|invalid|expired/.test(value)) return "failed";
  if (/validated|complete|not required|passed/.test(value)) return "validated";
  return "unknown";
}

function issuedCertificate(fields: CollectFields): IssuedCertificate | undefined {
  if (!fields.certificate) return undefined;
  const [certificatePem, ...extra] = pemCertificates(fields.certificate);
  if (!certificatePem || extra.length > 0) {
    throw new UnreadableCollectAnswer("certificate field is not one certificate");
  }
  // Sectigo lists the CA certificates root first; checkdomain/Comodo reverses them for chain order.
  const chainPem = [...(fields.caCertificate ?? [])].reverse().flatMap(pemCertificates);
  if (fields.notBefore && fields.notAfter) {
    return { certificatePem, chainPem, notBefore: fields.notBefore, notAfter: fields.notAfter };
  }
  // showValidityPeriod was ignored: read the dates from the certificate itself.
  const x509 = new X509Certificate(certificatePem);
  return { certificatePem, chainPem, notBefore: new Date(x509.validFrom), notAfter: new Date(x509.validTo) };
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/**
 * PEM certificates from a CollectSSL value: bare base64 DER (the documented form), PEM, or
 * base64 of PEM text (which another Sectigo client guards against). Each result is checked to be an X.509 certificate.
 */
function pemCertificates(value: string): string[] {
  const source = value.includes("-----BEGIN") ? value : base64Text(value);
  const bodies = source.includes("-----BEGIN")
    ? [...source.matchAll(PEM_BLOCK)].map((match) => match[1] ?? "")
    : [value];
  return bodies.map((body) => {
    const pem = wrapPem(body.replace(/\s+/g, ""));
    try {
      new X509Certificate(pem);
    } catch {
      throw new UnreadableCollectAnswer("a certificate field is not an X.509 certificate");
    }
    return pem;
  });
}

function base64Text(value: string): string {
  return Buffer.from(value.replace(/\s+/g, ""), "base64").toString("latin1");
}

function wrapPem(base64: string): string {
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}
