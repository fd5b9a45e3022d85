import type { ReadinessTarget } from "../domain/readiness.js";
import type { Check, CheckContext, Verdict } from "./context.js";
import { type DnsOutcome, failureClause, isWildcard, lookupName, seconds } from "./dns-lookup.js";

/** `resolves`: the name (a wildcard's base) has an address, or at least exists for DNS validation. */
export const checkResolves: Check = async (target, context) => {
  const name = lookupName(target.domain);
  // resolve4/resolve6 follow a CNAME chain to the addresses, as the CA's resolver does.
  const [a, aaaa] = await Promise.all([context.dns.a(name), context.dns.aaaa(name)]);
  return verdict(target, describeName(target), [a, aaaa], context);
};

function verdict(
  target: ReadinessTarget,
  subject: string,
  outcomes: DnsOutcome<string>[],
  context: CheckContext,
): Verdict {
  const kinds = new Set(outcomes.map((outcome) => outcome.kind));
  const addresses = outcomes.flatMap((outcome) => (outcome.kind === "answer" ? outcome.records : []));

  // One record type failing while the other answers is a name server fault more than DNSSEC, but a
  // CA asking for both (Let's Encrypt asks for AAAA first) may still give up on it.
  if (kinds.has("servfail") && addresses.length > 0) {
    return {
      severity: "warning",
      text: `${subject} resolves to ${listed(addresses)}, but one of its address look-ups (A or AAAA) answers SERVFAIL: a CA that asks for both may fail validation, so have its name servers fixed.`,
      seen: "SERVFAIL",
    };
  }
  if (kinds.has("servfail")) {
    return {
      severity: "problem",
      text: `${subject} answers SERVFAIL, which is how a broken DNSSEC chain shows, and since 15 March 2026 a DNSSEC failure blocks issuance: have the DS record at the registrar match the zone's keys (or remove it), or fix the name servers.`,
      seen: "SERVFAIL",
    };
  }
  if (kinds.has("nxdomain")) {
    return {
      severity: "problem",
      text: `${subject} does not exist in DNS (NXDOMAIN): check the spelling, or add the name to its zone before the CA validates it.`,
      seen: "NXDOMAIN",
    };
  }
  if (addresses.length > 0) {
    return { severity: "ok", text: `${subject} resolves to ${listed(addresses)}.` };
  }
  if (kinds.has("timeout")) {
    return {
      severity: "warning",
      text: `${subject} got no DNS answer within ${seconds(context.timeoutMs)}: check that its name servers answer, then run the check again.`,
    };
  }
  const failed = outcomes.find((outcome) => outcome.kind === "failed");
  if (failed?.kind === "failed") {
    return {
      severity: "warning",
      text: `The address lookup for ${subject} ${failureClause(failed, context.timeoutMs)}: check its name servers, then run the check again.`,
      seen: failed.code,
    };
  }
  return noAddress(target, subject);
}

/** NODATA for both A and AAAA: whether that matters depends on how the CA will validate. */
function noAddress(target: ReadinessTarget, subject: string): Verdict {
  switch (target.method) {
    case "dns":
      return {
        severity: "ok",
        text: `${subject} exists but has no A or AAAA record, which is fine for DNS validation.`,
      };
    case "http":
      return {
        severity: "problem",
        text: `${subject} has no A or AAAA record, so the CA has nothing to connect to for HTTP validation: point it at the web server, or validate by DNS instead.`,
        seen: "no A or AAAA record",
      };
    case "email":
      return {
        severity: "warning",
        text: `${subject} exists but has no A or AAAA record: e-mail validation can still work, but nothing will serve the certificate until the name points at a server.`,
        seen: "no A or AAAA record",
      };
  }
}

function describeName(target: ReadinessTarget): string {
  const name = lookupName(target.domain);
  return isWildcard(target.domain) ? `${name} (the base of ${target.domain.trim()})` : name;
}

function listed(values: string[]): string {
  const shown = values.slice(0, 3).join(", ");
  return values.length > 3 ? `${shown} and ${values.length - 3} more` : shown;
}
