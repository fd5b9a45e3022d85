import { checkClientCsr } from "../certs/csr-check.js";
import { type DcvMethod, dcvMethodFor } from "../domain/dcv.js";
import { approverCovers, baseName, displayDomain, isWildcard } from "../domain/names.js";
import type { OrderField } from "../domain/order.js";
import {
  findProduct,
  type Product,
  type ProviderCatalogue,
  periodFor,
  periodText,
} from "../domain/product.js";
import { checkCountry, checkDomain } from "./validation.js";

/**
 * The one place that decides whether an order request is complete and fits what the provider
 * sells: the client, the domain and additional domains against the product (wildcard, multi-domain),
 * the period, server type, add-ons, validation method and approver address, and the country. Step 1
 * of the order form, the final submission, a renewal and the placement after an approval all ask
 * it; adapters check only their own wire format. A pure function: form values and the catalogue in,
 * the normalised order or one message per field out.
 */

export interface OrderRequestInput {
  clientId?: number;
  /** `provider:product`, as the form's product select names it. */
  productKey?: string;
  /** As typed; IDN, trailing dot, pasted URL and any case are accepted. */
  domain?: string;
  /** As typed, one entry per name. */
  sans?: string[];
  /** Missing: the product's one-year period (or its first). */
  periodMonths?: number;
  /** Missing: the provider's default (Apache/mod_ssl). */
  serverTypeId?: string;
  addonIds?: string[];
  /** Missing: e-mail. */
  dcvMethod?: DcvMethod;
  approverEmail?: string;
  country?: string;
  /** The client's own PEM CSR, when the client keeps its key; checked against the domains. */
  csr?: string;
}

export interface RequestContext {
  catalogue: ProviderCatalogue[];
  /**
   * The approver list the person chose from, for e-mail validation. Without it the address is only
   * required (the placement re-checks it against a fresh list from the provider).
   */
  approvers?: { domain: string; emails: string[] };
}

/** A request that passed every rule, normalised (ASCII domains, defaults filled in). */
export interface CheckedOrderRequest {
  clientId: number;
  providerId: string;
  product: Product;
  periodMonths: number;
  serverTypeId: string;
  dcvMethod: DcvMethod;
  approverEmail?: string;
  primaryDomain: string;
  sans: string[];
  addonIds: string[];
  country: string;
  /** The client's CSR, normalised, and its key's kind: certdesk then makes and keeps no key. */
  clientCsr?: { pem: string; keyAlgorithm: string };
}

export type RequestErrors = Partial<Record<OrderField, string>>;
export type OrderRequestCheck =
  | { ok: true; value: CheckedOrderRequest }
  | { ok: false; errors: RequestErrors };

export function checkOrderRequest(input: OrderRequestInput, context: RequestContext): OrderRequestCheck {
  const errors: RequestErrors = {};
  const fail = (field: OrderField, message: string) => {
    errors[field] ??= message;
  };
  if (!input.clientId) fail("client", "Choose the client this certificate is for.");

  const chosen = findProduct(context.catalogue, input.productKey);
  if (!chosen) fail("product", productMissing(input.productKey, context.catalogue));
  const product = chosen?.product;
  const entry = chosen?.entry;

  const domain = checkDomain(input.domain ?? "");
  if (!domain.ok) fail("domain", domain.message);
  else if (product) {
    const fits = wildcardFit(product, domain.value);
    if (fits) fail("domain", fits);
  }

  const sans: string[] = [];
  for (const raw of input.sans ?? []) {
    const san = checkDomain(raw);
    if (!san.ok) {
      fail("sans", `${raw}: ${san.message}`);
      break;
    }
    if (product && isWildcard(san.value) && !product.wildcard) {
      fail("sans", `${product.name} does not cover wildcard names: remove "*." from ${san.value}.`);
      break;
    }
    if (domain.ok && san.value !== domain.value && !sans.includes(san.value)) sans.push(san.value);
  }
  if (product && sans.length > 0 && !product.multiDomain) {
    fail("sans", `${product.name} covers one domain: pick a multi-domain product for more.`);
  }

  const periodMonths = product ? (input.periodMonths ?? periodFor(product.periods)) : 0;
  if (product && !product.periods.includes(periodMonths)) {
    fail("period", `${product.name} is sold for ${product.periods.map(periodText).join(" or ")}.`);
  }

  const serverTypes = entry?.serverTypes ?? [];
  const serverTypeId =
    input.serverTypeId ?? serverTypes.find((type) => type.isDefault)?.id ?? serverTypes[0]?.id ?? "";
  if (
    entry &&
    input.serverTypeId !== undefined &&
    !serverTypes.some((type) => type.id === input.serverTypeId)
  ) {
    fail("serverType", "Choose a server type from the list.");
  }

  const unknownAddon = (input.addonIds ?? []).find((id) => !product?.addons.some((addon) => addon.id === id));
  if (product && unknownAddon) fail("addons", `${product.name} has no add-on "${unknownAddon}".`);

  const dcvMethod = input.dcvMethod ?? dcvMethodFor(entry?.provider.dcvMethods ?? []);
  if (entry && !entry.provider.dcvMethods.includes(dcvMethod)) {
    fail("dcvMethod", `${entry.provider.displayName} does not offer ${DCV_NAMES[dcvMethod]} validation.`);
  } else if (dcvMethod === "http" && domain.ok && [domain.value, ...sans].some(isWildcard)) {
    // CA/Browser Forum Baseline Requirements 3.2.2.4.18: a file on a web server proves one name only.
    const offered = entry?.provider.dcvMethods ?? ["dns", "email"];
    const others = (["dns", "email"] as const).filter((method) => offered.includes(method));
    fail(
      "dcvMethod",
      `A file on a web server cannot prove control of a wildcard domain: choose ${others.map((method) => DCV_NAMES[method]).join(" or ")} validation.`,
    );
  }
  if (dcvMethod === "email" && domain.ok) {
    const loaded = context.approvers;
    if (loaded && loaded.domain !== baseName(domain.value)) {
      fail("domain", "Press Enter in the Domain field to load the approver addresses, then choose one.");
    } else if (!input.approverEmail || (loaded && !loaded.emails.includes(input.approverEmail))) {
      fail("approverEmail", "Choose an approver address from the list.");
    } else if (entry?.provider.oneApproverForAllDomains) {
      const approver = input.approverEmail;
      const outside = sans.find((san) => !approverCovers(approver, san));
      if (outside) {
        fail(
          "dcvMethod",
          `${entry.provider.displayName} takes one approver address for every domain, and ${approver} cannot approve ${displayDomain(outside)}: choose DNS or HTTP validation.`,
        );
      }
    }
  }

  const country = checkCountry(input.country ?? "");
  if (!country.ok) fail("country", country.message);

  let clientCsr: CheckedOrderRequest["clientCsr"];
  if (input.csr?.trim() && domain.ok) {
    const checked = checkClientCsr(input.csr, { domains: [domain.value, ...sans] });
    if (checked.ok) clientCsr = { pem: checked.csrPem, keyAlgorithm: checked.keyAlgorithm };
    else fail("csr", checked.message);
  }

  if (Object.keys(errors).length > 0 || !input.clientId || !chosen || !domain.ok || !country.ok) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    value: {
      clientId: input.clientId,
      providerId: chosen.entry.provider.id,
      product: chosen.product,
      periodMonths,
      serverTypeId,
      dcvMethod,
      approverEmail: dcvMethod === "email" ? input.approverEmail : undefined,
      primaryDomain: domain.value,
      sans,
      addonIds: input.addonIds ?? [],
      country: country.value,
      ...(clientCsr ? { clientCsr } : {}),
    },
  };
}

const DCV_NAMES: Record<DcvMethod, string> = { email: "e-mail", http: "HTTP file", dns: "DNS" };

function wildcardFit(product: Product, domain: string): string | undefined {
  if (isWildcard(domain) && !product.wildcard) {
    return `${product.name} does not cover wildcards: pick a wildcard product or remove "*.".`;
  }
  if (!isWildcard(domain) && product.wildcard) {
    return `${product.name} is a wildcard certificate: enter the domain as *.${domain}.`;
  }
  return undefined;
}

function productMissing(key: string | undefined, catalogue: ProviderCatalogue[]): string {
  if (!key) return "Choose a product.";
  const providerId = key.slice(0, key.indexOf(":"));
  const entry = catalogue.find((candidate) => candidate.provider.id === providerId);
  if (!entry) return `The provider "${providerId}" is not enabled here.`;
  if (entry.state !== "ready") {
    return `${entry.provider.displayName}'s products are ${entry.state === "loading" ? "still loading" : "unavailable"}: try again in a minute.`;
  }
  return `${entry.provider.displayName} no longer offers this product: choose another.`;
}
