import { type CaaRecord, promises as dns, type MxRecord } from "node:dns";

/**
 * DNS answers as outcomes instead of exceptions: every check has to say something about NXDOMAIN,
 * NODATA, SERVFAIL and silence, and none of them may escape as an error.
 */
export type DnsOutcome<T> =
  | { kind: "answer"; records: T[] }
  /** NXDOMAIN: the name does not exist. */
  | { kind: "nxdomain" }
  /** NOERROR with no records of that type: the name exists, the type does not. */
  | { kind: "nodata" }
  /** SERVFAIL: what a validating resolver answers for a broken DNSSEC chain, or broken name servers. */
  | { kind: "servfail" }
  | { kind: "timeout" }
  /** Anything else (refused, bad response, no route): the code, for the text. */
  | { kind: "failed"; code: string };

export type DnsFailure = Exclude<
  DnsOutcome<never>,
  { kind: "answer" } | { kind: "nxdomain" } | { kind: "nodata" }
>;

/** One resolver per check() run, so a deadline can cancel exactly that run's queries. */
export class DnsLookup {
  private readonly resolver: dns.Resolver;

  constructor(servers: string[], timeoutMs: number) {
    this.resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
    if (servers.length > 0) this.resolver.setServers(servers);
  }

  /** Throws node's own error for an entry setServers refuses. */
  static validateServers(servers: string[]): void {
    if (servers.length > 0) new dns.Resolver().setServers(servers);
  }

  /** Ends every query still waiting: they come back as timeouts. */
  cancel(): void {
    this.resolver.cancel();
  }

  a(name: string): Promise<DnsOutcome<string>> {
    return outcome(this.resolver.resolve4(name));
  }

  aaaa(name: string): Promise<DnsOutcome<string>> {
    return outcome(this.resolver.resolve6(name));
  }

  cname(name: string): Promise<DnsOutcome<string>> {
    return outcome(this.resolver.resolveCname(name));
  }

  /** Each TXT record's character-strings joined, as a CA reads one record. */
  async txt(name: string): Promise<DnsOutcome<string>> {
    const result = await outcome(this.resolver.resolveTxt(name));
    return result.kind === "answer"
      ? { kind: "answer", records: result.records.map((chunks) => chunks.join("")) }
      : result;
  }

  mx(name: string): Promise<DnsOutcome<MxRecord>> {
    return outcome(this.resolver.resolveMx(name));
  }

  caa(name: string): Promise<DnsOutcome<CaaRecord>> {
    return outcome(this.resolver.resolveCaa(name));
  }
}

async function outcome<T>(query: Promise<T[]>): Promise<DnsOutcome<T>> {
  try {
    const records = await query;
    return records.length > 0 ? { kind: "answer", records } : { kind: "nodata" };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "EUNKNOWN";
    switch (code) {
      case "ENOTFOUND":
        return { kind: "nxdomain" };
      case "ENODATA":
        return { kind: "nodata" };
      case "ESERVFAIL":
        return { kind: "servfail" };
      // ECANCELLED is our own deadline (DnsLookup.cancel): to the reader it is the same silence.
      case "ETIMEOUT":
      case "ECANCELLED":
        return { kind: "timeout" };
      default:
        return { kind: "failed", code };
    }
  }
}

/** "5 s", "0.3 s": how long the checker waited, for texts. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** The end of a sentence about a failed lookup of `what`, ready to follow "The ... lookup". */
export function failureClause(failure: DnsFailure, timeoutMs: number): string {
  switch (failure.kind) {
    case "servfail":
      return "got SERVFAIL, which is how a broken DNSSEC chain shows (and since 15 March 2026 a DNSSEC failure blocks issuance)";
    case "timeout":
      return `got no DNS answer within ${seconds(timeoutMs)}`;
    case "failed":
      return `failed (${failure.code})`;
  }
}

/** The name a CA validates and looks up for a domain: a wildcard's base, lower case, no final dot. */
export function lookupName(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, "").replace(/^\*\./, "");
}

export function isWildcard(domain: string): boolean {
  return domain.trim().startsWith("*.");
}
