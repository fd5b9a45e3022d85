import type { App, RespondFn } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import { z } from "zod";
import { type OrderService, OrderStateError } from "../orders/order-service.js";
import { getOrder } from "../orders/repository.js";
import { STUCK_ACTIONS } from "../views/alert-message.js";
import { escapeMrkdwn, markdownSection, plain } from "../views/blocks.js";
import type { HandlerContext } from "./context.js";

/**
 * The buttons on a stuck-order notice: a person who looked in the provider's control panel records
 * the provider's order number, or marks the order as not placed. Either needs SSL_ORDERERS, since
 * "not placed" allows buying it again.
 */

const RECORD_CALLBACK = "stuck_record_placed";
const NUMBER_BLOCK = "stuck_number_blk";
const NUMBER_ACTION = "stuck_number";

const button = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string(),
  actions: z.tuple([z.object({ value: z.coerce.number().int().positive().max(2_147_483_647) })], z.unknown()),
});
const submission = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({
    private_metadata: z.string(),
    state: z.object({
      values: z.object({
        [NUMBER_BLOCK]: z.object({ [NUMBER_ACTION]: z.object({ value: z.string().nullish() }) }),
      }),
    }),
  }),
});
/** Providers' order numbers: digits for Sectigo and GoGetSSL, letters for others; nothing else. */
const providerOrderId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    error: "Enter the order number exactly as the provider shows it.",
  });

export function registerStuckOrderHandlers(app: App, context: HandlerContext, orders: OrderService): void {
  const { db, logger, access, clock } = context;

  const ephemeral = async (respond: RespondFn | undefined, text: string): Promise<void> => {
    await respond?.({ response_type: "ephemeral", replace_original: false, text });
  };

  /** Only SSL_ORDERERS; a refusal is told and audited. */
  async function allowed(
    userId: string,
    orderId: number,
    tell: (text: string) => Promise<unknown>,
  ): Promise<boolean> {
    if (await access.mayOrder(userId)) return true;
    const order = await getOrder(db, orderId);
    await context.refusals.record({
      actor: userId,
      action: "order",
      subject: order?.reference ?? null,
      reason: "not in SSL_ORDERERS",
      at: clock.now(),
    });
    await tell(
      ":no_entry: Only people in SSL_ORDERERS can settle an order stuck on its way to the provider.",
    );
    return false;
  }

  app.action(STUCK_ACTIONS.notPlaced, async ({ ack, body, respond }) => {
    await ack();
    const parsed = button.safeParse(body);
    if (!parsed.success) return;
    const { user, actions } = parsed.data;
    const orderId = actions[0].value;
    const tell = (text: string) => ephemeral(respond, text);
    try {
      if (!(await allowed(user.id, orderId, tell))) return;
      const order = await orders.resolveStuck(orderId, user.id, { placed: false });
      await respond?.({
        replace_original: true,
        text: `:heavy_check_mark: <@${user.id}> checked: ${order.reference} was not placed. It may be ordered again.`,
      });
    } catch (error) {
      if (error instanceof OrderStateError) await tell(`:information_source: ${error.message}`);
      else {
        logger.error("Marking a stuck order as not placed failed:", error);
        await tell(context.describeFailure(error));
      }
    }
  });

  app.action(STUCK_ACTIONS.placed, async ({ ack, body, respond, client }) => {
    await ack();
    const parsed = button.safeParse(body);
    if (!parsed.success) return;
    const { user, actions, trigger_id: triggerId } = parsed.data;
    const orderId = actions[0].value;
    if (!(await allowed(user.id, orderId, (text) => ephemeral(respond, text)))) return;
    const order = await getOrder(db, orderId);
    if (!order) return;
    await client.views.open({
      trigger_id: triggerId,
      view: recordView(order.id, order.reference, order.provider),
    });
  });

  app.view(RECORD_CALLBACK, async ({ ack, body }) => {
    const parsed = submission.safeParse(body);
    const orderId = Number(parsed.data?.view.private_metadata);
    if (!parsed.success || !Number.isSafeInteger(orderId)) {
      await ack({ response_action: "clear" });
      return;
    }
    const typed = providerOrderId.safeParse(
      parsed.data.view.state.values[NUMBER_BLOCK][NUMBER_ACTION].value ?? "",
    );
    if (!typed.success) {
      await ack({
        response_action: "errors",
        errors: { [NUMBER_BLOCK]: typed.error.issues[0]?.message ?? "" },
      });
      return;
    }
    const userId = parsed.data.user.id;
    const refused = async (text: string) =>
      ack({ response_action: "errors", errors: { [NUMBER_BLOCK]: text } });
    if (!(await allowed(userId, orderId, refused))) return;
    try {
      await orders.resolveStuck(orderId, userId, { placed: true, providerOrderId: typed.data });
      await ack();
    } catch (error) {
      const message = error instanceof OrderStateError ? error.message : context.describeFailure(error);
      if (!(error instanceof OrderStateError))
        logger.error("Recording a stuck order's number failed:", error);
      await ack({ response_action: "errors", errors: { [NUMBER_BLOCK]: message } });
    }
  });
}

function recordView(orderId: number, reference: string, provider: string): ModalView {
  return {
    type: "modal",
    callback_id: RECORD_CALLBACK,
    private_metadata: String(orderId),
    title: plain("It was placed", 24),
    submit: plain("Record", 24),
    close: plain("Cancel", 24),
    blocks: [
      markdownSection(
        `Which order number did ${escapeMrkdwn(provider)} give *${escapeMrkdwn(reference)}*? certdesk then follows it like any other order.`,
      ),
      {
        type: "input",
        block_id: NUMBER_BLOCK,
        label: plain("Provider's order number"),
        element: { type: "plain_text_input", action_id: NUMBER_ACTION, max_length: 64 },
      },
    ],
  };
}
