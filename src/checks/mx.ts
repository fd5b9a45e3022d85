import type { Check } from "./context.js";
import { failureClause } from "./dns-lookup.js";

/** `mx`: the approver address's domain can receive mail, or the approval e-mail goes nowhere. */
export const checkMx: Check = async (target, context) => {
  const address = target.approverEmail?.trim();
  if (target.method !== "email" || !address) return undefined;

  const at = address.lastIndexOf("@");
  const domain =
    at > 0
      ? address
          .slice(at + 1)
          .toLowerCase()
          .replace(/\.$/, "")
      : "";
  if (domain === "") {
    return {
      severity: "problem",
      text: `The approver address ${address} is not an e-mail address: choose one of the addresses the provider offers.`,
    };
  }

  const outcome = await context.dns.mx(domain);
  switch (outcome.kind) {
    case "nxdomain":
    case "nodata":
      return {
        severity: "problem",
        text: `${domain} has no MX record, so the approval e-mail to ${address} cannot arrive: add an MX record or choose another approver address.`,
      };
    case "servfail":
    case "timeout":
    case "failed":
      return {
        severity: "warning",
        text: `The MX lookup for ${domain} ${failureClause(outcome, context.timeoutMs)}, so the approval e-mail to ${address} may not arrive: check the domain's name servers.`,
        seen: outcome.kind === "failed" ? outcome.code : outcome.kind.toUpperCase(),
      };
    case "answer": {
      const exchanges = [...outcome.records]
        .sort((left, right) => left.priority - right.priority)
        .map((record) => record.exchange.replace(/\.$/, ""));
      // RFC 7505 "null MX": a single MX of "." says the domain accepts no mail at all.
      if (exchanges.every((exchange) => exchange === "")) {
        return {
          severity: "problem",
          text: `${domain} publishes a null MX record (it accepts no e-mail), so the approval e-mail to ${address} cannot arrive: choose another approver address.`,
          seen: 'MX 0 "."',
        };
      }
      return {
        severity: "ok",
        text: `${domain} has MX records (${exchanges.filter(Boolean).slice(0, 3).join(", ")}), so the approval e-mail to ${address} can arrive.`,
      };
    }
  }
};
