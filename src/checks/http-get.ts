import * as http from "node:http";
import * as https from "node:https";
import { isIPv6, type LookupFunction } from "node:net";

/** What one GET got, without following anything. */
export interface HttpAnswer {
  status: number;
  location?: string;
  /** The first MAX_BODY_BYTES of a 2xx body, as text; empty for other statuses. */
  body: string;
}

/** A validation file is a few lines; more than this is some other page and not worth reading. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * One GET of `url`, connecting to `addresses` (already resolved through the checker's own DNS, so
 * the answer is what the configured resolvers say rather than the host's) with the URL's host name
 * in the Host header and, for https, in SNI. Like a CA on a redirect to https, it does not check
 * the certificate: an invalid one does not stop validation. Rejects with node's network errors, or
 * with an AbortError when `signal` fires.
 */
export function httpGet(url: URL, addresses: string[], signal: AbortSignal): Promise<HttpAnswer> {
  const secure = url.protocol === "https:";
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return new Promise<HttpAnswer>((resolve, reject) => {
    const options: https.RequestOptions = {
      method: "GET",
      host: hostname,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers: { Host: hostname, "User-Agent": "certdesk-readiness-check", Accept: "*/*" },
      lookup: fixedLookup(addresses),
      agent: false,
      signal,
      ...(secure ? { rejectUnauthorized: false, servername: hostname } : {}),
    };
    const request = (secure ? https : http).request(options, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status < 200 || status > 299) {
        // Only the status and Location matter; a late socket error on the dropped body is noise.
        response.on("error", () => {});
        response.destroy();
        resolve({ status, location, body: "" });
        return;
      }
      readBody(response, signal).then((body) => resolve({ status, location, body }), reject);
    });
    request.on("error", reject);
    request.end();
  });
}

function readBody(response: http.IncomingMessage, signal: AbortSignal): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = () => {
      signal.removeEventListener("abort", onAbort);
      resolve(Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString("utf8"));
    };
    const onAbort = () =>
      response.destroy(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    response.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= MAX_BODY_BYTES) {
        response.destroy();
        finish();
      }
    });
    response.on("end", finish);
    response.on("error", (error) => {
      signal.removeEventListener("abort", onAbort);
      reject(error);
    });
  });
}

/** Hands node's connect the addresses we resolved, in the shape it asks for (one, or all). */
function fixedLookup(addresses: string[]): LookupFunction {
  return (_hostname, options, callback) => {
    const entries = addresses.map((address) => ({ address, family: isIPv6(address) ? 6 : 4 }));
    const wanted =
      options.family === 4 || options.family === 6
        ? entries.filter((entry) => entry.family === options.family)
        : entries;
    const first = wanted[0];
    if (!first) {
      const error: NodeJS.ErrnoException = new Error("no address of the family asked for");
      error.code = "ENOTFOUND";
      callback(error, "", 4);
    } else if (options.all) {
      callback(null, wanted);
    } else {
      callback(null, first.address, first.family);
    }
  };
}
