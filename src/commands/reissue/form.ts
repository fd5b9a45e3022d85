import { z } from "zod";
import type { KeyAlgorithm } from "../../certs/keys.js";
import { certificateLabel } from "../../domain/certificate.js";
import type { DcvMethod } from "../../domain/dcv.js";
import { displayDomain } from "../../domain/names.js";
import type { OrderField } from "../../domain/order.js";
import { listCertificates } from "../../orders/certificates.js";
import { getClient } from "../../orders/clients.js";
import { standingsForOrder } from "../../orders/domain-validations.js";
import type { ReissueKey } from "../../orders/reissue-service.js";
import type { Order } from "../../orders/repository.js";
import {
  KEY_CHOICES,
  type KeyChoice,
  REISSUE_BLOCKS,
  type ReissueField,
  type ReissueFormValues,
  reissueModalView,
} from "../../views/reissue-modal.js";
import type { FeatureContext } from "../context.js";
import { inputsByField, type StateValues } from "../payloads.js";

/** The reissue form's state, metadata and rendering. */

export const reissueMetadataSchema = z.object({ orderId: z.number().int(), channelId: z.string() });
export type ReissueMetadata = z.infer<typeof reissueMetadataSchema>;

/** Where a refusal is shown on the form. */
export const FORM_FIELD_FOR: Partial<Record<OrderField, ReissueField>> = {
  csr: "csr",
  domain: "sans",
  sans: "sans",
  dcvMethod: "dcvMethod",
  approverEmail: "approver",
};

export function readReissueForm(values: StateValues): ReissueFormValues {
  const fields = inputsByField(values, REISSUE_BLOCKS);
  const text = (field: ReissueField) => fields.get(field)?.value?.trim() || undefined;
  const key = fields.get("key")?.selected_option?.value;
  const sans = text("sans");
  return {
    key: key && key in KEY_CHOICES ? (key as KeyChoice) : undefined,
    csr: text("csr"),
    sans: sans === undefined ? (fields.has("sans") ? [] : undefined) : sans.split(/[\s,]+/).filter(Boolean),
    dcvMethod: (fields.get("dcvMethod")?.selected_option?.value as DcvMethod | undefined) ?? undefined,
    approverEmail: text("approver"),
  };
}

/** A pasted CSR wins; otherwise the chosen key (a new RSA-2048 when none was chosen). */
export function keyOf(values: ReissueFormValues): ReissueKey {
  if (values.csr) return { kind: "csr", csrPem: values.csr };
  if (values.key === "current") return { kind: "current" };
  const algorithm = (values.key ?? "new:rsa-2048").slice("new:".length) as KeyAlgorithm;
  return { kind: "new", algorithm };
}

export function valuesOf(order: Order): ReissueFormValues {
  return {
    key: "new:rsa-2048",
    sans: order.sans.map(displayDomain),
    dcvMethod: order.dcvMethod as DcvMethod,
    approverEmail: order.approverEmail ?? undefined,
  };
}

export async function renderReissueForm(
  context: FeatureContext,
  order: Order,
  values: ReissueFormValues,
  metadata: ReissueMetadata,
  extra: { topError?: string; warnings?: Partial<Record<ReissueField, string>> } = {},
) {
  const entry = context.catalogue.snapshot().find((candidate) => candidate.provider.id === order.provider);
  const product = entry?.products.find((candidate) => candidate.id === order.productId);
  const provider = context.providers.get(order.provider);
  const owner = await getClient(context.db, order.clientId);
  const issued = await listCertificates(context.db, order);
  return reissueModalView({
    label: certificateLabel(order.reference, issued.length + 1),
    primaryDomain: displayDomain(order.primaryDomain),
    clientName: owner?.name ?? "unknown client",
    productName: order.productName,
    providerName: provider.displayName,
    notAfter: order.notAfter,
    coverageEndsAt: order.coverageEndsAt,
    multiDomain: product?.multiDomain ?? order.sans.length > 0,
    hasCurrentKey: Boolean(order.encryptedPrivateKey),
    dcvMethods: provider.capabilities.dcvMethods,
    validations: (
      await standingsForOrder(context.db, order, {
        now: context.clock.now(),
        caDays: provider.capabilities.dcvReuseDays,
      })
    ).map((standing) => ({ ...standing, domain: displayDomain(standing.domain) })),
    values,
    warnings: extra.warnings,
    topError: extra.topError,
    privateMetadata: JSON.stringify(metadata),
  });
}
