import type { TopLevelSpec } from "vega-lite";
import type { Forecast, ForecastWeek } from "../domain/forecast.js";
import { CHART_FONT } from "./chart-image.js";

/**
 * The forecast as a chart (a Vega-Lite spec: chart-image.ts renders it) and the words that go with
 * it. Per week: bars for the certificates expiring, the reissues due and the renewals due, each with
 * its count on top, and a line for what the renewals due cost, on a second axis.
 */

export const FORECAST_CHART = { width: 1200, height: 600 };

const SERIES = [
  { field: "Expiring", color: "#e45756" },
  { field: "Reissues due", color: "#4c78a8" },
  { field: "Renewals due", color: "#f58518" },
] as const;
const COST_COLOR = "#3b3b3b";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-11-23" → "23 Nov 2026" (or "23 Nov"); a calendar date, so no time zone applies. */
function dayText(isoDate: string, withYear = true): string {
  const [year, month, day] = isoDate.split("-");
  return `${Number(day)} ${MONTHS[Number(month) - 1]}${withYear ? ` ${year}` : ""}`;
}

/** The week's axis label, two lines: "W48" and its Monday, "23 Nov". */
export function weekLabel(week: ForecastWeek): string[] {
  return [`W${week.isoWeek.slice(-2)}`, dayText(week.monday, false)];
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function costText(forecast: Forecast, amount: string): string {
  return forecast.currency ? `${amount} ${forecast.currency}` : amount;
}

export function forecastTitle(forecast: Forecast): string {
  return `certdesk — next ${forecast.weeks.length} weeks`;
}

/** The weeks shown, e.g. "23 Nov 2026 – 30 May 2027". */
export function forecastRange(forecast: Forecast): string {
  return `${dayText(forecast.from)} – ${dayText(forecast.to)}`;
}

/** One line of totals, for the chart's subtitle, the message and the image's alt text. */
export function forecastSummary(forecast: Forecast): string {
  const { totals } = forecast;
  const unpriced =
    forecast.unpricedRenewals > 0
      ? ` (${plural(forecast.unpricedRenewals, "renewal")} without a known price not included)`
      : "";
  return (
    `${plural(totals.expiring, "certificate")} expiring, ${plural(totals.reissuesDue, "reissue")} and ` +
    `${plural(totals.renewalsDue, "renewal")} due; renewals ${costText(forecast, totals.renewalCost)}${unpriced}`
  );
}

/** The message the chart is posted with. */
export function forecastComment(forecast: Forecast, requestedBy?: string): string {
  const who = requestedBy ? `<@${requestedBy}> asked for the forecast. ` : "";
  return (
    `${who}*${forecastTitle(forecast)}* (${forecastRange(forecast)}, weeks from Monday in ${forecast.timeZone}): ` +
    `${forecastSummary(forecast)}. This week's bars include what is overdue. Reissues are free within ` +
    "the subscription; renewals are new purchases, priced at the provider's list price (else what was charged last time)."
  );
}

/** The Vega-Lite spec of the chart: pure data in, JSON out. */
export function forecastChartSpec(forecast: Forecast): TopLevelSpec {
  const values = forecast.weeks.map((week) => ({
    // The axis sorts by this text, which starts with the Monday's date; its label shows the rest.
    week: [week.monday, ...weekLabel(week)].join("|"),
    [SERIES[0].field]: week.expiring,
    [SERIES[1].field]: week.reissuesDue,
    [SERIES[2].field]: week.renewalsDue,
    cost: Number(week.renewalCost),
  }));
  const costTitle = forecast.currency ? `renewal cost (${forecast.currency})` : "renewal cost";
  const costName = `Renewal cost${forecast.currency ? ` (${forecast.currency})` : ""}`;
  const most = Math.max(
    1,
    ...forecast.weeks.flatMap((week) => [week.expiring, week.reissuesDue, week.renewalsDue]),
  );
  const dearest = Math.max(1, ...values.map((value) => value.cost));
  const x = {
    field: "week",
    type: "ordinal" as const,
    sort: "ascending" as const,
    axis: {
      title: null,
      labelAngle: 0,
      labelExpr: "slice(split(datum.value, '|'), 1)",
      labelFontSize: 10,
      labelPadding: 4,
    },
  };
  const bars = {
    xOffset: { field: "series", type: "nominal" as const, sort: SERIES.map((series) => series.field) },
    y: {
      field: "count",
      type: "quantitative" as const,
      // Room above the tallest bar for its count.
      scale: { domain: [0, Math.ceil(most * 1.12)], nice: false },
      axis: { title: "certificates", tickMinStep: 1, format: "d" },
    },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: FORECAST_CHART.width,
    height: FORECAST_CHART.height,
    autosize: { type: "fit", contains: "padding" },
    padding: 16,
    background: "white",
    title: {
      text: forecastTitle(forecast),
      subtitle: [`${forecastRange(forecast)} · ${forecast.timeZone}`, forecastSummary(forecast)],
      fontSize: 20,
      subtitleFontSize: 13,
      anchor: "start",
      offset: 12,
    },
    config: {
      font: CHART_FONT,
      view: { stroke: null },
      legend: { orient: "top", title: null, labelFontSize: 12, labelLimit: 0, symbolSize: 140 },
      axis: { titleFontSize: 12, labelFontSize: 11 },
    },
    data: { values },
    encoding: { x },
    layer: [
      {
        transform: [{ fold: SERIES.map((series) => series.field), as: ["series", "count"] }],
        encoding: {
          ...bars,
          color: {
            field: "series",
            type: "nominal",
            scale: {
              domain: [...SERIES.map((series) => series.field), costName],
              range: [...SERIES.map((series) => series.color), COST_COLOR],
            },
          },
        },
        layer: [
          { mark: { type: "bar", width: { band: 0.95 } } },
          {
            transform: [{ filter: "datum.count > 0" }],
            mark: { type: "text", dy: -6, fontSize: 9 },
            encoding: { text: { field: "count", type: "quantitative" } },
          },
        ],
      },
      {
        mark: {
          type: "line",
          strokeWidth: 2,
          point: { filled: true, size: 40, fill: COST_COLOR },
        },
        encoding: {
          y: {
            field: "cost",
            type: "quantitative",
            scale: { domain: [0, dearest], nice: true },
            axis: { title: costTitle, orient: "right", format: ",.0f", tickMinStep: 1, grid: false },
          },
          color: { datum: costName, type: "nominal" },
        },
      },
    ],
    resolve: { scale: { y: "independent" } },
  };
}
