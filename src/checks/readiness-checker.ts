import type { Finding, ReadinessCheck, ReadinessTarget } from "../domain/readiness.js";
import { checkCaa } from "./caa.js";
import type { Check, CheckContext } from "./context.js";
import { DnsLookup, seconds } from "./dns-lookup.js";
import { checkDnsRecord } from "./dns-record.js";
import { checkHttpFile } from "./http-file.js";
import { checkMx } from "./mx.js";
import { checkResolves } from "./resolves.js";

export { parseDnsServers } from "./dns-servers.js";

export interface ReadinessCheckerOptions {
  /** DNS_SERVERS: "ip[:port]" resolvers (IPv4; IPv6 as [addr]:port); empty/undefined = the system's. */
  dnsServers?: string[];
  /** Every DNS query and HTTP request gives up after this (default 5000 ms). */
  timeoutMs?: number;
  /** The port HTTP-file checks connect to (default 80; tests use a local server on another port). */
  httpPort?: number;
}

export interface ReadinessChecker {
  check(targets: ReadinessTarget[]): Promise<Finding[]>;
}

const DEFAULT_TIMEOUT_MS = 5000;

/**
 * How long past the deadline a check may take before the runner stops waiting for it. Every
 * query and request already ends at the deadline; this only guards against one that does not.
 */
const STRAGGLER_GRACE_MS = 1000;

/** The checks in the order a reader wants them: does the name exist, may the CA issue, is the proof there. */
const CHECKS: [ReadinessCheck, Check][] = [
  ["resolves", checkResolves],
  ["caa", checkCaa],
  ["dns_record", checkDnsRecord],
  ["http_file", checkHttpFile],
  ["mx", checkMx],
];

export function createReadinessChecker(options: ReadinessCheckerOptions = {}): ReadinessChecker {
  const servers = options.dnsServers ?? [];
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const httpPort = options.httpPort ?? 80;
  // A bad server list is configuration, not network trouble: say so now rather than on every check.
  DnsLookup.validateServers(servers);

  return {
    async check(targets) {
      // c-ares waits up to about twice its own timeout, so the run's deadline is ours: at
      // timeoutMs every pending query is cancelled and every request aborted.
      const dns = new DnsLookup(servers, timeoutMs);
      const deadline = new AbortController();
      const timer = setTimeout(() => {
        deadline.abort(new Error(`no answer within ${seconds(timeoutMs)}`));
        dns.cancel();
      }, timeoutMs);
      const context: CheckContext = { dns, timeoutMs, httpPort, signal: deadline.signal };
      try {
        const perTarget = await Promise.all(
          distinctTargets(targets).map((target) => checkTarget(target, context)),
        );
        return perTarget.flat();
      } finally {
        clearTimeout(timer);
        dns.cancel();
      }
    },
  };
}

/** One finding per (domain, check): a domain listed twice is looked at once. */
function distinctTargets(targets: ReadinessTarget[]): ReadinessTarget[] {
  const seen = new Set<string>();
  return targets.filter((target) => {
    const key = target.domain.trim().toLowerCase().replace(/\.$/, "");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function checkTarget(target: ReadinessTarget, context: CheckContext): Promise<Finding[]> {
  const findings = await Promise.all(
    CHECKS.map(async ([name, check]): Promise<Finding | undefined> => {
      const verdict = await guarded(check, target, context);
      return verdict && { domain: target.domain, check: name, ...verdict };
    }),
  );
  return findings.filter((finding) => finding !== undefined);
}

/** A check that throws or outlives the deadline still ends as a finding, never as an error. */
async function guarded(check: Check, target: ReadinessTarget, context: CheckContext) {
  let timer: NodeJS.Timeout | undefined;
  const straggler = new Promise<Awaited<ReturnType<Check>>>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          severity: "warning",
          text: `The check got no answer within ${seconds(context.timeoutMs)}: run it again, and if it keeps happening look at the domain's name servers and web server.`,
          seen: "timeout",
        }),
      context.timeoutMs + STRAGGLER_GRACE_MS,
    );
  });
  try {
    return await Promise.race([check(target, context), straggler]);
  } catch (error) {
    return {
      severity: "warning" as const,
      text: `The check could not run (${error instanceof Error ? error.message : String(error)}): run it again, and report it if it keeps failing.`,
    };
  } finally {
    clearTimeout(timer);
  }
}
