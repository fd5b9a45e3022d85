import type { App } from "@slack/bolt";
import { helpMessage } from "../views/help.js";
import type { HandlerContext } from "./context.js";
import { parseSslText, type SslRequest } from "./parse-ssl-text.js";

type SubcommandHandler = (args: SubcommandArgs) => Promise<void>;

export interface SubcommandArgs {
  request: SslRequest;
  userId: string;
  channelId: string;
  triggerId: string;
  /** Replies only to the caller (response_url, ephemeral). */
  reply(message: { text: string; blocks?: unknown[] }): Promise<void>;
}

export type SubcommandHandlers = Partial<Record<SslRequest["kind"], SubcommandHandler>>;

/**
 * `/ssl` routing. Sub-commands that open a modal must do so before anything slow (the trigger_id
 * lives ~3 s), so each handler acks first and is given only what it needs.
 */
export function registerSslCommand(app: App, context: HandlerContext, handlers: SubcommandHandlers): void {
  app.command("/ssl", async ({ command, ack, respond }) => {
    const request = parseSslText(command.text ?? "");
    const handler = handlers[request.kind];
    if (!handler) {
      await ack(helpMessage(request.kind === "unknown" ? request.text : undefined));
      return;
    }
    await ack();
    const reply = async (message: { text: string; blocks?: unknown[] }) => {
      await respond({ response_type: "ephemeral", replace_original: false, ...message } as never);
    };
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
