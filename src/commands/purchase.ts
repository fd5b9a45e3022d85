import type { DcvMethod } from "../domain/dcv.js";
import { moneyText, quoteOrder } from "../domain/money.js";
import { displayDomain } from "../domain/names.js";
import { findProduct, productKey } from "../domain/product.js";
import type { PurchaseReview } from "../views/purchase-review.js";
import type { FeatureContext } from "./context.js";

/** What an order or a renewal would buy, as its review step shows it: names and list prices from the catalogue. */
export function purchaseReview(
  context: Pick<FeatureContext, "catalogue" | "providers">,
  order: {
    providerId: string;
    productId: string;
    productName?: string;
    periodMonths: number;
    addonIds: string[];
    primaryDomain: string;
    sans: string[];
    dcvMethod: DcvMethod;
    approverEmail?: string;
    clientCsr?: string;
    keepKey?: boolean;
  },
  clientName: string,
  renews?: string,
): PurchaseReview {
  const chosen = findProduct(context.catalogue.snapshot(), productKey(order.providerId, order.productId));
  const price = chosen ? quoteOrder(chosen.product, order) : undefined;
  return {
    clientName,
    providerName: context.providers.nameOf(order.providerId),
    productName: chosen?.product.name ?? order.productName ?? order.productId,
    periodMonths: order.periodMonths,
    domains: [order.primaryDomain, ...order.sans].map(displayDomain),
    validation: { method: order.dcvMethod, approverEmail: order.approverEmail },
    addons: order.addonIds.map((id) => chosen?.product.addons.find((addon) => addon.id === id)?.name ?? id),
    price: price ? moneyText(price) : undefined,
    free: Boolean(chosen?.product.free),
    renews,
    key: order.clientCsr ? "client_csr" : order.keepKey ? "kept" : "new",
  };
}
