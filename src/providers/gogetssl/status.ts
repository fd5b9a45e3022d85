import { X509Certificate } from "node:crypto";
import type { DcvInstruction, DomainValidationState } from "../../domain/dcv.js";
import { ProviderUnavailableError } from "../errors.js";
import type { IssuedCertificate, ProviderOrderStatus, StatusResult } from "../types.js";
import { dcvInstruction, dcvMethodFrom, describeInstruction } from "./dcv.js";
import type { OrderStatusResponse, SanEntry } from "./wire.js";

/** Every other GoGetSSL status (new_order, pending, processing, incomplete, unpaid, reissue) is pending. */
const FINAL_STATUSES: Readonly<Record<string, ProviderOrderStatus>> = {
  active: "issued",
  cancelled: "cancelled",
  canceled: "cancelled",
  // A revoked certificate will never be issued again; waiting for it would poll forever.
  revoked: "cancelled",
  expired: "expired",
  rejected: "rejected",
};

/** certdesk's status for one of GoGetSSL's order status words. */
export function statusFromWord(word: string): ProviderOrderStatus {
  return FINAL_STATUSES[word.trim().toLowerCase()] ?? "pending";
}

const SAN_STATES: Readonly<Record<string, DomainValidationState>> = {
  "2": "validated",
  "1": "pending",
  "0": "pending",
};

type DomainState = StatusResult["domains"][number];

function domainState(reported: DomainValidationState, status: ProviderOrderStatus): DomainValidationState {
  if (status === "issued" || reported === "validated") return "validated";
  return status === "rejected" ? "failed" : reported;
}

function mainDomain(response: OrderStatusResponse, status: ProviderOrderStatus): DomainState | undefined {
  if (!response.domain) return undefined;
  const method = dcvMethodFrom(response.dcv_method);
  const reported = response.dcv_status === "2" ? "validated" : "pending";
  return { domain: response.domain, ...(method ? { method } : {}), state: domainState(reported, status) };
}

function sanState(san: SanEntry, status: ProviderOrderStatus): DomainState {
  const method = dcvMethodFrom(san.validation_method);
  const reported = (san.status === undefined ? undefined : SAN_STATES[san.status]) ?? "unknown";
  return { domain: san.san_name, ...(method ? { method } : {}), state: domainState(reported, status) };
}

/** What is still to be done for the domains not yet validated. */
function outstandingInstructions(response: OrderStatusResponse): DcvInstruction[] {
  const instructions: DcvInstruction[] = [];
  const method = dcvMethodFrom(response.dcv_method);
  if (response.domain && method && response.dcv_status !== "2") {
    instructions.push(
      dcvInstruction(response.domain, method, response.approver_method, response.approver_email),
    );
  }
  for (const san of response.san ?? []) {
    const sanMethod = dcvMethodFrom(san.validation_method);
    if (!sanMethod || san.status === "2") continue;
    const address = san.validation_method?.includes("@") ? san.validation_method : undefined;
    const details = san.validation ?? response.approver_method;
    instructions.push(dcvInstruction(san.san_name, sanMethod, details, address));
  }
  return instructions;
}

function detailLines(response: OrderStatusResponse, status: ProviderOrderStatus): string[] {
  const description = response.status_description ? ` (${response.status_description})` : "";
  const lines = [`GoGetSSL status: ${response.status}${description}`];
  if (response.dcv_status) lines.push(`Domain validation status: ${response.dcv_status}`);
  if (response.validation_description) lines.push(response.validation_description);
  if (response.manual_check) {
    lines.push("The CA is checking the order by hand (brand validation); this can take a few working days.");
  }
  if (response.pre_signing) {
    lines.push("The order waits in the CA's pre-signing queue; issuance is delayed on the CA's side.");
  }
  if (status === "pending") {
    for (const instruction of outstandingInstructions(response)) {
      const line = describeInstruction(instruction);
      if (line) lines.push(line);
    }
  }
  for (const san of response.san ?? []) {
    if (san.status_description) lines.push(`${san.san_name}: ${san.status_description}`);
  }
  return lines;
}

function domainStates(response: OrderStatusResponse, status: ProviderOrderStatus): DomainState[] {
  const main = mainDomain(response, status);
  const sans = (response.san ?? [])
    .filter((san) => san.san_name !== response.domain)
    .map((san) => sanState(san, status));
  return main ? [main, ...sans] : sans;
}

export function toStatusResult(orderId: string, response: OrderStatusResponse): StatusResult {
  const mapped = statusFromWord(response.status);
  if (mapped === "issued" && !response.crt_code) {
    // "active" with no certificate attached yet: collecting it must wait for the next poll.
    return {
      status: "pending",
      detail: [
        ...detailLines(response, "pending"),
        "GoGetSSL marks the order active but has not attached the certificate yet.",
      ],
      domains: domainStates(response, "pending"),
    };
  }
  const result: StatusResult = {
    status: mapped,
    detail: detailLines(response, mapped),
    domains: domainStates(response, mapped),
  };
  if (mapped === "issued" && response.crt_code) {
    result.certificate = issuedCertificate({
      orderId,
      crtCode: response.crt_code,
      caCode: response.ca_code,
      validFrom: response.valid_from,
      validTill: response.valid_till,
    });
  }
  return result;
}

// The issued certificate and its chain, from `crt_code` and `ca_code`.

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function pemBlocks(text: string | undefined): string[] {
  return (text?.replace(/\r\n?/g, "\n").match(PEM_BLOCK) ?? []).map((block) => `${block}\n`);
}

function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

/**
 * GoGetSSL does not document the order inside `ca_code`; certdesk promises intermediates first and
 * the root last, so the chain is walked from the leaf's issuer upwards. Unrecognised certificates
 * keep their place at the end.
 */
function orderChain(leaf: X509Certificate | undefined, chainPems: string[]): string[] {
  const parsed = chainPems.map((pem) => ({ pem, cert: parseCertificate(pem) }));
  if (!leaf || parsed.some((entry) => !entry.cert)) return chainPems;
  const ordered: string[] = [];
  let remaining = parsed;
  let current = leaf;
  for (;;) {
    const issuer = remaining.find((entry) => entry.cert && current.checkIssued(entry.cert));
    if (!issuer?.cert) break;
    ordered.push(issuer.pem);
    remaining = remaining.filter((entry) => entry !== issuer);
    if (issuer.cert.checkIssued(issuer.cert)) break;
    current = issuer.cert;
  }
  return [...ordered, ...remaining.map((entry) => entry.pem)];
}

/** "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS", in UTC. */
function parseProviderDate(value: string | undefined): Date | undefined {
  const match = value?.match(/^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0));
  const date = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, second));
  return Number.isNaN(date.getTime()) || year === 0 ? undefined : date;
}

interface CertificateFields {
  orderId: string;
  crtCode: string;
  caCode: string | undefined;
  validFrom: string | undefined;
  validTill: string | undefined;
}

/** The issued certificate; its own validity wins over GoGetSSL's date fields. */
function issuedCertificate(fields: CertificateFields): IssuedCertificate {
  const [certificatePem] = pemBlocks(fields.crtCode);
  if (!certificatePem) {
    throw new ProviderUnavailableError(
      "gogetssl",
      `GoGetSSL reports order ${fields.orderId} as issued, but its crt_code is not a PEM certificate. ` +
        "Check the order in the GoGetSSL client area.",
    );
  }
  const leaf = parseCertificate(certificatePem);
  const notBefore = leaf ? new Date(leaf.validFrom) : parseProviderDate(fields.validFrom);
  const notAfter = leaf ? new Date(leaf.validTo) : parseProviderDate(fields.validTill);
  if (!notBefore || !notAfter || Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    throw new ProviderUnavailableError(
      "gogetssl",
      `GoGetSSL sent the certificate for order ${fields.orderId} without a readable validity period.`,
    );
  }
  return { certificatePem, chainPem: orderChain(leaf, pemBlocks(fields.caCode)), notBefore, notAfter };
}
