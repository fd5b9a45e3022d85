import { PNG } from "pngjs";
import { beforeAll, describe, expect, it } from "vitest";
import { type Forecast, type ForecastCertificate, forecastWeeks } from "../../src/domain/forecast.js";
import { type ChartImage, renderChart } from "../../src/views/chart-image.js";
import {
  FORECAST_CHART,
  forecastChartSpec,
  forecastComment,
  forecastSummary,
} from "../../src/views/forecast-chart.js";

const DAY_MS = 86_400_000;
const NOW = new Date("2026-11-27T10:00:00Z");

function certificate(notAfter: string, renew: boolean, cost?: string): ForecastCertificate {
  const end = new Date(notAfter);
  return {
    notAfter: end,
    coverageEndsAt: renew ? end : new Date(end.getTime() + 200 * DAY_MS),
    renewalWindowStart: null,
    alertDays: null,
    keyHeld: true,
    reissueUnderWay: false,
    renewalUnderWay: false,
    acknowledged: false,
    ...(cost ? { renewalCost: { amount: cost, currency: "USD" } } : {}),
  };
}

/**
 * W48: 3 reissues due (overdue); W50: 3 expiring; W52: 2 reissues due; W03: 2 expiring; W05: 2
 * renewals due (78.00 USD); W09: 2 expiring.
 */
const forecast: Forecast = forecastWeeks(
  [
    certificate("2026-12-08T12:00:00Z", false),
    certificate("2026-12-09T12:00:00Z", false),
    certificate("2026-12-10T12:00:00Z", false),
    certificate("2027-01-20T12:00:00Z", false),
    certificate("2027-01-21T12:00:00Z", false),
    certificate("2027-03-03T12:00:00Z", true, "9.00"),
    certificate("2027-03-04T12:00:00Z", true, "69.00"),
  ],
  { now: NOW, timeZone: "Europe/London", expiryDays: [30, 14, 7, 1], autoReissueDays: 0 },
);

/** The count labels drawn on the bars: "week|series" → the number shown. */
function barLabels(svg: string): Record<string, number> {
  const labels: Record<string, number> = {};
  for (const match of svg.matchAll(
    /<text aria-label="week: [^|]+\|(W\d\d)\|[^;]+; count: (\d+); series: ([^"]+)"[^>]*>(\d+)<\/text>/g,
  )) {
    const [, week, count, series, shown] = match;
    expect(shown).toBe(count);
    labels[`${week}|${series}`] = Number(shown);
  }
  return labels;
}

describe("the forecast chart", () => {
  let image: ChartImage;
  beforeAll(async () => {
    image = await renderChart(forecastChartSpec(forecast));
  });

  it("is a Vega-Lite spec with the title, 26 weeks and the counts, that draws without warnings", () => {
    const spec = forecastChartSpec(forecast);
    expect(spec.title).toMatchObject({
      text: "certdesk — next 26 weeks",
      subtitle: [
        "23 Nov 2026 – 23 May 2027 · Europe/London",
        "7 certificates expiring, 5 reissues and 2 renewals due; renewals 78.00 USD",
      ],
    });
    expect((spec.data as { values: unknown[] }).values).toHaveLength(26);
    expect(image.warnings).toEqual([]);
  });

  it("has an SVG source that carries the title, the range, every week and every count", () => {
    const { svg } = image;
    expect(svg.slice(0, 200)).toMatch(/^<svg [^>]*width="1200" height="600"/);
    const texts = [...svg.matchAll(/>([^<>]+)<\/(?:text|tspan)>/g)].map((match) => match[1]);
    expect(texts).toContain("certdesk — next 26 weeks");
    expect(texts).toContain("23 Nov 2026 – 23 May 2027 · Europe/London");
    expect(texts).toContain("7 certificates expiring, 5 reissues and 2 renewals due; renewals 78.00 USD");
    expect(texts).toEqual(
      expect.arrayContaining(["certificates", "renewal cost (USD)", "Renewal cost (USD)"]),
    );
    const weeks = [...svg.matchAll(/<tspan>(W\d\d)<\/tspan><tspan[^>]*>([^<]+)<\/tspan>/g)].map(
      (match) => `${match[1]} ${match[2]}`,
    );
    expect(weeks).toHaveLength(26);
    expect(weeks.slice(0, 8)).toEqual([
      "W48 23 Nov",
      "W49 30 Nov",
      "W50 7 Dec",
      "W51 14 Dec",
      "W52 21 Dec",
      "W53 28 Dec",
      "W01 4 Jan",
      "W02 11 Jan",
    ]);
    expect(weeks.at(-1)).toBe("W20 17 May");
    // Only weeks with something get a number on their bar.
    expect(barLabels(svg)).toEqual({
      "W48|Reissues due": 3,
      "W50|Expiring": 3,
      "W52|Reissues due": 2,
      "W03|Expiring": 2,
      "W05|Renewals due": 2,
      "W09|Expiring": 2,
    });
  });

  it("is a PNG of 1200 × 600 pixels that decodes, with the bars and the words drawn", () => {
    const { png } = image;
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString("latin1", 12, 16)).toBe("IHDR");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 600]);
    const decoded = PNG.sync.read(png);
    expect([decoded.width, decoded.height]).toEqual([FORECAST_CHART.width, FORECAST_CHART.height]);
    expect([image.width, image.height]).toEqual([1200, 600]);

    const pixel = (x: number, y: number) => {
      const at = (y * decoded.width + x) * 4;
      return [decoded.data[at], decoded.data[at + 1], decoded.data[at + 2]];
    };
    const count = (test: (rgb: (number | undefined)[]) => boolean, rows: [number, number]) => {
      let found = 0;
      for (let y = rows[0]; y < rows[1]; y += 1)
        for (let x = 0; x < decoded.width; x += 1) if (test(pixel(x, y))) found += 1;
      return found;
    };
    // The Expiring bars' red (#e45756) somewhere in the plot…
    expect(count(([r, g, b]) => r === 0xe4 && g === 0x57 && b === 0x56, [0, 600])).toBeGreaterThan(100);
    // …and the title's dark letters at the top: a font was found.
    expect(
      count(([r, g, b]) => (r ?? 255) < 80 && (g ?? 255) < 80 && (b ?? 255) < 80, [0, 40]),
    ).toBeGreaterThan(200);
  });

  it("says the same in words for the message and the alt text", () => {
    expect(forecastSummary(forecast)).toBe(
      "7 certificates expiring, 5 reissues and 2 renewals due; renewals 78.00 USD",
    );
    expect(forecastComment(forecast, "U0ANN")).toMatch(
      /^<@U0ANN> asked for the forecast\. \*certdesk — next 26 weeks\* \(23 Nov 2026 – 23 May 2027, weeks from Monday in Europe\/London\): 7 certificates expiring/,
    );
  });
});
