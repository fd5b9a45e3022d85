import { Agent } from "node:https";
import { rootCertificates } from "node:tls";
import type acme from "acme-client";
import type { AxiosAdapter } from "axios";
import axios from "../../axios.js";

/**
 * How certdesk talks to one ACME directory: acme-client for the protocol (JWS, nonces, EAB), with
 * what it lacks added here. acme-client sends every request through one shared axios instance, so
 * this wraps each client's HttpClient.request to give it the directory's own TLS trust
 * (ACME_CA_BUNDLE, for a private or test CA) and a time limit, per client rather than per process.
 */
export interface AcmeConnection {
  directoryUrl: string;
  /** PEM of the CA(s) trusted for the directory's TLS, besides the system's. */
  caBundlePem?: string;
  externalAccountBinding?: { kid: string; hmacKey: string };
  /** A request's time limit; Sectigo's ACME takes up to a minute to answer. */
  timeoutMs: number;
}

/**
 * acme-client, loaded when an ACME session is first opened rather than with the app: with its
 * crypto libraries (@peculiar/x509, tsyringe, node-forge's copy) it is ~9 MB of heap that a
 * certdesk without SSL_PROVIDERS=acme never uses (bench/idle-rss.ts). Node keeps the module once
 * loaded; the setting below is the same each time.
 */
async function loadAcmeClient(): Promise<typeof acme> {
  const { default: client } = await import("acme-client");
  // acme-client retries a failed request up to 5 times, waiting 5 s more each time (75 s in all),
  // inside a person's click or a poll. certdesk retries at its own level instead (the poller asks
  // again on its next run; a person clicks again), so a failure is reported at once. This setting
  // lives on acme-client's own axios instance, which nothing else in certdesk uses.
  const axiosDefaults = client.axios.defaults as unknown as { acmeSettings: Record<string, unknown> };
  axiosDefaults.acmeSettings = { ...axiosDefaults.acmeSettings, retryMaxAttempts: 0 };
  return client;
}

// acme-client 5.4.0's response interceptor reads `error.response.config` when a request fails with
// no response at all (refused, timed out, TLS refused, DNS), so every such failure came out as a
// TypeError ("Cannot read properties of undefined"), its code lost: an unreachable CA then read as
// a refused account. The interceptor hands on untouched an error without `config`; this adapter
// drops `config` from those errors only, so the network error (ECONNREFUSED…) reaches certdesk.
const httpAdapter = axios.getAdapter("http");
const networkErrorsIntact: AxiosAdapter = async (config) => {
  try {
    return await httpAdapter(config);
  } catch (error) {
    if (error && typeof error === "object" && !("response" in error && error.response)) {
      (error as { config?: unknown }).config = undefined;
    }
    throw error;
  }
};

/** The parts of acme-client's Client that its type definitions leave out. */
interface ClientInternals {
  http: {
    request(url: string, method: string, options?: Record<string, unknown>): Promise<AxiosLikeResponse>;
    getDirectory(): Promise<AcmeDirectory>;
  };
}

export interface AxiosLikeResponse {
  status: number;
  headers: Record<string, string | undefined>;
  data: unknown;
}

/** RFC 8555 §7.1.1, with RFC 9773's renewalInfo and the profiles extension (draft-aaron-acme-profiles). */
export interface AcmeDirectory {
  newOrder?: string;
  renewalInfo?: string;
  meta?: { profiles?: Record<string, string>; externalAccountRequired?: boolean; website?: string };
}

export interface AcmeSession {
  client: acme.Client;
  directory(): Promise<AcmeDirectory>;
  /** An unsigned GET (RFC 9773 renewalInfo), with the same trust and time limit. */
  get(url: string): Promise<AxiosLikeResponse>;
  /**
   * The last problem document the CA answered (status and RFC 8555 type): acme-client throws a plain
   * Error with the detail only, so this is how certdesk tells a rate limit from a refused name.
   * Calls sharing a session may interleave; it is a hint for wording, never a decision on money.
   */
  lastProblem(): { status: number; type?: string } | undefined;
}

export async function openAcmeSession(
  connection: AcmeConnection,
  account: { key: string; url?: string },
): Promise<AcmeSession> {
  const acmeClient = await loadAcmeClient();
  const client = new acmeClient.Client({
    directoryUrl: connection.directoryUrl,
    accountKey: account.key,
    ...(account.url ? { accountUrl: account.url } : {}),
    ...(connection.externalAccountBinding
      ? { externalAccountBinding: connection.externalAccountBinding }
      : {}),
  });
  const http = (client as unknown as ClientInternals).http;
  const agent = connection.caBundlePem ? agentFor(connection.caBundlePem) : undefined;
  const request = http.request.bind(http);
  let problem: { status: number; type?: string } | undefined;
  http.request = async (url, method, options = {}) => {
    const response = await request(url, method, {
      ...options,
      timeout: connection.timeoutMs,
      adapter: networkErrorsIntact,
      ...(agent ? { httpsAgent: agent } : {}),
    });
    const type = (response.data as { type?: unknown } | null)?.type;
    // badNonce is retried by acme-client itself; anything else at 4xx/5xx is what a failure meant.
    if (response.status >= 400 && type !== "urn:ietf:params:acme:error:badNonce") {
      problem = { status: response.status, ...(typeof type === "string" ? { type } : {}) };
    }
    return response;
  };
  return {
    client,
    directory: () => http.getDirectory(),
    get: (url) => http.request(url, "get"),
    lastProblem: () => problem,
  };
}

/** The bundle trusted beside node:tls's Mozilla roots (a bundle adds, it does not replace). */
function agentFor(caBundlePem: string): Agent {
  return new Agent({ ca: [...rootCertificates, caBundlePem] });
}
