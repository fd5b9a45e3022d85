import type { Check } from "./context.js";
import { failureClause } from "./dns-lookup.js";

/**
 * `dns_record`: the CNAME or TXT record of a DNS validation is at its name with the expected value.
 * Only what is at that exact name counts: the CA looks nowhere else.
 */
export const checkDnsRecord: Check = async (target, context) => {
  const record = target.instruction?.dnsRecord;
  if (target.method !== "dns" || !record) return undefined;

  const name = withoutFinalDot(record.name.trim());
  const expected = record.value.trim();
  const outcome = record.type === "CNAME" ? await context.dns.cname(name) : await context.dns.txt(name);
  const wanted = `${record.type} ${name} → ${expected}`;

  switch (outcome.kind) {
    case "nxdomain":
    case "nodata":
      return {
        severity: "problem",
        text: `The ${record.type} record at ${name} is not published yet: add ${wanted}.`,
      };
    case "servfail":
    case "timeout":
    case "failed":
      return {
        severity: outcome.kind === "servfail" ? "problem" : "warning",
        text: `The ${record.type} lookup for ${name} ${failureClause(outcome, context.timeoutMs)}, so the CA cannot see the record either: fix the name servers, then run the check again.`,
        seen: outcome.kind === "failed" ? outcome.code : outcome.kind.toUpperCase(),
      };
    case "answer": {
      const matches = (seen: string) =>
        record.type === "CNAME"
          ? withoutFinalDot(seen.trim()).toLowerCase() === withoutFinalDot(expected).toLowerCase()
          : seen.trim() === expected;
      if (outcome.records.some(matches)) {
        return {
          severity: "ok",
          text: `The ${record.type} record at ${name} is in place with the expected value.`,
        };
      }
      return {
        severity: "problem",
        text: `The ${record.type} record at ${name} has a different value: change it to ${expected}.`,
        seen: outcome.records.join(", ").slice(0, 200),
      };
    }
  }
};

function withoutFinalDot(name: string): string {
  return name.replace(/\.$/, "");
}
