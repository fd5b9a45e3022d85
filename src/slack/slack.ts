import type { Logger } from "@slack/logger";
import type { HomeView, KnownBlock, ModalView } from "@slack/types";
import { type ChannelPoster, createChannelPoster, type Sleeper } from "./channel-poster.js";
import type { SlackCallRecorder, SlackClients } from "./clients.js";

/**
 * Everything certdesk sends to Slack, and the few things it asks: handlers, jobs and the order
 * notifier all go through this, and none of them holds a WebClient. Which client each call uses is
 * decided here (see clients.ts).
 */

export interface Message {
  text: string;
  blocks?: KnownBlock[];
}

/** Where a person is, to answer only them: a response_url when the payload had one, else their DM. */
export interface Listener {
  userId: string;
  responseUrl?: string;
}

export interface Slack {
  /** Opens a modal; the view's id and hash, for later updates. */
  openModal(triggerId: string, view: ModalView): Promise<OpenedModal | undefined>;
  /**
   * Replaces a modal; resolves to its new hash. With `hash`, only if nobody changed the view since
   * that hash was given (Slack's `hash_conflict` becomes ViewChangedError), so late work never
   * puts an old form over one the person has changed.
   */
  updateModal(viewId: string, view: ModalView, hash?: string): Promise<string | undefined>;
  /** Puts a modal on top of the one the trigger came from (closing it returns to that one). */
  pushModal(triggerId: string, view: ModalView): Promise<void>;
  publishHome(userId: string, view: HomeView): Promise<void>;
  /** Only to the person: ephemeral through the response_url when there is one, else a DM. */
  tell(to: Listener, message: Message): Promise<void>;
  /**
   * Only to the person, in a channel they are in (a modal's submission has no response_url); a DM
   * when that channel does not allow it. Never fails: what could not be told is logged.
   */
  tellInChannel(channelId: string, userId: string, message: Message): Promise<void>;
  /** Replaces the message the response_url belongs to. */
  replaceViaResponseUrl(responseUrl: string, message: Message): Promise<void>;
  post(channel: string, message: Message & { thread_ts?: string }): Promise<{ channel: string; ts: string }>;
  update(channel: string, ts: string, message: Message): Promise<void>;
  /** A reply in a thread that must not fail what led to it: a failure is logged. */
  replyInThread(
    thread: { channel: string | null; ts: string | null },
    text: string,
    what: string,
  ): Promise<void>;
  /** Uploads files to the person's DM through the quiet client; the DM's channel id. */
  sendFiles(
    userId: string,
    upload: { comment: string; files: { filename: string; content: Buffer }[] },
  ): Promise<{ channelId: string }>;
  /**
   * Uploads one file into a channel (files upload v2: getUploadURLExternal, the bytes,
   * completeUploadExternal), shared with `initialComment`; the file's id. Slack's refusal (the bot
   * not in the channel…) is thrown as the Web API error: channelProblem() names it.
   */
  uploadToChannel(channel: string, upload: ChannelUpload): Promise<{ fileId?: string }>;
  /** Ephemeral in the person's DM, through the quiet client: shown once, to them only. */
  whisperInDm(userId: string, channelId: string, text: string): Promise<void>;
  /** Paced posts nobody waits on (alerts, announcements, notices): one a second per channel, 429s waited out. */
  readonly background: ChannelPoster;
  userInfo(userId: string): Promise<unknown>;
  groupMembers(groupId: string): Promise<string[]>;
  authTest(): Promise<{ botId?: string; userId?: string; teamId?: string; enterpriseId?: string }>;
  /** Stops the background poster's waits (a stopping app). */
  stop(): void;
}

/** A file for a channel (a chart): what it is called, its bytes and what goes with it. */
export interface ChannelUpload {
  filename: string;
  content: Buffer;
  title: string;
  initialComment: string;
  /** What the picture shows, for people who cannot see it (images only). */
  altText?: string;
}

export interface OpenedModal {
  viewId: string;
  /** For an update that must not overwrite what the person changed since (updateModal's `hash`). */
  hash?: string;
}

/** The modal changed since the hash given to updateModal: the update was not made. */
export class ViewChangedError extends Error {
  override name = "ViewChangedError";
  constructor() {
    super("The view changed since its hash was read; the update was not made.");
  }
}

export function createSlack(deps: {
  clients: SlackClients;
  logger: Logger;
  sleeper: Sleeper;
  /** Counts the paced poster's rate-limit waits (the clients count the rest themselves). */
  recorder?: Pick<SlackCallRecorder, "rateLimitWait">;
}): Slack {
  const { interactive, quiet, lookup, background } = deps.clients;
  const stopping = new AbortController();

  async function respond(responseUrl: string, body: Record<string, unknown>): Promise<void> {
    const response = await fetch(responseUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`Slack refused the response_url message (HTTP ${response.status})`);
  }

  async function post(channel: string, message: Message & { thread_ts?: string }) {
    const posted = await interactive.chat.postMessage({ channel, ...message });
    return { channel: posted.channel ?? channel, ts: posted.ts ?? "" };
  }

  return {
    async openModal(triggerId, view) {
      const opened = await interactive.views.open({ trigger_id: triggerId, view });
      return opened.view?.id ? { viewId: opened.view.id, hash: opened.view.hash } : undefined;
    },
    async updateModal(viewId, view, hash) {
      try {
        const updated = await interactive.views.update({ view_id: viewId, view, ...(hash ? { hash } : {}) });
        return updated.view?.hash;
      } catch (error) {
        if ((error as { data?: { error?: string } }).data?.error === "hash_conflict")
          throw new ViewChangedError();
        throw error;
      }
    },
    async pushModal(triggerId, view) {
      await interactive.views.push({ trigger_id: triggerId, view });
    },
    async publishHome(userId, view) {
      await interactive.views.publish({ user_id: userId, view });
    },
    async tell(to, message) {
      if (to.responseUrl) {
        await respond(to.responseUrl, { response_type: "ephemeral", replace_original: false, ...message });
        return;
      }
      await post(to.userId, message);
    },
    async tellInChannel(channelId, userId, message) {
      try {
        await interactive.chat.postEphemeral({ channel: channelId, user: userId, ...message });
      } catch (error) {
        deps.logger.debug(
          `Ephemeral message to ${userId} in ${channelId} failed, sending a DM instead:`,
          error,
        );
        await post(userId, message).catch((dmError: unknown) =>
          deps.logger.error(`Could not tell ${userId}: ${message.text}`, dmError),
        );
      }
    },
    replaceViaResponseUrl: (responseUrl, message) =>
      respond(responseUrl, { replace_original: true, ...message }),
    post,
    async update(channel, ts, message) {
      await interactive.chat.update({ channel, ts, ...message });
    },
    async replyInThread(thread, text, what) {
      if (!thread.channel || !thread.ts) return;
      await post(thread.channel, { text, thread_ts: thread.ts }).catch((error: unknown) =>
        deps.logger.warn(`Could not reply in ${what}'s thread:`, error),
      );
    },
    async sendFiles(userId, upload) {
      const opened = await interactive.conversations.open({ users: userId });
      const channelId = opened.channel?.id;
      if (!channelId) throw new Error("Slack did not open a direct message channel");
      await quiet.filesUploadV2({
        channel_id: channelId,
        initial_comment: upload.comment,
        file_uploads: upload.files.map((file) => ({ file: file.content, filename: file.filename })),
      });
      return { channelId };
    },
    async uploadToChannel(channel, upload) {
      const uploaded = await interactive.filesUploadV2({
        channel_id: channel,
        initial_comment: upload.initialComment,
        file: upload.content,
        filename: upload.filename,
        title: upload.title,
        ...(upload.altText ? { alt_text: upload.altText } : {}),
      });
      return { fileId: uploaded.files[0]?.files?.[0]?.id };
    },
    async whisperInDm(userId, channelId, text) {
      await quiet.chat.postEphemeral({ channel: channelId, user: userId, text });
    },
    background: createChannelPoster(background, deps.sleeper, stopping.signal, (seconds) =>
      deps.recorder?.rateLimitWait("background", seconds),
    ),
    userInfo: (userId) => lookup.users.info({ user: userId }),
    async groupMembers(groupId) {
      return (await interactive.usergroups.users.list({ usergroup: groupId })).users ?? [];
    },
    async authTest() {
      const auth = await interactive.auth.test();
      return {
        botId: auth.bot_id,
        userId: auth.user_id,
        teamId: auth.team_id,
        enterpriseId: auth.enterprise_id,
      };
    },
    stop: () => stopping.abort(),
  };
}
