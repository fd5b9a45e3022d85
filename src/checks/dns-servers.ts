import { isIPv4, isIPv6 } from "node:net";

const EXAMPLE =
  "write IPv4 addresses with an optional port (1.1.1.1, 127.0.0.1:5353) and IPv6 ones in brackets ([2606:4700::1111]:53)";

/**
 * Parses DNS_SERVERS ("1.1.1.1, 127.0.0.1:5353") into the form node's dns Resolver.setServers takes;
 * throws Error with a clear message on a bad entry. Names are refused: a resolver needs addresses.
 */
export function parseDnsServers(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .filter((entry) => entry !== "")
    .map(parseDnsServer);
}

function parseDnsServer(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::([^:]*))?$/.exec(entry);
  if (bracketed) {
    const [, address = "", port] = bracketed;
    if (!isIPv6(address)) throw badEntry(entry, `"${address}" is not an IPv6 address`);
    return port === undefined ? address : `[${address}]:${checkedPort(entry, port)}`;
  }
  if (isIPv4(entry) || isIPv6(entry)) return entry;
  const withPort = /^([^:]+):([^:]*)$/.exec(entry);
  if (withPort && isIPv4(withPort[1] ?? "")) return `${withPort[1]}:${checkedPort(entry, withPort[2] ?? "")}`;
  throw badEntry(entry, "it is not an IP address");
}

function checkedPort(entry: string, port: string): number {
  const value = /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN;
  if (!(value >= 1 && value <= 65535)) throw badEntry(entry, `"${port}" is not a port from 1 to 65535`);
  return value;
}

function badEntry(entry: string, why: string): Error {
  return new Error(`DNS_SERVERS: "${entry}" is not a resolver address (${why}); ${EXAMPLE}`);
}
