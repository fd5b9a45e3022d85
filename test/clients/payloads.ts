import { randomUUID } from "node:crypto";
import type { ModalView } from "@slack/types";
import type { RecordedCall } from "../support/slack-api-fake.js";

/** Interactive payloads as Slack sends them for the client modals and the clients list. */

const team = { id: "T0TEST", domain: "acme" };

export type StateValues = Record<string, Record<string, Record<string, unknown>>>;

/** A plain_text_input as it arrives in state.values; empty optional inputs arrive as null. */
export function typed(blockId: string, value: string | null): StateValues {
  return { [blockId]: { [blockId]: { type: "plain_text_input", value } } };
}

export function selected(blockId: string, value: string | null): StateValues {
  const option = value === null ? null : { value, text: { type: "plain_text", text: value } };
  return { [blockId]: { [blockId]: { type: "static_select", selected_option: option } } };
}

export function clientValues(fields: Record<string, string | null> = {}): StateValues {
  const text: Record<string, string | null> = {
    client_name: "Acme Ltd",
    client_organisation: "Acme Limited",
    client_street: "1 High Street",
    client_city: "London",
    client_state: null,
    client_postal_code: "EC1A 1BB",
    client_phone: "+44 20 7946 0000",
    client_email: "admin@acme.example",
    client_expiry_days: null,
    ...fields,
  };
  const { client_country: country = "GB", ...inputs } = text;
  return Object.assign(
    {},
    ...Object.entries(inputs).map(([blockId, value]) => typed(blockId, value)),
    selected("client_country", country),
  );
}

export function contactValues(fields: Record<string, string | null> = {}): StateValues {
  const text: Record<string, string | null> = {
    client_contact_first_name: "Jane",
    client_contact_last_name: "Doe",
    client_contact_email: "jane@acme.example",
    client_contact_phone: "020 7946 0001",
    client_contact_title: "CTO",
    ...fields,
  };
  return Object.assign({}, ...Object.entries(text).map(([blockId, value]) => typed(blockId, value)));
}

export function viewSubmission(
  view: { callback_id?: string; private_metadata?: string; id?: string },
  values: StateValues,
  userId = "U0ANN",
): Record<string, unknown> {
  return {
    type: "view_submission",
    team,
    user: { id: userId, name: "ann", team_id: team.id },
    api_app_id: "A0TEST",
    trigger_id: `trigger-${randomUUID()}`,
    view: {
      id: view.id ?? "V0SUBMIT",
      type: "modal",
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      hash: "1700000000.hash",
      state: { values },
    },
    response_urls: [],
  };
}

/** A button or overflow click inside a modal. */
export function modalAction(
  view: { id: string; callback_id?: string; private_metadata?: string },
  action: { action_id: string; block_id: string; value?: string; selected?: string },
  userId = "U0ANN",
): Record<string, unknown> {
  return {
    type: "block_actions",
    team,
    user: { id: userId, username: "ann", team_id: team.id },
    api_app_id: "A0TEST",
    trigger_id: `trigger-${randomUUID()}`,
    container: { type: "view", view_id: view.id },
    view: { ...view, type: "modal", hash: "1700000000.hash", state: { values: {} } },
    actions: [actionElement(action)],
  };
}

/** A button click on the ephemeral `/ssl clients` message. */
export function messageAction(
  action: { action_id: string; block_id: string; value: string },
  responseUrl: string,
  userId = "U0ANN",
): Record<string, unknown> {
  return {
    type: "block_actions",
    team,
    user: { id: userId, username: "ann", team_id: team.id },
    api_app_id: "A0TEST",
    trigger_id: `trigger-${randomUUID()}`,
    container: { type: "message", message_ts: "1700000000.000001", channel_id: "C0OPS", is_ephemeral: true },
    channel: { id: "C0OPS", name: "ssl-ops" },
    response_url: responseUrl,
    actions: [actionElement(action)],
  };
}

function actionElement(action: { action_id: string; block_id: string; value?: string; selected?: string }) {
  const base = { action_id: action.action_id, block_id: action.block_id, action_ts: "1700000001.000001" };
  if (action.selected) {
    return {
      ...base,
      type: "overflow",
      selected_option: { value: action.selected, text: { type: "plain_text", text: action.selected } },
    };
  }
  return { ...base, type: "button", value: action.value, text: { type: "plain_text", text: "button" } };
}

/** The view a views.open / push / update call carried. */
export function viewOf(call: RecordedCall): ModalView {
  return call.args.view as ModalView;
}

export function blockIds(view: { blocks: { block_id?: string }[] }): string[] {
  return view.blocks.map((block) => block.block_id ?? "");
}

export function findBlock<T = Record<string, unknown>>(view: { blocks: unknown[] }, blockId: string): T {
  const block = view.blocks.find((candidate) => (candidate as { block_id?: string }).block_id === blockId);
  if (!block) throw new Error(`no block ${blockId}`);
  return block as T;
}
