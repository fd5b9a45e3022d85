import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Forecast, type ForecastCertificate, forecastWeeks } from "../src/domain/forecast.js";
import { type Money, quote } from "../src/domain/money.js";
import { SANDBOX_PRODUCTS } from "../src/providers/sandbox/catalogue.js";
import { renderChart } from "../src/views/chart-image.js";
import { forecastChartSpec } from "../src/views/forecast-chart.js";

/**
 * The README's picture of the forecast chart (`/ssl forecast`, FORECAST_CRON): the real chart code
 * (domain/forecast.ts, views/forecast-chart.ts, views/chart-image.ts) fed with fixed example data,
 * 150 certificates of a hosting company on the sandbox provider's list prices, seen on Friday
 * 27 November 2026.
 *
 * `npx tsx scripts/forecast-example.ts` writes docs/forecast-example.png. The picture is not checked
 * byte for byte (fonts differ between machines); test/scripts/forecast-example.test.ts checks that
 * the README shows it and that it is the chart's size.
 */

export const EXAMPLE_PNG = fileURLToPath(new URL("../docs/forecast-example.png", import.meta.url));
const NOW = new Date("2026-11-27T10:00:00Z");
const DAY_MS = 86_400_000;

/** The sandbox's list price of a year of a product; ACME certificates are free. */
function yearOf(productId: string): Money | undefined {
  const product = SANDBOX_PRODUCTS.find((candidate) => candidate.id === productId);
  return product ? quote(product, { periodMonths: 12 }) : undefined;
}

const PRODUCTS = [
  "positivessl",
  "positivessl",
  "positivessl",
  "positivessl-wildcard",
  "instantssl",
  "ev-ssl",
];

/** The example certificates: spread over the next 200 days, plus one client's batch, and some ACME. */
export function exampleCertificates(): ForecastCertificate[] {
  const certificates: ForecastCertificate[] = [];
  const add = (
    index: number,
    days: number,
    options: { renew: boolean; productId?: string; acme?: boolean },
  ) => {
    const notAfter = new Date(NOW.getTime() + days * DAY_MS + (index % 24) * 3_600_000);
    certificates.push({
      notAfter,
      coverageEndsAt: options.renew ? notAfter : new Date(notAfter.getTime() + 200 * DAY_MS),
      // An ACME CA's renewal window opens at two thirds of a 90-day lifetime.
      renewalWindowStart: options.acme ? new Date(notAfter.getTime() - 30 * DAY_MS) : null,
      alertDays: null,
      keyHeld: true,
      // A few replacements are already on their way.
      reissueUnderWay: index % 29 === 0,
      renewalUnderWay: index % 31 === 0,
      acknowledged: false,
      renewalCost: options.acme ? { amount: "0.00" } : yearOf(options.productId ?? "positivessl"),
    });
  };
  // A fixed pseudo-random sequence (Park–Miller), so the picture is the same every time.
  let seed = 20261127;
  const next = () => {
    seed = (seed * 16_807) % 2_147_483_647;
    return seed / 2_147_483_647;
  };
  for (let index = 0; index < 120; index += 1) {
    // Two thirds are reissued inside their subscription, a third are the subscription's last.
    add(index, Math.floor(next() * 200), {
      renew: next() < 1 / 3,
      productId: PRODUCTS[Math.floor(next() * PRODUCTS.length)],
    });
  }
  // A client moved 18 sites to certdesk on one day: they run out together.
  for (let index = 0; index < 18; index += 1)
    add(index, 96, { renew: index % 2 === 0, productId: "instantssl" });
  // Let's Encrypt certificates, renewed (free) when their window opens.
  for (let index = 0; index < 12; index += 1) add(index, 20 + index * 14, { renew: true, acme: true });
  return certificates;
}

export function exampleForecast(): Forecast {
  return forecastWeeks(exampleCertificates(), {
    now: NOW,
    timeZone: "Europe/London",
    expiryDays: [30, 14, 7, 1],
    autoReissueDays: 0,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const image = await renderChart(forecastChartSpec(exampleForecast()));
  for (const warning of image.warnings) console.warn(`warning: ${warning}`);
  writeFileSync(EXAMPLE_PNG, image.png);
  console.log(`Wrote ${EXAMPLE_PNG} (${image.width} × ${image.height}, ${image.png.length} bytes).`);
}
