import type { TopLevelSpec } from "vega-lite";

/**
 * A Vega-Lite chart rendered in-process, without a browser: Vega-Lite compiles the spec to Vega,
 * Vega draws it as SVG (renderer "none": no canvas needed), resvg turns the SVG into a PNG. The
 * libraries are loaded on first use, so a certdesk that never draws a chart never loads them.
 */

/** The font charts ask for (a spec's config.font); the PNG renderer maps any it lacks to it. */
export const CHART_FONT = "DejaVu Sans";

export interface ChartImage {
  svg: string;
  png: Buffer;
  width: number;
  height: number;
  /** What Vega-Lite and Vega warned about while drawing (an empty list for a sound spec). */
  warnings: string[];
}

/** Collects what Vega-Lite and Vega would print on the console. */
function collectingLogger(warnings: string[]) {
  let current = 2;
  const logger = {
    level(level?: number) {
      if (level === undefined) return current;
      current = level;
      return logger;
    },
    error(...args: unknown[]) {
      warnings.push(args.map(String).join(" "));
      return logger;
    },
    warn(...args: unknown[]) {
      warnings.push(args.map(String).join(" "));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

/**
 * The chart as SVG and as a PNG of the spec's size. Text is drawn with the system's fonts (the spec
 * asks for DejaVu Sans, which any other sans-serif font stands in for): a host with no font at all
 * gets a chart without words, so the container image installs fonts-dejavu-core.
 */
export async function renderChart(spec: TopLevelSpec): Promise<ChartImage> {
  const [vegaLite, vega, resvg] = await Promise.all([
    import("vega-lite"),
    import("vega"),
    import("@resvg/resvg-js"),
  ]);
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const compiled = vegaLite.compile(spec, { logger });
  const view = new vega.View(vega.parse(compiled.spec), { renderer: "none", logger, logLevel: vega.Warn });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  // In libuv's thread pool, off the event loop. No AbortSignal: resvg-js refuses one that was
  // already given to an earlier render (a scheduler's), and a render takes a few tens of milliseconds.
  const rendered = await resvg.renderAsync(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
    background: "white",
    logLevel: "off",
  });
  return {
    svg,
    png: rendered.asPng(),
    width: rendered.width,
    height: rendered.height,
    warnings,
  };
}
