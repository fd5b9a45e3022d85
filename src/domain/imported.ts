/**
 * Certificates certdesk tracks but did not order (`/ssl import`, `npm run import-certs`). Each is an
 * issued order of the provider "external": the expiry scan, lists, Details and App Home cover it
 * like any order, and nothing asks a provider about it (it has no provider order id, and no
 * provider plug-in may take this id: providers/registry.ts refuses it).
 */
export const EXTERNAL_PROVIDER = "external";
export const EXTERNAL_PROVIDER_NAME = "External (imported)";
/** The product id imported orders carry; their product name says who issued the certificate. */
export const EXTERNAL_PRODUCT_ID = "external";

/** How long a host may take to complete the TLS handshake before the fetch gives up. */
export const HOST_FETCH_TIMEOUT_MS = 5_000;

export interface HostPort {
  host: string;
  port: number;
}

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/**
 * `host`, `host:port`, `[v6]:port` or a bare IP address (port 443 unless given); undefined when
 * the text is none of these. A URL is accepted for its host and port (people paste them).
 */
export function parseHostPort(text: string): HostPort | undefined {
  let rest = text.trim();
  const url = /^https?:\/\//i.test(rest) ? safeUrl(rest) : undefined;
  if (url) rest = url.port ? `${url.hostname}:${url.port}` : url.hostname;
  let host = rest;
  let port = 443;
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d+))?$/i.exec(rest);
  if (bracketed?.[1]) {
    host = bracketed[1];
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const [name = "", portText = ""] = rest.split(":");
    if (!/^\d{1,5}$/.test(portText)) return undefined;
    host = name;
    port = Number(portText);
  } else if (rest.includes(":") && !/^[0-9a-f:.]+$/i.test(rest)) {
    return undefined;
  }
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
  host = host.replace(/\.$/, "").toLowerCase();
  if (host.includes(":")) return /^[0-9a-f:.]+$/i.test(host) ? { host, port } : undefined;
  if (host.length === 0 || host.length > 253) return undefined;
  if (!host.split(".").every((label) => HOST_LABEL.test(label))) return undefined;
  return { host, port };
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

export function hostPortText({ host, port }: HostPort): string {
  const shown = host.includes(":") ? `[${host}]` : host;
  return port === 443 ? shown : `${shown}:${port}`;
}
