import { readFileSync } from "node:fs";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { README } from "../../scripts/block-kit-links.js";
import { EXAMPLE_PNG, exampleForecast } from "../../scripts/forecast-example.js";
import { FORECAST_CHART } from "../../src/views/forecast-chart.js";

/**
 * The README's picture of the forecast chart, written by scripts/forecast-example.ts. It is not
 * compared byte for byte (the fonts a machine has change the pixels); after changing the chart, run
 * `npx tsx scripts/forecast-example.ts` and look at docs/forecast-example.png.
 */
describe("the README's forecast picture", () => {
  it("is shown in the README", () => {
    expect(readFileSync(README, "utf8")).toContain("](docs/forecast-example.png)");
  });

  it("is a PNG of the chart's size", () => {
    const png = PNG.sync.read(readFileSync(EXAMPLE_PNG));
    expect([png.width, png.height]).toEqual([FORECAST_CHART.width, FORECAST_CHART.height]);
  });

  it("comes from example data with some of everything in it", () => {
    const forecast = exampleForecast();
    expect(forecast.from).toBe("2026-11-23");
    expect(forecast.currency).toBe("USD");
    expect(forecast.totals.expiring).toBeGreaterThan(100);
    expect(forecast.totals.reissuesDue).toBeGreaterThan(0);
    expect(forecast.totals.renewalsDue).toBeGreaterThan(0);
    expect(Number(forecast.totals.renewalCost)).toBeGreaterThan(0);
  });
});
