import { HOST_FETCH_TIMEOUT_MS } from "../domain/imported.js";
import { DnsLookup, type DnsOutcome, failureClause, seconds } from "./dns-lookup.js";
import { fetchServedCertificates } from "./tls-certificate.js";

/** Where the served-certificate probe looks: one of a certificate's names, on one port. */
export interface ServedTarget {
  name: string;
  port: number;
}

/** The certificates presented there (PEM, leaf first), or why there were none. */
export type ServedPems = { ok: true; address: string; pems: string[] } | { ok: false; message: string };

export interface ServedProber {
  look(target: ServedTarget): Promise<ServedPems>;
}

export interface ServedProberOptions {
  /** DNS_SERVERS: the resolvers "Will it issue?" uses (empty = the system's). */
  dnsServers: string[];
  /** The DNS look-up and the TLS handshake each give up after this (5 s by default). */
  timeoutMs?: number;
}

/**
 * Resolves the name with certdesk's resolver (DNS_SERVERS, as the validation checks do: the probe
 * looks from outside, like a browser), then one TLS handshake with its first IPv4 address (IPv6
 * when it has none), SNI naming the name. Never throws for network trouble.
 */
export function createServedProber(options: ServedProberOptions): ServedProber {
  const timeoutMs = options.timeoutMs ?? HOST_FETCH_TIMEOUT_MS;
  DnsLookup.validateServers(options.dnsServers);
  return {
    async look(target) {
      const resolved = await resolve(target.name, options.dnsServers, timeoutMs);
      if (!resolved.ok) return resolved;
      const fetched = await fetchServedCertificates(
        { host: target.name, port: target.port },
        { timeoutMs, address: resolved.address },
      );
      return fetched.ok
        ? { ok: true, address: resolved.address, pems: fetched.pems }
        : { ok: false, message: fetched.message };
    },
  };
}

async function resolve(
  name: string,
  servers: string[],
  timeoutMs: number,
): Promise<{ ok: true; address: string } | { ok: false; message: string }> {
  const dns = new DnsLookup(servers, timeoutMs);
  // c-ares may wait about twice its own time-out: the deadline is ours.
  const timer = setTimeout(() => dns.cancel(), timeoutMs);
  try {
    const v4 = await dns.a(name);
    if (v4.kind === "answer" && v4.records[0]) return { ok: true, address: v4.records[0] };
    const v6 = await dns.aaaa(name);
    if (v6.kind === "answer" && v6.records[0]) return { ok: true, address: v6.records[0] };
    return { ok: false, message: unresolvedText(name, v4, timeoutMs) };
  } finally {
    clearTimeout(timer);
    dns.cancel();
  }
}

function unresolvedText(name: string, outcome: DnsOutcome<string>, timeoutMs: number): string {
  switch (outcome.kind) {
    case "nxdomain":
      return `${name} does not exist in DNS (NXDOMAIN).`;
    case "answer":
    case "nodata":
      return `${name} has no A or AAAA record.`;
    case "timeout":
      return `The address look-up for ${name} got no DNS answer within ${seconds(timeoutMs)}.`;
    default:
      return `The address look-up for ${name} ${failureClause(outcome, timeoutMs)}.`;
  }
}
