/**
 * Builds interactivity payloads from the views the app sent to the fake Web API, as Slack's
 * client would: state.values hold each input's initial value unless the test "types" another.
 */

type Json = Record<string, unknown>;
export type Inputs = Record<string, string | string[] | null>;

interface ElementLike {
  type: string;
  action_id: string;
  initial_value?: string;
  initial_option?: { value: string; text: unknown };
  initial_options?: { value: string; text: unknown }[];
  options?: { value: string; text: unknown }[];
  option_groups?: { options: { value: string; text: unknown }[] }[];
}

function findOption(element: ElementLike, value: string) {
  const all = [
    ...(element.options ?? []),
    ...(element.option_groups ?? []).flatMap((group) => group.options),
  ];
  return (
    all.find((candidate) => candidate.value === value) ?? { value, text: { type: "plain_text", text: value } }
  );
}

export function stateValues(view: Json, inputs: Inputs = {}): Record<string, Record<string, Json>> {
  const values: Record<string, Record<string, Json>> = {};
  for (const block of (view.blocks as Json[]) ?? []) {
    if (block.type !== "input") continue;
    const element = block.element as ElementLike;
    const typed = Object.hasOwn(inputs, element.action_id) ? inputs[element.action_id] : undefined;
    const given = typed !== undefined;
    let state: Json;
    switch (element.type) {
      case "plain_text_input":
        state = { type: element.type, value: given ? typed : (element.initial_value ?? null) };
        break;
      case "checkboxes":
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

export function viewSubmission(view: Json, context: ViewContext, inputs: Inputs = {}): Json {
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

export function viewBlockAction(
  view: Json,
  context: ViewContext,
  actionId: string,
  inputs: Inputs = {},
): Json {
  const values = stateValues(view, inputs);
  const blockId = Object.keys(values).find((id) => values[id]?.[actionId]) ?? "";
  const state = values[blockId]?.[actionId] ?? {};
  return {
    type: "block_actions",
    user: { id: context.userId ?? "U0ANN", username: "ann", team_id: "T0TEST" },
    api_app_id: "A0TEST",
    team: { id: "T0TEST", domain: "acme" },
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    container: { type: "view", view_id: context.viewId },
    view: { ...view, id: context.viewId, hash: "h", state: { values } },
    actions: [{ ...state, action_id: actionId, block_id: blockId, action_ts: "1700000001.1" }],
  };
}

/** A button click on a message the bot posted (order message buttons). */
export function messageButton(
  message: { channel: string; ts: string },
  actionId: string,
  value: string,
  context: { userId: string; responseUrl: string },
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
    actions: [
      { type: "button", action_id: actionId, block_id: "order_actions", value, action_ts: "1700000002.1" },
    ],
  };
}

/** All the text a view or message shows, for assertions that do not care about layout. */
export function textOf(value: unknown): string {
  return JSON.stringify(value);
}
