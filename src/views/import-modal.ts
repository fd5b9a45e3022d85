import type { InputBlock, KnownBlock, ModalView } from "@slack/types";
import { format } from "date-fns/format";
import {
  context,
  escapeMrkdwn,
  fieldWarning,
  markdownSection,
  messageModal,
  option,
  plain,
} from "./blocks.js";
import { ORDER_ACTIONS } from "./order-modal.js";

/**
 * `/ssl import`: track a certificate certdesk did not order. The certificate comes pasted (PEM,
 * with its chain) or fetched from the host that serves it.
 *
 * Slack's plain_text_input holds at most 3000 characters, about one certificate; a chain of a
 * certificate and two intermediates is 5000–7000. So the form has PEM_BOXES boxes of 3000
 * characters read as one text (whole certificates per box, any order: they are put in order):
 * 9000 characters, a certificate and two or three intermediates. A longer one (many names) is
 * fetched from its host, which sends its chain itself, or imported with `npm run import-certs`.
 * A file_input would need files:read and a download from Slack, for what the host field does.
 */

export const IMPORT_CALLBACK = "ssl_import";
export const IMPORT_DONE_CALLBACK = "ssl_import_done";
export const PEM_BOXES = 3;
export const PEM_BOX_MAX = 3000;

export const IMPORT_BLOCKS = {
  client: "import_client_blk",
  host: "import_host_blk",
  pem: (box: number) => `import_pem_blk_${box}`,
  providerOrderId: "import_order_id_blk",
} as const;

export const IMPORT_ACTIONS = {
  /** The order form's client search answers this menu too (commands/order/step1.ts). */
  client: ORDER_ACTIONS.client,
  host: "import_host",
  pem: (box: number) => `import_pem_${box}`,
  providerOrderId: "import_order_id",
} as const;

export interface ImportFormValues {
  client?: { id: number; name: string };
  host?: string;
  /** One entry per box. */
  pems?: string[];
  providerOrderId?: string;
}

export function importModal(data: {
  values?: ImportFormValues;
  privateMetadata: string;
  /** Shown at the top: why the last attempt did not import (the fields keep what was typed). */
  problem?: string;
}): ModalView {
  const values = data.values ?? {};
  const blocks: KnownBlock[] = [
    markdownSection(
      "Track a certificate certdesk did not order: expiry alerts, lists and Details will cover it. " +
        "Give the *host* that serves it, or paste the *certificate* with its chain.",
    ),
  ];
  if (data.problem) blocks.push(fieldWarning(escapeMrkdwn(data.problem)));
  blocks.push(
    {
      type: "input",
      block_id: IMPORT_BLOCKS.client,
      label: plain("Client"),
      element: {
        type: "external_select",
        action_id: IMPORT_ACTIONS.client,
        placeholder: plain("Search clients"),
        min_query_length: 0,
        ...(values.client ? { initial_option: option(values.client.name, String(values.client.id)) } : {}),
      },
    },
    {
      type: "input",
      block_id: IMPORT_BLOCKS.host,
      optional: true,
      label: plain("Host (fetch the certificate it serves)"),
      hint: plain("host or host:port (443 unless given), e.g. www.example.com or mail.example.com:465"),
      element: {
        type: "plain_text_input",
        action_id: IMPORT_ACTIONS.host,
        max_length: 300,
        placeholder: plain("www.example.com:443"),
        ...(values.host ? { initial_value: values.host } : {}),
      },
    },
    ...Array.from({ length: PEM_BOXES }, (_, index) => pemBox(index + 1, values.pems?.[index])),
    {
      type: "input",
      block_id: IMPORT_BLOCKS.providerOrderId,
      optional: true,
      label: plain("Provider's order id (if certdesk ordered it)"),
      hint: plain("Matches the certificate to certdesk's own order instead of tracking it twice."),
      element: {
        type: "plain_text_input",
        action_id: IMPORT_ACTIONS.providerOrderId,
        max_length: 100,
        ...(values.providerOrderId ? { initial_value: values.providerOrderId } : {}),
      },
    },
    context(
      "A private key is never taken here: paste certificates only. A chain longer than the boxes: give the host, or use `npm run import-certs`.",
    ),
  );
  return {
    type: "modal",
    callback_id: IMPORT_CALLBACK,
    title: plain("Import certificate", 24),
    submit: plain("Import", 24),
    close: plain("Cancel", 24),
    private_metadata: data.privateMetadata,
    blocks,
  };
}

function pemBox(box: number, value: string | undefined): InputBlock {
  return {
    type: "input",
    block_id: IMPORT_BLOCKS.pem(box),
    optional: true,
    label: plain(
      box === 1 ? "Certificate (PEM), or leave empty for the host" : `Chain, continued (box ${box})`,
    ),
    ...(box === 1
      ? {
          hint: plain(
            `Paste from -----BEGIN CERTIFICATE-----. A box holds ${PEM_BOX_MAX} characters (about one certificate): put the intermediates in the next boxes, whole certificates per box.`,
          ),
        }
      : {}),
    element: {
      type: "plain_text_input",
      action_id: IMPORT_ACTIONS.pem(box),
      multiline: true,
      max_length: PEM_BOX_MAX,
      ...(value ? { initial_value: value } : {}),
    },
  };
}

export function importProgressView(what: string): ModalView {
  return messageModal({
    title: "Import certificate",
    text: `:hourglass_flowing_sand: ${escapeMrkdwn(what)}`,
  });
}

/** What an import did, as plain data (orders/certificate-import.ts says it). */
export interface ImportResultSummary {
  kind: "imported" | "already_tracked";
  reference: string;
  commonName: string;
  issuer: string;
  notAfter: Date;
  clientName: string;
  chainLength: number;
  notes: string[];
}

/** The confirmation (ephemeral message and the modal's last view): the certificate, its expiry, its client. */
export function importResultText(result: ImportResultSummary): string {
  const name = `*${escapeMrkdwn(result.commonName)}*`;
  const until = format(result.notAfter, "yyyy-MM-dd");
  if (result.kind === "already_tracked") {
    return `:information_source: ${name} is already tracked as *${escapeMrkdwn(result.reference)}* (${escapeMrkdwn(result.clientName)}), valid until ${until}: nothing was stored twice.`;
  }
  const chain =
    result.chainLength === 0
      ? "no chain"
      : `${result.chainLength} chain certificate${result.chainLength === 1 ? "" : "s"}`;
  const notes = result.notes.map((note) => `\n• ${escapeMrkdwn(note)}`).join("");
  return (
    `:white_check_mark: Imported ${name} for *${escapeMrkdwn(result.clientName)}* as *${escapeMrkdwn(result.reference)}*: ` +
    `issued by ${escapeMrkdwn(result.issuer)}, valid until ${until} (${chain}). Expiry alerts cover it.${notes}`
  );
}

export function importDoneView(result: ImportResultSummary): ModalView {
  return messageModal({
    title: "Import certificate",
    text: importResultText(result),
    callbackId: IMPORT_DONE_CALLBACK,
    clearOnClose: true,
  });
}
