import { and, eq, exists, gte, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Database } from "../db/client.js";
import { certificates, clients, orders } from "../db/schema.js";
import { OPEN_CERTIFICATE_STATUSES } from "../domain/certificate.js";
import {
  FORECAST_WEEKS,
  type Forecast,
  type ForecastCertificate,
  type ForecastRules,
  forecastWeeks,
} from "../domain/forecast.js";
import { type Money, parseMoneyText, quoteOrder } from "../domain/money.js";
import { findProduct, type ProviderCatalogue, productKey } from "../domain/product.js";

/**
 * What the forecast reads: every issued certificate no issued renewal has replaced whose expiry or
 * replacement can fall within the weeks shown, with what its renewal would cost. The counting is
 * domain/forecast.ts's; this only reads.
 */

const DAY_MS = 86_400_000;
const renewals = alias(orders, "renewals");

export async function loadForecast(
  db: Database,
  rules: ForecastRules & {
    /** The providers' product lists (Catalogue.get()), for list prices. */
    catalogue: ProviderCatalogue[];
  },
): Promise<Forecast> {
  const { now, catalogue } = rules;
  const weeks = rules.weeks ?? FORECAST_WEEKS;
  const overrides = await db
    .select({ days: clients.expiryDays })
    .from(clients)
    .where(isNotNull(clients.expiryDays));
  // A replacement falls due at most this many days before its certificate expires.
  const lead = Math.max(
    0,
    rules.autoReissueDays,
    ...rules.expiryDays,
    ...overrides.flatMap((row) => row.days ?? []),
  );
  // A week starts at most 7 days before now, whatever TZ; the domain counts exactly.
  const firstDay = new Date(now.getTime() - 8 * DAY_MS);
  const lastDay = new Date(now.getTime() + (weeks * 7 + 1) * DAY_MS);
  const rows = await db
    .select({
      notAfter: orders.notAfter,
      coverageEndsAt: orders.coverageEndsAt,
      renewalWindowStart: orders.renewalWindowStart,
      alertDays: clients.expiryDays,
      keyHeld: sql<boolean>`${orders.encryptedPrivateKey} is not null`,
      acknowledged: sql<boolean>`${orders.alertsAcknowledgedBy} is not null`,
      reissueUnderWay: sql<boolean>`${exists(
        db
          .select({ one: sql`1` })
          .from(certificates)
          .where(
            and(eq(certificates.orderId, orders.id), inArray(certificates.status, OPEN_CERTIFICATE_STATUSES)),
          ),
      )}`,
      renewalUnderWay: sql<boolean>`${exists(
        db
          .select({ one: sql`1` })
          .from(renewals)
          .where(
            and(
              eq(renewals.renewalOfId, orders.id),
              inArray(renewals.status, ["awaiting_approval", "submitting", "pending"]),
            ),
          ),
      )}`,
      provider: orders.provider,
      productId: orders.productId,
      periodMonths: orders.periodMonths,
      addonIds: orders.addonIds,
      sans: orders.sans,
      cost: orders.cost,
      quotedPrice: orders.quotedPrice,
    })
    .from(orders)
    .innerJoin(clients, eq(clients.id, orders.clientId))
    .where(
      and(
        eq(orders.status, "issued"),
        isNull(orders.renewedAt),
        gte(orders.notAfter, firstDay),
        or(
          lt(orders.notAfter, new Date(lastDay.getTime() + lead * DAY_MS)),
          lt(orders.renewalWindowStart, lastDay),
        ),
      ),
    );
  const certificatesDue: ForecastCertificate[] = rows.map((row) => ({
    notAfter: row.notAfter ?? now,
    coverageEndsAt: row.coverageEndsAt,
    renewalWindowStart: row.renewalWindowStart,
    alertDays: row.alertDays,
    keyHeld: row.keyHeld,
    acknowledged: row.acknowledged,
    reissueUnderWay: row.reissueUnderWay,
    renewalUnderWay: row.renewalUnderWay,
    renewalCost: renewalCost(row, catalogue),
  }));
  return forecastWeeks(certificatesDue, rules);
}

/**
 * A renewal buys the same product, period, add-ons and domains again: the provider's list price
 * for that (free products cost nothing), else what the provider charged last time, else the price
 * the person was shown then. Undefined when none is known (Sectigo publishes no list prices).
 */
function renewalCost(
  order: {
    provider: string;
    productId: string;
    periodMonths: number;
    addonIds: string[];
    sans: string[];
    cost: string | null;
    quotedPrice: string | null;
  },
  catalogue: ProviderCatalogue[],
): Money | undefined {
  const found = findProduct(catalogue, productKey(order.provider, order.productId));
  if (found?.product.free) return { amount: "0.00" };
  const listed = found ? quoteOrder(found.product, order) : undefined;
  return listed ?? parseMoneyText(order.cost) ?? parseMoneyText(order.quotedPrice);
}
