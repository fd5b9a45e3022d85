import { WebAPIPlatformError } from "@slack/web-api";
import type { Slack } from "./slack.js";

/** Who the bot is in Slack, asked once at start: Bolt authorises every request with this answer. */
export interface BotIdentity {
  botToken: string;
  botId?: string;
  botUserId?: string;
  teamId?: string;
  enterpriseId?: string;
}

export class SlackStartError extends Error {
  override name = "SlackStartError";
}

/** auth.test, with what to do about each way it fails said plainly. */
export async function verifyBotToken(
  slack: Pick<Slack, "authTest">,
  options: { botToken: string; apiUrl?: string },
): Promise<BotIdentity> {
  try {
    const auth = await slack.authTest();
    return {
      botToken: options.botToken,
      botId: auth.botId,
      botUserId: auth.userId,
      teamId: auth.teamId,
      enterpriseId: auth.enterpriseId,
    };
  } catch (error) {
    if (error instanceof WebAPIPlatformError) {
      throw new SlackStartError(
        `Slack refused SLACK_BOT_TOKEN (${error.data.error}). Copy the Bot User OAuth Token (xoxb-…) again from the app's OAuth & Permissions page, and reinstall the app if it was uninstalled.`,
      );
    }
    throw new SlackStartError(
      `Slack's Web API${options.apiUrl ? ` at ${options.apiUrl}` : ""} could not be reached (${(error as Error).message}). Check the network or SLACK_API_URL, then start again.`,
    );
  }
}
