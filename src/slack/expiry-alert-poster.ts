import type { Logger } from "@slack/logger";
import type { AlertSubject } from "../orders/expiry.js";
import {
  type AlertView,
  expiryAlertMessage,
  expiryDigestMessages,
  expiryThreadReply,
} from "../views/alert-message.js";
import { type ChannelPoster, channelProblem } from "./channel-poster.js";

/** An expiry alert as it is shown: the alert, and the certificate (and its order's thread). */
export interface ShownAlert {
  alert: AlertView;
  certificate: AlertSubject;
}

export interface PostedMessage {
  channel: string;
  ts: string;
}

/** Nothing will post in the alert channel until someone fixes it: the scan stops and says how. */
export class ChannelUnusableError extends Error {
  override name = "ChannelUnusableError";
}

/**
 * How the expiry scan's alerts reach Slack: paced posts in SSL_CHANNEL (one each, or digests) and
 * a reply in each order's thread. The scan (jobs/expiry-alerts.ts) decides what is due and records
 * what was posted; this decides only how it looks and where it goes.
 */
export interface ExpiryAlertPoster {
  /** One alert in the channel. ChannelUnusableError when the channel itself refuses posts. */
  post(shown: ShownAlert): Promise<PostedMessage>;
  /** The alert's line in the order's thread; a failure is logged (an abort is rethrown). */
  replyInThread(shown: ShownAlert): Promise<void>;
  /** Digest messages for these alerts, in order: each covers the next `count` of them. */
  digests(
    shown: ShownAlert[],
    stuck?: { count: number; hours: number },
  ): { count: number; post(): Promise<PostedMessage> }[];
}

const isAbort = (error: unknown) => error instanceof Error && error.name === "AbortError";

export function createExpiryAlertPoster(deps: {
  poster: ChannelPoster;
  channel: string;
  logger: Logger;
}): ExpiryAlertPoster {
  const { poster, channel, logger } = deps;

  async function postInChannel(message: Parameters<ChannelPoster["post"]>[0]): Promise<PostedMessage> {
    try {
      return await poster.post(message);
    } catch (error) {
      const problem = channelProblem(error);
      if (!problem) throw error;
      throw new ChannelUnusableError(
        `Expiry alerts cannot be posted in SSL_CHANNEL ${channel} (${problem}): invite the bot there (/invite @certdesk) or fix SSL_CHANNEL. The next scan tries again.`,
      );
    }
  }

  return {
    post: ({ alert, certificate }) => postInChannel({ channel, ...expiryAlertMessage(alert, certificate) }),
    async replyInThread({ alert, certificate }) {
      const { slackChannel, slackThreadTs } = certificate;
      if (!slackChannel || !slackThreadTs) return;
      await poster
        .post({
          channel: slackChannel,
          thread_ts: slackThreadTs,
          text: expiryThreadReply(alert, certificate),
        })
        .catch((error: unknown) => {
          if (isAbort(error)) throw error;
          logger.warn(`The expiry reply in ${certificate.reference}'s thread could not be posted:`, error);
        });
    },
    digests: (shown, stuck) =>
      expiryDigestMessages(shown, stuck).map((message) => ({
        count: message.count,
        post: () => postInChannel({ channel, text: message.text, blocks: message.blocks }),
      })),
  };
}
