import type { App } from "@slack/bolt";
import type { Message } from "../../slack/slack.js";
import { helpMessage } from "../../views/help.js";
import type { FeatureContext } from "../context.js";
import { parseSslText, type SslRequest } from "./parse.js";

export interface SubcommandArgs<Kind extends SslRequest["kind"] = SslRequest["kind"]> {
  request: Extract<SslRequest, { kind: Kind }>;
  userId: string;
  channelId: string;
  triggerId: string;
  /** Replies only to the caller (response_url, ephemeral). */
  reply(message: Message): Promise<void>;
}

type Handler<Kind extends SslRequest["kind"]> = (args: SubcommandArgs<Kind>) => Promise<void>;
/** Stored by kind; the router hands each the request of its own kind. */
type AnyHandler = (args: SubcommandArgs) => Promise<void>;

/** The `/ssl` sub-commands, each answered by the feature that registers it. */
export interface SslCommands {
  on<Kind extends SslRequest["kind"]>(kind: Kind, handler: Handler<Kind>): void;
}

export function createSslCommands(): SslCommands & {
  handlerFor(kind: SslRequest["kind"]): AnyHandler | undefined;
} {
  const handlers = new Map<string, AnyHandler>();
  return {
    on(kind, handler) {
      handlers.set(kind, handler as unknown as AnyHandler);
    },
    handlerFor: (kind) => handlers.get(kind),
  };
}

/**
 * `/ssl` routing. Sub-commands that open a modal must do so before anything slow (the trigger_id
 * lives ~3 s), so each handler acks first and is given only what it needs.
 */
export function registerSslCommand(
  app: App,
  context: FeatureContext,
  commands: ReturnType<typeof createSslCommands>,
): void {
  app.command("/ssl", async ({ command, ack }) => {
    const request = parseSslText(command.text ?? "");
    const handler = commands.handlerFor(request.kind);
    if (!handler) {
      await ack(helpMessage(request.kind === "unknown" ? request.text : undefined));
      return;
    }
    await ack();
    const to = { userId: command.user_id, responseUrl: command.response_url };
    const reply = (message: Message) => context.slack.tell(to, message);
    try {
      await handler({
        request,
        userId: command.user_id,
        channelId: command.channel_id,
        triggerId: command.trigger_id,
        reply,
      });
    } catch (error) {
      context.logger.error(`/ssl ${request.kind} failed:`, error);
      await reply({ text: context.describeFailure(error) }).catch(() => undefined);
    }
  });
}
