import type { ShownSighting } from "../orders/ct-watch.js";
import { type CtResolution, type CtSightingLine, ctSightingMessage } from "../views/ct-sighting.js";
import { type ChannelPoster, channelProblem } from "./channel-poster.js";
import { ChannelUnusableError, type PostedMessage } from "./expiry-alert-poster.js";

/**
 * How the Certificate Transparency watch's sightings reach Slack: one paced post each in
 * SSL_CHANNEL, and the same message rewritten once someone imported or ignored it.
 */
export interface CtSightingPoster {
  /** ChannelUnusableError when the channel itself refuses posts (the bot not in it…). */
  post(shown: ShownSighting): Promise<PostedMessage>;
}

/** The view's data for a sighting; `searchUrl` (CT_SEARCH_URL) makes the link to its log entry. */
export function sightingLine(shown: ShownSighting, searchUrl: string): CtSightingLine {
  const { sighting } = shown;
  return {
    sightingId: sighting.id,
    clientName: shown.clientName,
    issuer: sighting.issuer,
    commonName: sighting.commonName,
    names: sighting.names,
    notBefore: sighting.notBefore,
    notAfter: sighting.notAfter,
    entryUrl: `${searchUrl.replace(/\/+$/, "")}/?id=${sighting.crtshId}`,
  };
}

export function sightingMessage(shown: ShownSighting, searchUrl: string, resolution?: CtResolution) {
  return ctSightingMessage(sightingLine(shown, searchUrl), resolution);
}

export function createCtSightingPoster(deps: {
  poster: ChannelPoster;
  channel: string;
  searchUrl: string;
}): CtSightingPoster {
  const { poster, channel, searchUrl } = deps;
  return {
    async post(shown) {
      try {
        return await poster.post({ channel, ...sightingMessage(shown, searchUrl) });
      } catch (error) {
        const problem = channelProblem(error);
        if (!problem) throw error;
        throw new ChannelUnusableError(
          `Certificate Transparency findings cannot be posted in SSL_CHANNEL ${channel} (${problem}): invite the bot there (/invite @certdesk) or fix SSL_CHANNEL. CT_CRON's next run tries again.`,
        );
      }
    },
  };
}
