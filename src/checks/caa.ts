import type { CaaRecord } from "node:dns";
import type { DcvMethod } from "../domain/dcv.js";
import type { ReadinessTarget } from "../domain/readiness.js";
import type { Check, CheckContext, Verdict } from "./context.js";
import { failureClause, isWildcard, lookupName } from "./dns-lookup.js";

/** `caa`: whether the domain's CAA records (RFC 8659) let one of the provider's CAs issue. */
export const checkCaa: Check = async (target, context) => {
  const name = lookupName(target.domain);
  const found = await relevantRecordSet(name, context);
  if (found.kind === "failed") return found.verdict;
  if (found.kind === "none") {
    return { severity: "ok", text: `No CAA record on ${name} or its parents: any CA may issue.` };
  }
  return judgeRecordSet(target, found.owner, found.records.map(toProperty));
};

/** One CAA property as RFC 8659 §4.1 has it; tags compare case-insensitively. */
export interface CaaProperty {
  critical: boolean;
  tag: string;
  value: string;
}

/** An issue/issuewild value parsed per RFC 8659 §4.2. */
export interface IssueValue {
  raw: string;
  /** Lower case; null when the value names no CA (";") or does not parse, which authorises none. */
  issuer: string | null;
  parameters: Map<string, string>;
}

/** The tags RFC 8659 and its extensions define; a critical property with any other tag stops issuance. */
const KNOWN_TAGS = new Set(["issue", "issuewild", "iodef", "issuemail", "issuevmc"]);

/**
 * How a CAA `validationmethods` label (RFC 8657) is read for certdesk's methods: the ACME labels
 * dns-01 and http-01, plus CA-specific names that start the same way (dns-…, http-…); for e-mail any
 * label starting with "email". Anything else is taken as not allowing the method.
 */
export function caaLabelAllows(method: DcvMethod, label: string): boolean {
  const normalised = label.trim().toLowerCase();
  switch (method) {
    case "dns":
      return normalised.startsWith("dns-");
    case "http":
      return normalised.startsWith("http-");
    case "email":
      return normalised.startsWith("email");
  }
}

const METHOD_NAMES: Record<DcvMethod, string> = { dns: "DNS", http: "HTTP", email: "e-mail" };
const METHOD_LABELS: Record<DcvMethod, string> = { dns: "dns-01", http: "http-01", email: "email" };

type RecordSetSearch =
  | { kind: "found"; owner: string; records: CaaRecord[] }
  | { kind: "none" }
  | { kind: "failed"; verdict: Verdict };

/**
 * RFC 8659 §3: the relevant record set is the first non-empty one climbing from the name towards
 * the root. The walk stops at the last two labels (a TLD carries no CAA worth asking about).
 */
async function relevantRecordSet(name: string, context: CheckContext): Promise<RecordSetSearch> {
  const labels = name.split(".");
  for (let start = 0; labels.length - start >= 2; start++) {
    const owner = labels.slice(start).join(".");
    const outcome = await context.dns.caa(owner);
    switch (outcome.kind) {
      case "answer":
        return { kind: "found", owner, records: outcome.records };
      case "nxdomain":
      case "nodata":
        continue;
      default:
        return {
          kind: "failed",
          verdict: {
            severity: "warning",
            text: `The CAA lookup for ${owner} ${failureClause(outcome, context.timeoutMs)}, and a CA that cannot read CAA refuses to issue: make sure the name servers answer CAA queries, then run the check again.`,
            seen: outcome.kind === "failed" ? outcome.code : outcome.kind.toUpperCase(),
          },
        };
    }
  }
  return { kind: "none" };
}

function toProperty(record: CaaRecord): CaaProperty {
  const [tag = "", value = ""] =
    Object.entries(record).find(([key, entry]) => key !== "critical" && typeof entry === "string") ?? [];
  // The flags byte: bit 0 in RFC numbering is the most significant bit, the "issuer critical" flag.
  return { critical: (record.critical & 0x80) !== 0, tag: tag.toLowerCase(), value: String(value) };
}

export function judgeRecordSet(target: ReadinessTarget, owner: string, properties: CaaProperty[]): Verdict {
  const unknownCritical = properties.find((property) => property.critical && !KNOWN_TAGS.has(property.tag));
  if (unknownCritical) {
    return {
      severity: "problem",
      text: `CAA at ${owner} has a property "${unknownCritical.tag}" marked critical that no CA knows, and RFC 8659 says a CA must then not issue: remove that record or clear its critical flag.`,
      seen: `128 ${unknownCritical.tag} "${unknownCritical.value}"`,
    };
  }

  // RFC 8659 §4.3: for a wildcard, issuewild properties (when there are any) replace issue ones.
  const wildcardProperties = properties.filter((property) => property.tag === "issuewild");
  const tag = isWildcard(target.domain) && wildcardProperties.length > 0 ? "issuewild" : "issue";
  const values = properties
    .filter((property) => property.tag === tag)
    .map((property) => parseIssueValue(property.value));
  if (values.length === 0) {
    return {
      severity: "ok",
      text: `CAA at ${owner} has no issue property, so it does not restrict which CA may issue.`,
    };
  }

  const identifiers = new Set(target.caIdentifiers.map((identifier) => identifier.trim().toLowerCase()));
  const matching = values.filter((value) => value.issuer !== null && identifiers.has(value.issuer));
  if (matching.length === 0) return notAllowed(target, owner, tag, values);
  return allowed(target, owner, tag, bestMatch(target.method, matching));
}

/** Any matching value authorises; prefer one that does not limit the method, to judge the best case. */
function bestMatch(method: DcvMethod, matching: IssueValue[]): IssueValue {
  const permitsMethod = (value: IssueValue) => {
    const methods = value.parameters.get("validationmethods");
    return methods === undefined || methods.split(",").some((label) => caaLabelAllows(method, label));
  };
  return (
    matching.find((value) => value.parameters.size === 0) ??
    matching.find(permitsMethod) ??
    (matching[0] as IssueValue)
  );
}

function allowed(target: ReadinessTarget, owner: string, tag: string, value: IssueValue): Verdict {
  const limits: string[] = [];
  const account = value.parameters.get("accounturi");
  if (account !== undefined) limits.push(`only for account ${account}`);
  const methods = value.parameters.get("validationmethods");
  if (methods !== undefined) limits.push(`only by validation methods ${methods}`);
  const base = `CAA at ${owner} allows ${value.issuer} (${tag} "${value.raw}")`;

  if (methods !== undefined && !methods.split(",").some((label) => caaLabelAllows(target.method, label))) {
    return {
      severity: "warning",
      text: `${base}, ${limits.join(" and ")}, which does not include ${METHOD_NAMES[target.method]} validation: validate by one of those methods or add ${METHOD_LABELS[target.method]} to the record's validationmethods.`,
      seen: value.raw,
    };
  }
  return { severity: "ok", text: limits.length > 0 ? `${base}, ${limits.join(" and ")}.` : `${base}.` };
}

function notAllowed(target: ReadinessTarget, owner: string, tag: string, values: IssueValue[]): Verdict {
  const issuers = values.flatMap((value) => (value.issuer === null ? [] : [value.issuer]));
  const ca = target.caIdentifiers[0]?.trim().toLowerCase() ?? "the CA's domain";
  const what = issuers.length === 0 ? "forbids every CA" : `allows only ${[...new Set(issuers)].join(", ")}`;
  return {
    severity: "problem",
    text: `CAA at ${owner} ${what}, not ${target.caIdentifiers.join(" or ") || "this provider's CA"}: add ${owner} CAA 0 ${tag} "${ca}" before ordering.`,
    seen: values.map((value) => `${tag} "${value.raw}"`).join(", "),
  };
}

const DOMAIN_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const PARAMETER = /^([a-z0-9](?:-*[a-z0-9])*)\s*=\s*([\x21-\x3a\x3c-\x7e]*)$/i;

/**
 * RFC 8659 §4.2: `issuer-domain-name [; tag=value]*`. A value that does not parse authorises no CA,
 * as the RFC requires, so it reads the same as an empty issuer.
 */
export function parseIssueValue(raw: string): IssueValue {
  const [issuerPart = "", ...parameterParts] = raw.split(";");
  const issuer = issuerPart.trim().toLowerCase();
  const parameters = new Map<string, string>();
  let wellFormed = issuer === "" || DOMAIN_NAME.test(issuer);
  for (const part of parameterParts) {
    const text = part.trim();
    if (text === "") continue;
    const match = PARAMETER.exec(text);
    if (!match) {
      wellFormed = false;
      continue;
    }
    parameters.set((match[1] ?? "").toLowerCase(), match[2] ?? "");
  }
  return { raw: raw.trim(), issuer: wellFormed && issuer !== "" ? issuer : null, parameters };
}
