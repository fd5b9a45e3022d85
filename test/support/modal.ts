import type { RecordedCall } from "./slack-api-fake.js";

/**
 * Builds interactivity payloads from the views the app sent to the fake Web API, as Slack's
 * client would: state.values hold each input's initial value unless the test "types" another.
 */

type Json = Record<string, unknown>;
export type Inputs = Record<string, string | string[] | null>;

interface Option {
  value: string;
  text: unknown;
}

interface ElementLike {
  type: string;
  action_id: string;
  value?: string;
  text?: unknown;
  initial_value?: string;
  initial_option?: Option;
  initial_options?: Option[];
  options?: Option[];
  option_groups?: { options: Option[] }[];
}

interface BlockLike {
  type: string;
  block_id?: string;
  element?: ElementLike;
  elements?: ElementLike[];
  accessory?: ElementLike;
}

/** Any view the app sent: typed as @slack/types' ModalView or as plain JSON. */
type View = object;

function blocksOf(view: View): BlockLike[] {
  return (view as { blocks?: BlockLike[] }).blocks ?? [];
}

function optionsOf(element: ElementLike): Option[] {
  return [...(element.options ?? []), ...(element.option_groups ?? []).flatMap((group) => group.options)];
}

function findOption(element: ElementLike, value: string): Option {
  return (
    optionsOf(element).find((candidate) => candidate.value === value) ?? {
      value,
      text: { type: "plain_text", text: value },
    }
  );
}

export function stateValues(view: View, inputs: Inputs = {}): Record<string, Record<string, Json>> {
  const values: Record<string, Record<string, Json>> = {};
  for (const block of blocksOf(view)) {
    if (block.type !== "input" || !block.element) continue;
    const element = block.element;
    const typed = Object.hasOwn(inputs, element.action_id) ? inputs[element.action_id] : undefined;
    const given = typed !== undefined;
    let state: Json;
    switch (element.type) {
      case "plain_text_input":
        state = { type: element.type, value: given ? typed : (element.initial_value ?? null) };
        break;
      case "checkboxes":
      case "multi_static_select":
        state = {
          type: element.type,
          selected_options: given
            ? ((typed as string[] | null) ?? []).map((value) => findOption(element, value))
            : (element.initial_options ?? []),
        };
        break;
      default:
        state = {
          type: element.type,
          selected_option: given
            ? typed === null
              ? null
              : findOption(element, String(typed))
            : (element.initial_option ?? null),
        };
    }
    values[String(block.block_id)] = { [element.action_id]: state };
  }
  return values;
}

export interface ViewContext {
  viewId: string;
  userId?: string;
  previousViewId?: string | null;
}

export function viewSubmission(view: View, context: ViewContext, inputs: Inputs = {}): Json {
  return {
    type: "view_submission",
    team: { id: "T0TEST", domain: "acme" },
    user: { id: context.userId ?? "U0ANN", name: "ann", team_id: "T0TEST" },
    api_app_id: "A0TEST",
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    view: {
      ...view,
      id: context.viewId,
      hash: "h",
      previous_view_id: context.previousViewId ?? null,
      root_view_id: context.viewId,
      state: { values: stateValues(view, inputs) },
    },
    response_urls: [],
  };
}

/**
 * A click or choice on one element of the view: an input that dispatches actions, a button, or an
 * overflow or select outside the inputs. For the last, `inputs[actionId]` is the option chosen, and
 * it also tells apart elements that share the action_id (one overflow menu per row).
 */
export function viewBlockAction(
  view: View,
  context: ViewContext,
  actionId: string,
  inputs: Inputs = {},
): Json {
  const values = stateValues(view, inputs);
  const chosen = inputs[actionId];
  const { blockId, element } = findElement(view, actionId, typeof chosen === "string" ? chosen : undefined);
  return {
    type: "block_actions",
    user: { id: context.userId ?? "U0ANN", username: "ann", team_id: "T0TEST" },
    api_app_id: "A0TEST",
    team: { id: "T0TEST", domain: "acme" },
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    container: { type: "view", view_id: context.viewId },
    view: { ...view, id: context.viewId, hash: "h", state: { values } },
    actions: [
      {
        ...(values[blockId]?.[actionId] ?? actionState(element, chosen)),
        action_id: actionId,
        block_id: blockId,
        action_ts: "1700000001.1",
      },
    ],
  };
}

function findElement(view: View, actionId: string, chosen: string | undefined) {
  const matches = blocksOf(view).flatMap((block) =>
    [block.element, block.accessory, ...(block.elements ?? [])]
      .filter((element) => element?.action_id === actionId)
      .map((element) => ({ blockId: block.block_id ?? "", element: element as ElementLike })),
  );
  const match =
    matches.find(({ element }) => optionsOf(element).some((option) => option.value === chosen)) ?? matches[0];
  if (!match) throw new Error(`the view has no element with action_id ${actionId}`);
  return match;
}

function actionState(element: ElementLike, chosen: Inputs[string] | undefined): Json {
  if (element.type === "button") return { type: element.type, value: element.value, text: element.text };
  return {
    type: element.type,
    selected_option: chosen === undefined || chosen === null ? null : findOption(element, String(chosen)),
  };
}

let homeEvents = 0;
/**
 * The App Home tab opened by `user`, as Slack sends the event (JSON; Bolt reads the same body from
 * the driver's `payload` form field). Each call is a new event id.
 */
export function appHomeOpened(user: string, tab: "home" | "messages" = "home") {
  homeEvents += 1;
  return {
    type: "event_callback",
    team_id: "T0TEST",
    api_app_id: "A0TEST",
    event_id: `EvHome${homeEvents}`,
    event_time: 1_700_000_000,
    event: { type: "app_home_opened", user, channel: "D0HOME", tab, event_ts: `1700000000.${homeEvents}` },
  };
}

/** A button click on a message the bot posted; the block defaults to the order message's buttons. */
export function messageButton(
  message: { channel: string; ts: string },
  actionId: string,
  value: string,
  context: { userId: string; responseUrl: string },
  blockId = "order_actions",
): Json {
  return {
    type: "block_actions",
    user: { id: context.userId, username: context.userId.toLowerCase(), team_id: "T0TEST" },
    api_app_id: "A0TEST",
    team: { id: "T0TEST", domain: "acme" },
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    container: { type: "message", message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    channel: { id: message.channel, name: "ssl-ops" },
    message: { ts: message.ts, type: "message" },
    response_url: context.responseUrl,
    actions: [{ type: "button", action_id: actionId, block_id: blockId, value, action_ts: "1700000002.1" }],
  };
}

/** The view a views.open / push / update / publish call carried. */
export function viewOf<View = Json>(call: RecordedCall): View {
  return call.args.view as View;
}

export function blockIds(view: { blocks: { block_id?: string }[] }): string[] {
  return view.blocks.map((block) => block.block_id ?? "");
}

export function findBlock<Block = Json>(view: { blocks: unknown[] }, blockId: string): Block {
  const block = view.blocks.find((candidate) => (candidate as { block_id?: string }).block_id === blockId);
  if (!block) throw new Error(`the view has no block ${blockId}`);
  return block as Block;
}

/** All the text a view or message shows, for assertions that do not care about layout. */
export function textOf(value: unknown): string {
  return JSON.stringify(value);
}

/** A message shortcut (`callbackId`) used on `message`, as Slack sends it. */
export function messageShortcut(
  callbackId: string,
  message: { channel: string; ts: string; thread_ts?: string },
  responseUrl: string,
  userId = "U0ANN",
) {
  return {
    type: "message_action",
    callback_id: callbackId,
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    response_url: responseUrl,
    message_ts: message.ts,
    message: { type: "message", ts: message.ts, thread_ts: message.thread_ts, text: "hello", user: "U0BOB" },
    channel: { id: message.channel, name: "ssl-ops" },
    user: { id: userId, name: userId.toLowerCase() },
    team: { id: "T0TEST", domain: "acme" },
    action_ts: "1700000003.1",
  };
}

/** What Slack sends when a person opens an external select's menu (`value` "") or types in it. */
export function blockSuggestion(actionId: string, value: string, userId = "U0ANN"): Json {
  return {
    type: "block_suggestion",
    user: { id: userId, team_id: "T0TEST" },
    team: { id: "T0TEST" },
    action_id: actionId,
    block_id: `${actionId}_blk`,
    value,
    view: { id: "VX", type: "modal", callback_id: "any_form" },
  };
}
