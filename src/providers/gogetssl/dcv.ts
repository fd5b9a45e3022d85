import type { DcvInstruction, DcvMethod } from "../../domain/dcv.js";
import type { ApproverMethod } from "./wire.js";

/** GoGetSSL's method words (and, per SAN, an approver address) in certdesk's vocabulary. */
export function dcvMethodFrom(value: string | undefined): DcvMethod | undefined {
  const word = value?.trim().toLowerCase();
  if (!word) return undefined;
  if (word === "email" || word.includes("@")) return "email";
  if (word === "http" || word === "https") return "http";
  if (word === "dns" || word === "cname") return "dns";
  return undefined;
}

/** "_abc.example.com CNAME def.comodoca.com" as GoGetSSL writes it. */
function parseDnsRecord(record: string | undefined): DcvInstruction["dnsRecord"] {
  const match = record?.trim().match(/^(\S+)\s+(?:IN\s+)?(CNAME|TXT)\s+(.+)$/i);
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { name: match[1], type: match[2].toUpperCase() as "CNAME" | "TXT", value: match[3].trim() };
}

/** What the customer must do for `domain`, from GoGetSSL's per-method details where it sent them. */
export function dcvInstruction(
  domain: string,
  method: DcvMethod,
  details: ApproverMethod | undefined,
  approverEmail?: string,
): DcvInstruction {
  const instruction: DcvInstruction = { domain, method };
  if (method === "email") {
    const email = details?.email?.email ?? approverEmail;
    if (email) instruction.email = email;
  }
  if (method === "http") {
    const http = details?.http ?? details?.https;
    const url =
      http?.link ??
      (http?.filename ? `http://${domain}/.well-known/pki-validation/${http.filename}` : undefined);
    if (url) instruction.httpUrl = url;
    if (http?.content) instruction.httpContent = http.content;
  }
  if (method === "dns") {
    const record = parseDnsRecord(details?.dns?.record);
    if (record) instruction.dnsRecord = record;
  }
  return instruction;
}

/** One line for the Status tab, or nothing when GoGetSSL sent no details yet. */
export function describeInstruction(instruction: DcvInstruction): string | undefined {
  const { domain } = instruction;
  if (instruction.email) return `${domain}: approval email sent to ${instruction.email}`;
  if (instruction.httpUrl) {
    const content = instruction.httpContent ? ` with the content "${instruction.httpContent}"` : "";
    return `${domain}: publish ${instruction.httpUrl}${content}`;
  }
  if (instruction.dnsRecord) {
    const { name, type, value } = instruction.dnsRecord;
    return `${domain}: create the DNS record ${name} ${type} ${value}`;
  }
  return undefined;
}
