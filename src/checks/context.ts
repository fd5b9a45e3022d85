import type { Finding, ReadinessTarget } from "../domain/readiness.js";
import type { DnsLookup } from "./dns-lookup.js";

/** What every check gets: one run's resolver, its time budget, and the deadline's signal. */
export interface CheckContext {
  dns: DnsLookup;
  timeoutMs: number;
  httpPort: number;
  /** Aborted when the run's time is up; DNS queries are cancelled at the same moment. */
  signal: AbortSignal;
}

/** A check's answer about one target; the runner adds the domain and the check's name. */
export type Verdict = Pick<Finding, "severity" | "text" | "seen">;

/** A check's answer, or undefined when it does not apply to the target (e.g. MX for DNS validation). */
export type Check = (target: ReadinessTarget, context: CheckContext) => Promise<Verdict | undefined>;
