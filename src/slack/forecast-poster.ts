import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import type { Forecast } from "../domain/forecast.js";
import type { Catalogue } from "../orders/catalogue.js";
import { loadForecast } from "../orders/forecast.js";
import { renderChart } from "../views/chart-image.js";
import {
  forecastChartSpec,
  forecastComment,
  forecastRange,
  forecastSummary,
  forecastTitle,
} from "../views/forecast-chart.js";
import type { Slack } from "./slack.js";

/**
 * The forecast chart in a channel: `/ssl forecast` (where it was typed) and the weekly
 * FORECAST_CRON post (SSL_CHANNEL) both come here. It reads the forecast now, draws it
 * (views/forecast-chart.ts, views/chart-image.ts) and uploads the PNG with its summary.
 */

export interface PostedForecast {
  forecast: Forecast;
  fileId?: string;
  bytes: number;
}

export interface ForecastPoster {
  /** Slack's refusal is thrown as it came (channelProblem() names a channel problem). */
  post(channel: string, options?: { requestedBy?: string; signal?: AbortSignal }): Promise<PostedForecast>;
}

export function createForecastPoster(deps: {
  db: Database;
  clock: Clock;
  config: Pick<Config, "autoReissueDays"> & { schedule: Pick<Config["schedule"], "timeZone" | "expiryDays"> };
  /** Product lists for list prices; get() waits for loads, so call it only after an ack. */
  catalogue: Pick<Catalogue, "get">;
  slack: Pick<Slack, "uploadToChannel">;
}): ForecastPoster {
  const { db, clock, config } = deps;
  return {
    async post(channel, options = {}) {
      const forecast = await loadForecast(db, {
        now: clock.now(),
        timeZone: config.schedule.timeZone,
        expiryDays: config.schedule.expiryDays,
        autoReissueDays: config.autoReissueDays,
        catalogue: await deps.catalogue.get(),
      });
      options.signal?.throwIfAborted();
      const image = await renderChart(forecastChartSpec(forecast));
      const uploaded = await deps.slack.uploadToChannel(channel, {
        filename: `certdesk-forecast-${forecast.weeks[0]?.isoWeek ?? forecast.from}.png`,
        content: image.png,
        title: `${forecastTitle(forecast)} (${forecastRange(forecast)})`,
        initialComment: forecastComment(forecast, options.requestedBy),
        altText: `Bar chart per week, ${forecastRange(forecast)}: ${forecastSummary(forecast)}.`,
      });
      return { forecast, fileId: uploaded.fileId, bytes: image.png.length };
    },
  };
}
