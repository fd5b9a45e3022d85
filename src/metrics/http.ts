import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Metrics } from "./metrics.js";
import type { ReadinessReport } from "./readiness.js";

/**
 * The HTTP side of /metrics and /readyz, served by the receiver's custom routes like /healthz (on
 * PORT in both HTTP and Socket Mode).
 */

/**
 * Whether the request may read /metrics: always when METRICS_TOKEN is unset, else only with
 * `Authorization: Bearer <METRICS_TOKEN>`. Both sides are hashed before a constant-time comparison,
 * so neither the token's content nor its length shows in the time taken.
 */
export function mayReadMetrics(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
  const given = match?.[1];
  if (!given) return false;
  return timingSafeEqual(digest(given), digest(token));
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

export async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  metrics: Metrics,
  token: string | undefined,
): Promise<void> {
  if (!mayReadMetrics(req.headers.authorization, token)) {
    res.writeHead(401, {
      "content-type": "text/plain; charset=utf-8",
      "www-authenticate": 'Bearer realm="certdesk metrics"',
    });
    res.end("401 Unauthorized: /metrics needs Authorization: Bearer <METRICS_TOKEN>\n");
    return;
  }
  try {
    const body = await metrics.scrape();
    res.writeHead(200, { "content-type": metrics.contentType });
    res.end(body);
  } catch {
    res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
    res.end("The metrics could not be collected.\n");
  }
}

export function answerReadiness(res: ServerResponse, report: ReadinessReport, closing = false): void {
  res.writeHead(report.status === "ready" ? 200 : 503, {
    "content-type": "application/json",
    // Cached answers would hide a replica that just became unready.
    "cache-control": "no-store",
    ...(closing ? { connection: "close" } : {}),
  });
  res.end(JSON.stringify(report));
}
