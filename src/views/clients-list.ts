import type { ActionsBlock, Button, KnownBlock, SectionBlock } from "@slack/types";
import type { ClientSummary } from "../domain/client.js";
import { countryName } from "../domain/countries.js";
import { clip, escapeMrkdwn } from "./blocks.js";

/**
 * `/ssl clients`: one section per client (block_id client_list_row_<id>, button client_list_edit with
 * the client id), then client_list_pages (buttons client_list_previous / client_list_next whose value
 * is the offset of the page they show).
 */

export const CLIENT_LIST_ACTIONS = {
  previous: "client_list_previous",
  next: "client_list_next",
  edit: "client_list_edit",
} as const;

/** 20 rows + heading, pager and footer stay far below the 50 blocks a message may hold. */
export const CLIENTS_PAGE_SIZE = 20;

export interface ClientsPage {
  clients: ClientSummary[];
  total: number;
  offset: number;
  pageSize: number;
}

export interface ClientsListMessage {
  text: string;
  blocks: KnownBlock[];
}

export function clientsListMessage(page: ClientsPage): ClientsListMessage {
  if (page.total === 0) {
    const text =
      "There are no clients yet. Add one with `/ssl client add`, or import many at once from a CSV file (`npm run import-clients -- clients.csv`).";
    return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
  }
  const first = page.offset + 1;
  const last = page.offset + page.clients.length;
  const summary = `Clients ${first}–${last} of ${page.total}`;
  const blocks: KnownBlock[] = [
    { type: "section", block_id: "client_list_heading", text: { type: "mrkdwn", text: `*${summary}*` } },
    ...page.clients.map(clientRow),
  ];
  const pager = pagerBlock(page);
  if (pager) blocks.push(pager);
  blocks.push({
    type: "context",
    block_id: "client_list_footer",
    elements: [
      { type: "mrkdwn", text: "`/ssl client add` adds a client · `/ssl client edit <name>` edits one" },
    ],
  });
  return {
    text: `${summary}: ${page.clients.map((client) => escapeMrkdwn(client.name)).join(", ")}`,
    blocks,
  };
}

function clientRow(client: ClientSummary): SectionBlock {
  const place = client.country ? `${countryName(client.country)} (${client.country})` : "no country";
  const headline = [
    `*${escapeMrkdwn(client.name)}*`,
    client.organisation && escapeMrkdwn(client.organisation),
    place,
  ]
    .filter(Boolean)
    .join(" · ");
  const contact = client.defaultContact;
  const contactLine = contact
    ? `Default contact: ${escapeMrkdwn(`${contact.firstName} ${contact.lastName} <${contact.email}>`)}`
    : "No contact";
  const count = `${client.contactCount} contact${client.contactCount === 1 ? "" : "s"}`;
  return {
    type: "section",
    block_id: `client_list_row_${client.id}`,
    // Escaping can grow a name fivefold (&amp;): the row is clipped to what a section holds.
    text: { type: "mrkdwn", text: clip(`${headline}\n${contactLine} · ${count}`, 3000) },
    accessory: {
      type: "button",
      action_id: CLIENT_LIST_ACTIONS.edit,
      text: { type: "plain_text", text: "Edit" },
      value: String(client.id),
    },
  };
}

function pagerBlock(page: ClientsPage): ActionsBlock | undefined {
  const buttons: Button[] = [];
  if (page.offset > 0) {
    buttons.push(
      pageButton(CLIENT_LIST_ACTIONS.previous, "Previous", Math.max(0, page.offset - page.pageSize)),
    );
  }
  if (page.offset + page.clients.length < page.total) {
    buttons.push(pageButton(CLIENT_LIST_ACTIONS.next, "Next", page.offset + page.pageSize));
  }
  return buttons.length > 0
    ? { type: "actions", block_id: "client_list_pages", elements: buttons }
    : undefined;
}

function pageButton(actionId: string, label: string, offset: number): Button {
  return {
    type: "button",
    action_id: actionId,
    text: { type: "plain_text", text: label },
    value: String(offset),
  };
}
