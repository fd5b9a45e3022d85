import { setTimeout as delay } from "node:timers/promises";
import type { KnownBlock } from "@slack/types";
import { WebAPIPlatformError, WebAPIRateLimitedError, type WebClient } from "@slack/web-api";

/** Time for pacing, injected so tests move it instead of waiting. */
export interface Sleeper {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Rejects when `signal` aborts, so a stopping scheduler is not held up by a wait. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realSleeper: Sleeper = {
  now: () => performance.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
};

export interface ChannelMessage {
  channel: string;
  text: string;
  blocks?: KnownBlock[];
  thread_ts?: string;
}

export interface ChannelPoster {
  /** Posts after the channel's previous post plus the interval, waiting out 429s; in call order per channel. */
  post(message: ChannelMessage): Promise<{ channel: string; ts: string }>;
}

/** Slack allows about one message a second per channel. */
const CHANNEL_INTERVAL_MS = 1_000;
/** A channel still rate-limited after this many waits is not going to clear during this run. */
const MAX_RATE_LIMIT_WAITS = 10;

/**
 * Paces the scheduler's posts per channel and waits out 429s itself, with the injected sleeper:
 * its client rejects rate-limited calls rather than pausing (on a real timer) every request queued
 * on it. Posts to one channel go out one at a time, in the order they were asked for.
 */
export function createChannelPoster(
  client: WebClient,
  sleeper: Sleeper,
  signal: AbortSignal,
  /** Told each wait for a 429's Retry-After, in seconds (metrics). */
  onRateLimitWait: (seconds: number) => void = () => undefined,
): ChannelPoster {
  const lastPostAt = new Map<string, number>();
  const queues = new Map<string, Promise<unknown>>();

  async function send(message: ChannelMessage): Promise<{ channel: string; ts: string }> {
    for (let waits = 0; ; waits += 1) {
      signal.throwIfAborted();
      const previous = lastPostAt.get(message.channel);
      const wait = previous === undefined ? 0 : previous + CHANNEL_INTERVAL_MS - sleeper.now();
      if (wait > 0) await sleeper.sleep(wait, signal);
      lastPostAt.set(message.channel, sleeper.now());
      try {
        const posted = await client.chat.postMessage(message);
        return { channel: posted.channel ?? message.channel, ts: posted.ts ?? "" };
      } catch (error) {
        if (!(error instanceof WebAPIRateLimitedError) || waits >= MAX_RATE_LIMIT_WAITS) throw error;
        onRateLimitWait(error.retryAfter);
        await sleeper.sleep(error.retryAfter * 1_000, signal);
      }
    }
  }

  return {
    post(message) {
      const previous = queues.get(message.channel) ?? Promise.resolve();
      const result = previous.then(() => send(message));
      const settled = result.catch(() => undefined);
      queues.set(message.channel, settled);
      void settled.then(() => {
        if (queues.get(message.channel) === settled) queues.delete(message.channel);
      });
      return result;
    },
  };
}

/** Slack errors that mean nothing will post in a channel until someone fixes it (invites the bot, unarchives it). */
const CHANNEL_ERRORS = new Set(["channel_not_found", "not_in_channel", "is_archived", "restricted_action"]);

/** Slack's error code when a post failed because of the channel itself, else undefined. */
export function channelProblem(error: unknown): string | undefined {
  return error instanceof WebAPIPlatformError && CHANNEL_ERRORS.has(error.data.error)
    ? error.data.error
    : undefined;
}
