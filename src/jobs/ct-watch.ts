import type { Logger } from "@slack/logger";
import type { CtScanSummary, CtWatch } from "../orders/ct-watch.js";
import type { CtSightingPoster } from "../slack/ct-sighting-poster.js";
import { ChannelUnusableError } from "../slack/expiry-alert-poster.js";

/** What one run of the Certificate Transparency watch did. */
export interface CtWatchSummary extends Omit<CtScanSummary, "failures"> {
  /** Domains the search service did not answer (asked again next run). */
  failed: number;
  posted: number;
  /** Sightings whose post failed: they stay unposted and the next run posts them. */
  postFailed: number;
}

const isAbort = (error: unknown) => error instanceof Error && error.name === "AbortError";

/**
 * CT_CRON: asks the CT search service about every client domain (orders/ct-watch.ts), then posts
 * each certificate certdesk did not order in SSL_CHANNEL, once. The scheduler runs it under its
 * advisory lock, so one replica asks and posts. Posting also covers what an earlier run recorded
 * but could not post, so nothing found is lost to a Slack outage.
 */
export function createCtWatchJob(deps: {
  watch: CtWatch;
  poster: CtSightingPoster;
  logger: Logger;
  signal?: AbortSignal;
}) {
  const { watch, poster, logger } = deps;
  return {
    async run(): Promise<CtWatchSummary> {
      const scanned = await watch.scan({ signal: deps.signal });
      for (const failure of scanned.failures) {
        logger.warn(
          `Certificate Transparency: the search for ${failure.domain} failed (${failure.message}); the next run asks again.`,
        );
      }
      if (scanned.rateLimited) {
        logger.warn(
          "Certificate Transparency: the search service is rate-limiting certdesk; the domains not asked this run are asked at the next.",
        );
      }
      let posted = 0;
      let postFailed = 0;
      for (const shown of await watch.unposted()) {
        deps.signal?.throwIfAborted();
        try {
          const message = await poster.post(shown);
          await watch.markPosted(shown.sighting.id, message);
          posted += 1;
        } catch (error) {
          if (isAbort(error) || error instanceof ChannelUnusableError) throw error;
          postFailed += 1;
          logger.warn(
            `Certificate Transparency: the post for ${shown.sighting.commonName} could not be made; the next run tries again:`,
            error,
          );
        }
      }
      const { failures, ...rest } = scanned;
      const summary = { ...rest, failed: failures.length, posted, postFailed };
      logger[posted + postFailed + summary.failed > 0 ? "info" : "debug"](
        `Certificate Transparency: ${summary.searched} of ${summary.domains} domains searched (${summary.failed} failed), ` +
          `${summary.recorded} new certificates not ordered through certdesk, ${posted} posted, ${postFailed} left for the next run.`,
      );
      return summary;
    },
  };
}
