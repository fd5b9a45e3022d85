import type { App, RespondFn } from "@slack/bolt";
import type { KnownBlock } from "@slack/types";
import { z } from "zod";
import { findClientByName, getClient } from "../orders/clients.js";
import { listOrdersPage } from "../orders/order-queries.js";
import { findOrderByReference, getOrder, type Order } from "../orders/repository.js";
import type { StatusCheck } from "../orders/status-service.js";
import { escapeMrkdwn } from "../views/blocks.js";
import {
  emptyOrderListMessage,
  ORDER_LIST_ACTIONS,
  ORDER_LIST_CHOICES,
  ORDERS_PAGE_SIZE,
  orderListMessage,
} from "../views/order-list.js";
import { ORDER_MESSAGE_ACTIONS } from "../views/order-message.js";
import { type StatusReplyInput, statusReply } from "../views/status-reply.js";
import type { AppServices, HandlerContext } from "./context.js";
import { openOrderDetails } from "./details.js";
import { openRenewal } from "./renew.js";
import { ORDER_SHORTCUTS, orderForShortcut } from "./shortcuts.js";
import type { SubcommandHandlers } from "./ssl-command.js";

/**
 * "List SSL Certs" and "Check status": `/ssl list`, `/ssl status`, the order message's Check status
 * button, the list's row menu and the Check SSL status message shortcut.
 */

type Tell = (message: { text: string; blocks?: KnownBlock[] }) => Promise<void>;

const messageActionBody = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string(),
  channel: z.object({ id: z.string() }).nullish(),
  container: z.object({ channel_id: z.string().optional() }).optional(),
  actions: z
    .array(
      z.object({ value: z.string().optional(), selected_option: z.object({ value: z.string() }).optional() }),
    )
    .min(1),
});
const orderIdSchema = z.coerce.number().int().positive();
const menuChoiceSchema = z.string().transform((value, ctx) => {
  const [choice, id] = value.split(":");
  const orderId = Number(id);
  const known = ORDER_LIST_CHOICES.find((candidate) => candidate === choice);
  if (!known || !Number.isSafeInteger(orderId) || orderId <= 0) {
    ctx.addIssue({ code: "custom", message: `not an order list choice: ${value}` });
    return z.NEVER;
  }
  return { choice: known, orderId };
});
const positionSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "not a list position" });
      return z.NEVER;
    }
  })
  .pipe(z.object({ clientId: z.number().int().positive().optional(), offset: z.number().int().min(0) }));

const STATUS_USAGE =
  "Usage: `/ssl status <SSL-1042 | domain>`, e.g. `/ssl status SSL-1042` or `/ssl status www.example.com`.";

export function registerTrackingHandlers(
  app: App,
  context: HandlerContext,
  services: AppServices,
): SubcommandHandlers {
  const { db, logger } = context;
  const timeZone = context.config.schedule.timeZone;

  /** Only to the caller: ephemeral where the payload has a response_url, else (App Home) a DM. */
  const tellUser =
    (respond: RespondFn | undefined, userId: string): Tell =>
    async (message) => {
      if (respond) {
        await respond({ response_type: "ephemeral", replace_original: false, ...message });
        return;
      }
      await context.client.chat.postMessage({ channel: userId, ...message });
    };

  /** A failure after the ack can only be told in a message. */
  async function safely(tell: Tell, what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      logger.error(`${what} failed:`, error);
      await tell({ text: context.describeFailure(error) }).catch(() => undefined);
    }
  }

  function providerName(order: Order): string {
    return context.providers.has(order.provider)
      ? context.providers.get(order.provider).displayName
      : order.provider;
  }

  /** Asks the provider now; a change reaches the order message and its thread through the observer. */
  async function checkAndTell(orderId: number, userId: string, tell: Tell): Promise<void> {
    const before = await getOrder(db, orderId);
    if (!before) {
      await tell({ text: "That order no longer exists. `/ssl list` shows recent orders." });
      return;
    }
    const result = await services.status.checkStatus(orderId, userId);
    await tell(statusReply(replyInput(result, before), { now: context.clock.now(), timeZone }));
  }

  function replyInput(result: StatusCheck, before: Order): StatusReplyInput {
    switch (result.kind) {
      case "changed":
        return { kind: "changed", order: result.order, from: result.from };
      case "unchanged":
        return { kind: "unchanged", order: result.order, previousCheckAt: before.lastCheckedAt };
      case "too_soon":
        return { kind: "too_soon", order: result.order, nextCheckAt: result.nextCheckAt };
      case "not_checkable":
        return { kind: "not_checkable", reason: result.reason };
      case "provider_error":
        return {
          kind: "provider_error",
          order: result.order,
          providerName: providerName(result.order),
          message: result.message,
        };
    }
  }

  async function listMessage(
    clientId: number | undefined,
    offset: number,
    known?: { id: number; name: string },
  ): Promise<{ text: string; blocks?: KnownBlock[] }> {
    const client =
      clientId === undefined ? undefined : known?.id === clientId ? known : await getClient(db, clientId);
    if (clientId !== undefined && !client) {
      return { text: "That client no longer exists. `/ssl clients` lists them." };
    }
    let page = await listOrdersPage(db, { clientId, limit: ORDERS_PAGE_SIZE, offset });
    // Orders went away since the page was shown: start again from the newest.
    if (page.orders.length === 0 && offset > 0) {
      offset = 0;
      page = await listOrdersPage(db, { clientId, limit: ORDERS_PAGE_SIZE, offset });
    }
    if (page.total === 0) return emptyOrderListMessage(client?.name);
    return orderListMessage({
      ...page,
      offset,
      pageSize: ORDERS_PAGE_SIZE,
      client: client ? { id: client.id, name: client.name } : undefined,
      now: context.clock.now(),
      timeZone,
    });
  }

  app.action(ORDER_MESSAGE_ACTIONS.checkStatus, async ({ ack, body, respond }) => {
    await ack();
    const parsed = messageActionBody.safeParse(body);
    const orderId = orderIdSchema.safeParse(parsed.data?.actions[0]?.value);
    if (!parsed.success || !orderId.success) return;
    const tell = tellUser(respond, parsed.data.user.id);
    await safely(tell, "Check status", () => checkAndTell(orderId.data, parsed.data.user.id, tell));
  });

  app.shortcut(
    { callback_id: ORDER_SHORTCUTS.checkStatus, type: "message_action" },
    async ({ ack, body, respond }) => {
      await ack();
      const tell = tellUser(respond, body.user.id);
      await safely(tell, "The Check SSL status shortcut", async () => {
        const order = await orderForShortcut(context, body);
        if (order) await checkAndTell(order.id, body.user.id, tell);
      });
    },
  );

  app.action(ORDER_LIST_ACTIONS.menu, async ({ ack, body, respond }) => {
    await ack();
    const parsed = messageActionBody.safeParse(body);
    const picked = menuChoiceSchema.safeParse(parsed.data?.actions[0]?.selected_option?.value);
    if (!parsed.success || !picked.success) return;
    const { user, trigger_id, channel, container } = parsed.data;
    const { choice, orderId } = picked.data;
    const tell = tellUser(respond, user.id);
    await safely(tell, `The order list's ${choice}`, async () => {
      switch (choice) {
        case "check":
          await checkAndTell(orderId, user.id, tell);
          return;
        case "details":
          await openOrderDetails(context, services, { triggerId: trigger_id, userId: user.id, orderId });
          return;
        case "renew":
          await openRenewal(context, services, {
            triggerId: trigger_id,
            userId: user.id,
            orderId,
            channelId: channel?.id ?? container?.channel_id ?? user.id,
          });
          return;
      }
    });
  });

  for (const actionId of [ORDER_LIST_ACTIONS.previous, ORDER_LIST_ACTIONS.next]) {
    app.action(actionId, async ({ ack, body, respond }) => {
      await ack();
      const parsed = messageActionBody.safeParse(body);
      const position = positionSchema.safeParse(parsed.data?.actions[0]?.value);
      // The list is an ephemeral message: only its response_url can replace it.
      if (!parsed.success || !position.success || !respond) return;
      await safely(tellUser(respond, parsed.data.user.id), "Paging the order list", async () => {
        const message = await listMessage(position.data.clientId, position.data.offset);
        await respond({ replace_original: true, ...message });
      });
    });
  }

  return {
    list: async ({ request, reply }) => {
      if (request.kind !== "list") return;
      if (!request.client) {
        await reply(await listMessage(undefined, 0));
        return;
      }
      const client = await findClientByName(db, request.client);
      if (!client) {
        await reply({
          text: `No client named “${escapeMrkdwn(request.client)}”; \`/ssl clients\` lists them.`,
        });
        return;
      }
      await reply(await listMessage(client.id, 0, client));
    },
    status: async ({ request, userId, reply }) => {
      if (request.kind !== "status") return;
      if (!request.ref) {
        await reply({ text: STATUS_USAGE });
        return;
      }
      const order = await findOrderByReference(db, request.ref);
      if (!order) {
        await reply({ text: unknownReference(request.ref) });
        return;
      }
      await checkAndTell(order.id, userId, reply);
    },
  };
}

function unknownReference(ref: string): string {
  const what = /^ssl-\d+$/i.test(ref)
    ? `No order ${ref.toUpperCase()}`
    : `No order for the domain ${escapeMrkdwn(ref)}`;
  return `${what}; \`/ssl list\` shows recent orders.`;
}
