import type { App } from "@slack/bolt";
import { channelProblem } from "../../slack/channel-poster.js";
import { createForecastPoster } from "../../slack/forecast-poster.js";
import type { Feature, FeatureContext } from "../context.js";

/**
 * `/ssl forecast`: the chart of the next 26 weeks (certificates expiring, reissues and renewals
 * due, their cost), uploaded into the channel where it was typed. The weekly post in SSL_CHANNEL
 * is the scheduler's (FORECAST_CRON); both draw the same chart (slack/forecast-poster.ts).
 */
export const forecastFeature: Feature = {
  register(_app: App, context: FeatureContext) {
    const poster = createForecastPoster(context);

    // The router has acked: reading, drawing and uploading may take their second.
    context.ssl.on("forecast", async ({ userId, channelId, reply }) => {
      try {
        await poster.post(channelId, { requestedBy: userId });
      } catch (error) {
        const problem = channelProblem(error);
        if (!problem) throw error;
        context.logger.info(`/ssl forecast could not upload the chart in ${channelId} (${problem}).`);
        await reply({
          text:
            `:warning: I could not post the forecast chart in this conversation (Slack said \`${problem}\`). ` +
            "Invite me with `/invite @certdesk`, or type `/ssl forecast` in a direct message with me.",
        });
      }
    });
  },
};
