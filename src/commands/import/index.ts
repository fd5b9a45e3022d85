import type { App } from "@slack/bolt";
import { z } from "zod";
import {
  CertificateImportError,
  holdsPrivateKey,
  PRIVATE_KEY_REFUSAL,
  readCertificateBundle,
} from "../../certs/import-check.js";
import { parseHostPort } from "../../domain/imported.js";
import type { ImportOutcome, ImportRequest } from "../../orders/certificate-import.js";
import { findClientByName, getClient } from "../../orders/clients.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import {
  IMPORT_ACTIONS,
  IMPORT_BLOCKS,
  IMPORT_CALLBACK,
  type ImportFormValues,
  type ImportResultSummary,
  importDoneView,
  importModal,
  importProgressView,
  importResultText,
  PEM_BOXES,
} from "../../views/import-modal.js";
import type { Feature, FeatureContext } from "../context.js";
import { guard, refusalFor } from "../guard.js";
import { modalPayload, parseMetadata, type StateValues } from "../payloads.js";

/**
 * `/ssl import`: track a certificate certdesk did not order. With no host it opens the form
 * (views/import-modal.ts: client, host or pasted PEM, provider order id); `/ssl import host[:port]
 * <client>` fetches and imports at once. The import itself is orders/certificate-import.ts; the
 * order message and its thread follow from its "imported" event like any order's.
 */

const USAGE =
  "Usage: `/ssl import` opens the import form; `/ssl import <host[:port]> <client>` fetches the certificate the host serves, e.g. `/ssl import www.example.com:443 Acme Ltd`.";

const metadataSchema = z.object({ channelId: z.string() });

export const importFeature: Feature = {
  register(app: App, context: FeatureContext) {
    const { db, logger, slack } = context;

    async function openForm(
      triggerId: string,
      channelId: string,
      values: ImportFormValues,
      problem?: string,
    ) {
      await slack.openModal(
        triggerId,
        importModal({ values, privateMetadata: JSON.stringify({ channelId }), problem }),
      );
    }

    context.ssl.on("import", async ({ request, userId, channelId, triggerId, reply }) => {
      const allowed = await guard(context, {
        userId,
        action: "import",
        subject: request.host ?? null,
        tell: (text) => reply({ text }),
      });
      if (!allowed) return;
      if (!request.host) {
        await openForm(triggerId, channelId, {});
        return;
      }
      const target = parseHostPort(request.host);
      if (!target) {
        await reply({ text: `That is not a host name or host:port. ${USAGE}` });
        return;
      }
      const client = request.client ? await findClientByName(db, request.client) : undefined;
      if (!client) {
        // The trigger lives ~3 s: the form opens with the host filled in and the client to pick.
        const problem = request.client
          ? `No client named “${request.client}”: pick one, or add it with /ssl client add.`
          : undefined;
        await openForm(triggerId, channelId, { host: request.host }, problem);
        return;
      }
      const outcome = await context.imports.importCertificate({
        source: { kind: "host", target },
        clientId: client.id,
        requestedBy: userId,
        slackChannel: channelId,
      });
      await reply({
        text:
          outcome.kind === "refused"
            ? `:warning: ${escapeMrkdwn(outcome.message)} Nothing was imported.`
            : importResultText(summaryOf(outcome)),
      });
    });

    app.view(IMPORT_CALLBACK, async ({ ack, body }) => {
      const parsed = modalPayload.safeParse(body);
      if (!parsed.success || !parsed.data.view.state) {
        await ack({
          response_action: "errors",
          errors: { [IMPORT_BLOCKS.host]: "This form expired: run /ssl import again." },
        });
        return;
      }
      const { user, view } = parsed.data;
      const metadata = parseMetadata(metadataSchema, view.private_metadata) ?? { channelId: user.id };
      const form = readForm(view.state?.values ?? {});
      const refusal = await refusalFor(context, {
        userId: user.id,
        action: "import",
        subject: form.host ?? null,
      });
      if (refusal) {
        await ack({ response_action: "errors", errors: { [IMPORT_BLOCKS.client]: refusal.sentence } });
        return;
      }
      const checked = checkForm(form, context.clock.now());
      if ("errors" in checked) {
        await ack({ response_action: "errors", errors: checked.errors });
        return;
      }
      await ack({
        response_action: "update",
        view: importProgressView(
          checked.source.kind === "host"
            ? `Fetching the certificate from ${form.host}…`
            : "Importing the certificate…",
        ),
      });
      const client = await getClient(db, checked.clientId);
      const values: ImportFormValues = {
        ...form,
        client: client ? { id: client.id, name: client.name } : undefined,
      };
      const again = (problem: string) =>
        slack.updateModal(
          view.id,
          importModal({ values, privateMetadata: view.private_metadata ?? "", problem }),
        );
      try {
        const outcome = await context.imports.importCertificate({
          source: checked.source,
          clientId: checked.clientId,
          requestedBy: user.id,
          slackChannel: metadata.channelId,
          providerOrderId: form.providerOrderId,
        });
        if (outcome.kind === "refused") {
          await again(`${outcome.message} Nothing was imported.`);
          return;
        }
        const summary = summaryOf(outcome);
        await slack.updateModal(view.id, importDoneView(summary));
        await slack.tellInChannel(metadata.channelId, user.id, { text: importResultText(summary) });
      } catch (error) {
        logger.error("/ssl import failed:", error);
        await again(context.describeFailure(error)).catch(() => undefined);
      }
    });
  },
};

interface ReadForm {
  clientId?: number;
  host?: string;
  pems: string[];
  providerOrderId?: string;
}

function readForm(values: StateValues): ReadForm {
  const text = (block: string, action: string) => {
    const value = values[block]?.[action]?.value?.trim();
    return value ? value : undefined;
  };
  const clientValue = values[IMPORT_BLOCKS.client]?.[IMPORT_ACTIONS.client]?.selected_option?.value;
  const clientId = z.coerce.number().int().positive().max(2_147_483_647).safeParse(clientValue);
  return {
    clientId: clientId.success ? clientId.data : undefined,
    host: text(IMPORT_BLOCKS.host, IMPORT_ACTIONS.host),
    pems: Array.from({ length: PEM_BOXES }, (_, index) =>
      (values[IMPORT_BLOCKS.pem(index + 1)]?.[IMPORT_ACTIONS.pem(index + 1)]?.value ?? "").trim(),
    ),
    providerOrderId: text(IMPORT_BLOCKS.providerOrderId, IMPORT_ACTIONS.providerOrderId),
  };
}

/**
 * What can be said in the submission's ack (field errors; nothing typed is lost): a private key
 * anywhere, no client, neither or both of host and certificate, a host that is no host, a pasted
 * text that is not a usable certificate. Fetching from a host is left for after the ack.
 */
function checkForm(
  form: ReadForm,
  now: Date,
): { errors: Record<string, string> } | { clientId: number; source: ImportRequest["source"] } {
  const firstPemBox = IMPORT_BLOCKS.pem(Math.max(1, form.pems.findIndex(Boolean) + 1));
  const fields: [string, string | undefined][] = [
    [IMPORT_BLOCKS.host, form.host],
    ...form.pems.map((pem, index): [string, string] => [IMPORT_BLOCKS.pem(index + 1), pem]),
    [IMPORT_BLOCKS.providerOrderId, form.providerOrderId],
  ];
  const withKey = fields.find(([, value]) => value && holdsPrivateKey(value));
  if (withKey) return { errors: { [withKey[0]]: PRIVATE_KEY_REFUSAL } };
  if (form.clientId === undefined) return { errors: { [IMPORT_BLOCKS.client]: "Pick the client." } };
  const pasted = form.pems.filter(Boolean).join("\n");
  if (!form.host && !pasted) {
    return {
      errors: {
        [IMPORT_BLOCKS.host]: "Give the host that serves the certificate, or paste the certificate below.",
      },
    };
  }
  if (form.host && pasted) {
    return {
      errors: {
        [IMPORT_BLOCKS.host]: "Either the host or the pasted certificate, not both: empty one of them.",
      },
    };
  }
  if (form.host) {
    const target = parseHostPort(form.host);
    if (!target) {
      return {
        errors: {
          [IMPORT_BLOCKS.host]:
            "That is not a host name or host:port, e.g. www.example.com or mail.example.com:465.",
        },
      };
    }
    return { clientId: form.clientId, source: { kind: "host", target } };
  }
  try {
    readCertificateBundle(pasted, now);
  } catch (error) {
    if (error instanceof CertificateImportError) return { errors: { [firstPemBox]: error.message } };
    throw error;
  }
  return { clientId: form.clientId, source: { kind: "pem", text: pasted } };
}

function summaryOf(outcome: Exclude<ImportOutcome, { kind: "refused" }>): ImportResultSummary {
  const { details, chainPems } = outcome.bundle;
  return {
    kind: outcome.kind,
    reference: outcome.order.reference,
    commonName: details.subject || details.sans[0] || outcome.order.primaryDomain,
    issuer: details.issuer,
    notAfter: details.notAfter,
    clientName: outcome.clientName,
    chainLength: chainPems.length,
    notes: outcome.kind === "imported" ? outcome.notes : [],
  };
}
