import { BlockList, isIP, isIPv6 } from "node:net";
import type { Check, CheckContext, Verdict } from "./context.js";
import { failureClause, lookupName, seconds } from "./dns-lookup.js";
import { type HttpAnswer, httpGet } from "./http-get.js";

/** Let's Encrypt follows up to 10 redirects; the commercial CAs no more. */
export const MAX_REDIRECTS = 10;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * `http_file`: the validation file is served at its URL with the expected content, fetched the way
 * a CA does: plain http on port 80 first, then redirects followed by hand (http or https, ports 80
 * and 443 only), at most MAX_REDIRECTS of them.
 *
 * Tests point `httpPort` at a local server: the first request then goes to that port, and a
 * redirect to http on that same port is followed too (a real CA would refuse it).
 */
export const checkHttpFile: Check = async (target, context) => {
  const instruction = target.instruction;
  if (target.method !== "http" || !instruction?.httpUrl) return undefined;

  let given: URL;
  try {
    given = new URL(instruction.httpUrl, `http://${lookupName(target.domain)}/`);
  } catch {
    return {
      severity: "problem",
      text: `The provider's validation URL "${instruction.httpUrl}" is not a valid URL: ask the provider for the file's address.`,
    };
  }
  const expected =
    instruction.httpContent === undefined ? undefined : normaliseContent(instruction.httpContent);
  const portPart = context.httpPort === 80 ? "" : `:${context.httpPort}`;
  const first = new URL(`http://${given.hostname}${portPart}${given.pathname}${given.search}`);
  return followFrom(first, given.href, expected, context);
};

async function followFrom(
  first: URL,
  shown: string,
  expected: string | undefined,
  context: CheckContext,
): Promise<Verdict> {
  const visited: string[] = [];
  let url = first;
  for (;;) {
    visited.push(url.href);
    const addresses = await addressesOf(url, shown, context);
    if (!Array.isArray(addresses)) return addresses;

    let answer: HttpAnswer;
    try {
      answer = await httpGet(url, addresses, context.signal);
    } catch (error) {
      return connectionFailure(url, shown, error, context);
    }
    const via =
      visited.length > 1 ? ` (after ${plural(visited.length - 1, "redirect")}, at ${url.href})` : "";

    if (REDIRECT_STATUSES.has(answer.status)) {
      const next = answer.location === undefined ? undefined : safeUrl(answer.location, url);
      if (!next) {
        return {
          severity: "problem",
          text: `${shown} answers HTTP ${answer.status} without a usable Location${via}: serve the file directly instead of redirecting.`,
          seen: `HTTP ${answer.status} Location: ${answer.location ?? "(none)"}`,
        };
      }
      if (visited.includes(next.href)) {
        return {
          severity: "problem",
          text: `${shown} redirects in a loop, so the CA never reaches the file: serve it directly at that address without redirects.`,
          seen: [...visited, next.href].join(" → "),
        };
      }
      if (visited.length > MAX_REDIRECTS) {
        return {
          severity: "problem",
          text: `${shown} redirects more than ${MAX_REDIRECTS} times and the CA gives up after ${MAX_REDIRECTS}: serve the file directly, or with fewer redirects.`,
          seen: [...visited, next.href].join(" → "),
        };
      }
      if (!followsRedirectTo(next, context.httpPort)) {
        return {
          severity: "problem",
          text: `${shown} redirects to ${next.href}, which a CA does not follow (only http or https on ports 80 and 443): serve the file on port 80 or redirect to a standard port.`,
          seen: next.href,
        };
      }
      url = next;
      continue;
    }

    if (answer.status < 200 || answer.status > 299) {
      return {
        severity: "problem",
        text: `${shown} answers HTTP ${answer.status}${via}: put the validation file at that path with the content the provider gave.`,
        seen: `HTTP ${answer.status}`,
      };
    }
    const served = normaliseContent(answer.body);
    if (expected === undefined) {
      return {
        severity: "ok",
        text: `${shown} is served${via}, though certdesk has no expected content to compare.`,
      };
    }
    if (served !== expected) {
      return {
        severity: "problem",
        text: `${shown} serves different content than the provider expects${via}: replace the file's content with exactly what the provider gave.`,
        seen: served.slice(0, 200),
      };
    }
    return { severity: "ok", text: `${shown} serves the expected content${via}.` };
  }
}

/**
 * Addresses a CA on the internet could reach. certdesk never fetches from a private, loopback or
 * link-local address (169.254.169.254 is where clouds keep credentials): a client's DNS or redirect
 * must not make it read its own network and post the answer in Slack. A test set-up (another port
 * than 80, VALIDATION_CHECK_HTTP_PORT) talks to a local server and is exempt.
 */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["224.0.0.0", 3],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [
  ["::", 127],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["::ffff:0:0", 96],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, "ipv6");

function publicOnly(
  addresses: string[],
  host: string,
  shown: string,
  context: CheckContext,
): string[] | Verdict {
  if (context.httpPort !== 80) return addresses;
  const reachable = addresses.filter(
    (address) => !NOT_PUBLIC.check(address, isIPv6(address) ? "ipv6" : "ipv4"),
  );
  if (reachable.length > 0) return reachable;
  return {
    severity: "problem",
    text: `${host} points only to a private or local address, which a CA on the internet cannot reach, so ${shown} was not fetched: point it at the public web server, or validate by DNS instead.`,
    seen: addresses.join(", "),
  };
}

/** The URL's host resolved through the checker's DNS, or the verdict when it cannot be. */
async function addressesOf(url: URL, shown: string, context: CheckContext): Promise<string[] | Verdict> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host)) return publicOnly([host], host, shown, context);
  const [a, aaaa] = await Promise.all([context.dns.a(host), context.dns.aaaa(host)]);
  // A CA tries IPv6 first when there is an AAAA record.
  const addresses = [aaaa, a].flatMap((outcome) => (outcome.kind === "answer" ? outcome.records : []));
  if (addresses.length > 0) return publicOnly(addresses, host, shown, context);
  const failure = [a, aaaa].find((outcome) => outcome.kind === "servfail" || outcome.kind === "timeout");
  if (failure?.kind === "servfail" || failure?.kind === "timeout") {
    return {
      severity: failure.kind === "timeout" ? "warning" : "problem",
      text: `The address lookup for ${host} ${failureClause(failure, context.timeoutMs)}, so ${shown} could not be fetched: fix the name servers, then run the check again.`,
      seen: failure.kind.toUpperCase(),
    };
  }
  return {
    severity: "problem",
    text: `${host} has no A or AAAA record, so the CA has nowhere to fetch ${shown} from: point it at the web server, or validate by DNS instead.`,
    seen: "no A or AAAA record",
  };
}

function connectionFailure(url: URL, shown: string, error: unknown, context: CheckContext): Verdict {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  if (context.signal.aborted || code === "ABORT_ERR" || code === "AbortError" || code === "ETIMEDOUT") {
    return {
      severity: "warning",
      text: `${shown} gave no HTTP answer within ${seconds(context.timeoutMs)}: make sure port ${port} of ${url.hostname} is open to the whole internet, then run the check again.`,
      seen: "timeout",
    };
  }
  if (code === "ECONNREFUSED") {
    return {
      severity: "problem",
      text: `Nothing accepts connections on port ${port} of ${url.hostname} (connection refused), so the CA cannot fetch ${shown}: open port ${port} to the web server, or validate by DNS instead.`,
      seen: "connection refused",
    };
  }
  return {
    severity: "problem",
    text: `Fetching ${shown} from ${url.hostname} port ${port} failed (${code}): check the web server answers plain HTTP there.`,
    seen: String(code),
  };
}

/** Where a CA follows a redirect to; the test port stands in for 80 when the checker is pointed at one. */
function followsRedirectTo(url: URL, httpPort: number): boolean {
  if (url.protocol === "https:") return (url.port || "443") === "443";
  if (url.protocol !== "http:") return false;
  const port = Number(url.port || "80");
  return port === 80 || port === httpPort;
}

function safeUrl(location: string, base: URL): URL | undefined {
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

/** Editors and servers add CRLFs and trailing newlines; those are not what makes a file wrong. */
function normaliseContent(text: string): string {
  return text.replace(/\r\n?/g, "\n").trim();
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
