import type { Product, ServerType } from "../../domain/product.js";

/**
 * Sectigo's reseller API has no product listing call, so the catalogue is curated from the
 * AutoApplyOrder product table (providers.md §1.8, docs.sectigo.com/sps/auto-apply-order/ssl-certificates).
 * 287/289 are also what third-party AutoApplySSL clients send. EV products are left out:
 * they need vetting data (EV click-through, signer details) certdesk does not collect.
 *
 * Periods: Sectigo sells multi-year as a bundle of one-year certificates, ordered by `days`.
 * Add-ons (SiteLock, CodeGuard, HackerGuardian) are ordered through AutoApplyOrder with their
 * own product codes, which were not found in any source (providers.md §1.8), so none are offered.
 */
const PERIODS = [12, 24];

function product(
  id: number,
  name: string,
  shape: Omit<Product, "id" | "name" | "periods" | "addons">,
): Product {
  return { id: String(id), name, periods: [...PERIODS], addons: [], ...shape };
}

export const SECTIGO_PRODUCTS: readonly Product[] = [
  product(287, "PositiveSSL", { validation: "DV", wildcard: false, multiDomain: false }),
  product(289, "PositiveSSL Wildcard", { validation: "DV", wildcard: true, multiDomain: false }),
  product(279, "PositiveSSL Multi-Domain", { validation: "DV", wildcard: false, multiDomain: true }),
  product(316, "SectigoSSL OV", { validation: "OV", wildcard: false, multiDomain: false }),
  product(322, "SectigoSSL OV Wildcard", { validation: "OV", wildcard: true, multiDomain: false }),
  product(583, "SectigoSSL OV Multi-Domain", { validation: "OV", wildcard: false, multiDomain: true }),
];

/**
 * The `serverSoftware` codes customers actually pick (providers.md §1.7). The code does not
 * change the certificate; it only tells Sectigo support what the customer runs.
 */
export const SECTIGO_SERVER_TYPES: readonly ServerType[] = [
  { id: "2", label: "Apache/mod_ssl", isDefault: true },
  { id: "14", label: "Microsoft IIS 5.x and later", isDefault: false },
  { id: "24", label: "Tomcat", isDefault: false },
  { id: "31", label: "WHM/cPanel", isDefault: false },
  { id: "30", label: "Plesk", isDefault: false },
  { id: "-1", label: "Other", isDefault: false },
];

export function findSectigoProduct(id: string): Product | undefined {
  return SECTIGO_PRODUCTS.find((candidate) => candidate.id === id);
}
