import type { Logger } from "@slack/logger";
import { channelProblem } from "../slack/channel-poster.js";
import { ChannelUnusableError } from "../slack/expiry-alert-poster.js";
import type { ForecastPoster } from "../slack/forecast-poster.js";

/** What one weekly forecast post showed. */
export interface ForecastPostSummary {
  fileId?: string;
  expiring: number;
  reissuesDue: number;
  renewalsDue: number;
  /** The renewals due at their cost, in `currency`: "412.50". */
  renewalCost: string;
  currency?: string;
}

/**
 * FORECAST_CRON: the forecast chart of the next 26 weeks, posted in SSL_CHANNEL. The scheduler runs
 * it under its advisory lock, so one replica posts it.
 */
export function createForecastJob(deps: {
  poster: ForecastPoster;
  channel: string;
  logger: Logger;
  signal?: AbortSignal;
}) {
  const { poster, channel, logger } = deps;
  return {
    async run(): Promise<ForecastPostSummary> {
      try {
        const { forecast, fileId } = await poster.post(channel, { signal: deps.signal });
        const { totals } = forecast;
        logger.info(
          `Forecast posted in ${channel}: ${totals.expiring} expiring, ${totals.reissuesDue} reissues and ` +
            `${totals.renewalsDue} renewals due within ${forecast.weeks.length} weeks.`,
        );
        return {
          fileId,
          expiring: totals.expiring,
          reissuesDue: totals.reissuesDue,
          renewalsDue: totals.renewalsDue,
          renewalCost: totals.renewalCost,
          ...(forecast.currency ? { currency: forecast.currency } : {}),
        };
      } catch (error) {
        const problem = channelProblem(error);
        if (!problem) throw error;
        throw new ChannelUnusableError(
          `The forecast cannot be posted in SSL_CHANNEL ${channel} (${problem}): invite the bot there (/invite @certdesk) or fix SSL_CHANNEL. FORECAST_CRON's next run tries again.`,
        );
      }
    },
  };
}
