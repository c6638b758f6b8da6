import * as vega from "vega";
import * as vl from "vega-lite";
import type { Alternative } from "./alternatives/index.ts";
import { type CostCurve, type Crossover, cheapestChanges, logGrid, pairCrossovers } from "./crossovers.ts";
import { estimateOne } from "./estimate.ts";
import { usd } from "./format.ts";
import type { PriceCatalogue } from "./prices/catalogue.ts";
import { formatBytes, formatRate } from "./units.ts";
import type { Workload } from "./workload.ts";

export interface ChartInput {
  readonly workload: Workload;
  readonly prices: PriceCatalogue;
  /** The first one is "the pattern": its crossovers with every other are marked. */
  readonly alternatives: readonly Alternative[];
  readonly fromMessagesPerSecond: number;
  readonly toMessagesPerSecond: number;
  /** Points per curve. @default 61 */
  readonly points?: number;
}

export interface ChartData {
  readonly series: { alternative: string; hosting: string; messagesPerSecond: number; monthlyUsd: number }[];
  readonly crossovers: (Crossover & { n: number; label: string; text: string })[];
  /** Crossovers close together share one diamond labelled "1,2,3". */
  readonly markers: { messagesPerSecond: number; monthlyUsd: number; label: string }[];
  readonly title: string;
  readonly subtitle: string;
}

function clusterMarkers(crossovers: readonly { messagesPerSecond: number; monthlyUsd: number; n: number }[]) {
  const markers: { messagesPerSecond: number; monthlyUsd: number; label: string }[] = [];
  for (const c of crossovers) {
    const last = markers.at(-1);
    const close =
      last &&
      Math.abs(Math.log10(c.messagesPerSecond / last.messagesPerSecond)) < 0.06 &&
      Math.abs(Math.log10(c.monthlyUsd / last.monthlyUsd)) < 0.12;
    if (last && close) last.label = `${last.label},${c.n}`;
    else
      markers.push({ messagesPerSecond: c.messagesPerSecond, monthlyUsd: c.monthlyUsd, label: String(c.n) });
  }
  return markers;
}

/** Computes the curves and their crossovers (pure). */
export function chartData(input: ChartInput): ChartData {
  const { workload: w, prices, alternatives } = input;
  const grid = logGrid(input.fromMessagesPerSecond, input.toMessagesPerSecond, input.points ?? 61);
  const curves = alternatives.map((alt) => ({
    id: alt.name,
    alt,
    cost: ((r: number) => estimateOne(alt, { ...w, messagesPerSecond: r }, prices).monthlyUsd) as CostCurve,
  }));
  const series = curves.flatMap((c) =>
    grid.map((r) => ({
      alternative: c.id,
      hosting: c.alt.hosting,
      messagesPerSecond: r,
      monthlyUsd: c.cost(r),
    })),
  );
  const [pattern, ...others] = curves;
  // For each other option, the first rate above which it is cheaper than the pattern.
  const found: Crossover[] = [];
  if (pattern) {
    for (const other of others) {
      const first = pairCrossovers(pattern, other, grid).find((c) => c.cheaperBelow === pattern.id);
      if (first) found.push(first);
    }
  }
  for (const change of cheapestChanges(curves, grid)) {
    if (!found.some((f) => Math.abs(f.messagesPerSecond / change.messagesPerSecond - 1) < 0.01))
      found.push(change);
  }
  const crossovers = found
    .sort((a, b) => a.messagesPerSecond - b.messagesPerSecond)
    .map((c, i) => {
      const rate = formatRate(Number(c.messagesPerSecond.toPrecision(2)));
      const text =
        pattern && c.cheaperBelow === pattern.id
          ? `above ≈ ${rate}, ${c.cheaperAbove} costs less than ${pattern.id}`
          : `above ≈ ${rate}, the cheapest option becomes ${c.cheaperAbove} (was ${c.cheaperBelow})`;
      return { ...c, n: i + 1, label: String(i + 1), text: `${i + 1}. ${text} (${usd(c.monthlyUsd)}/month)` };
    });
  const subs = w.subscribers?.length ?? w.fanOut;
  return {
    series,
    crossovers,
    markers: clusterMarkers(crossovers),
    title: `Monthly cost against throughput: ${formatBytes(w.payloadBytes)} messages, fan-out ${subs}, ${w.retentionHours} h retention`,
    subtitle: `us-east-1 on-demand prices, 730 h month, consumers on Lambda (${w.lambdaArch}, batch ${w.batchSize})${w.opsHoursPerMonth > 0 ? `, ops ${w.opsHoursPerMonth} h × $${w.opsHourlyRateUsd}` : ", no ops labour"}. numbered ◆ = crossovers, listed below the chart.`,
  };
}

/** Thirteen colours that stay distinct from one another (the pattern is drawn first, in black). */
const PALETTE = [
  "#000000",
  "#1f77b4",
  "#aec7e8",
  "#ff7f0e",
  "#ffbb78",
  "#2ca02c",
  "#98df8a",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
  "#bcbd22",
  "#7f7f7f",
  "#c49c94",
];

/**
 * The vega-lite specification: log-log lines (colour = alternative, dash = hosting), numbered
 * crossover diamonds, and below the plot the numbered list explaining each crossover.
 */
export function chartSpec(data: ChartData): vl.TopLevelSpec {
  const x = {
    field: "messagesPerSecond",
    type: "quantitative" as const,
    scale: { type: "log" as const },
    axis: { title: "Throughput (messages published per second, log scale)", grid: true, format: "~s" },
  };
  const y = {
    field: "monthlyUsd",
    type: "quantitative" as const,
    scale: { type: "log" as const },
    axis: { title: "Monthly cost (USD per month, log scale)", grid: true, format: "$~s" },
  };
  const names = [...new Set(data.series.map((s) => s.alternative))];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: data.title, subtitle: data.subtitle, fontSize: 17, subtitleFontSize: 12, anchor: "start" },
    background: "white",
    padding: 16,
    config: {
      legend: {
        labelLimit: 320,
        titleFontSize: 13,
        labelFontSize: 12,
        symbolStrokeWidth: 3,
        symbolSize: 300,
      },
      axis: { titleFontSize: 13, labelFontSize: 11 },
      view: { stroke: "#888" },
    },
    vconcat: [
      {
        width: 860,
        height: 560,
        layer: [
          {
            data: { values: data.series },
            mark: { type: "line", strokeWidth: 2.2, interpolate: "linear" },
            encoding: {
              x,
              y,
              color: {
                field: "alternative",
                type: "nominal",
                scale: { domain: names, range: PALETTE.slice(0, names.length) },
                legend: { title: "Alternative", orient: "right", symbolType: "stroke", labelLimit: 400 },
              },
              strokeDash: {
                field: "hosting",
                type: "nominal",
                scale: {
                  domain: ["serverless", "managed", "self-hosted", "other cloud"],
                  range: [
                    [1, 0],
                    [8, 4],
                    [2, 3],
                    [12, 3, 2, 3],
                  ],
                },
                legend: {
                  title: "Hosting (line style)",
                  orient: "right",
                  symbolType: "stroke",
                  titleLimit: 400,
                },
              },
            },
          },
          {
            data: { values: data.markers },
            mark: { type: "point", shape: "diamond", filled: true, size: 110, color: "black" },
            encoding: { x, y },
          },
          {
            data: { values: data.markers },
            mark: { type: "text", dy: -13, fontSize: 12, fontWeight: "bold", color: "black" },
            encoding: { x, y, text: { field: "label", type: "nominal" } },
          },
        ],
      },
      {
        width: 860,
        height: Math.max(16, 17 * data.crossovers.length),
        data: {
          values:
            data.crossovers.length > 0
              ? data.crossovers
              : [
                  {
                    n: 1,
                    text: "None in this range: no option overtakes the first one, and the cheapest option stays the same.",
                  },
                ],
        },
        view: { stroke: null },
        title: { text: "Crossovers (rate, and the monthly cost there)", fontSize: 13, anchor: "start" },
        mark: { type: "text", align: "left", baseline: "middle", fontSize: 12 },
        encoding: {
          y: { field: "n", type: "ordinal", axis: null },
          x: { value: 0 },
          text: { field: "text", type: "nominal" },
        },
      },
    ],
  } as vl.TopLevelSpec;
}

/**
 * Average glyph width of a sans-serif font as a share of its size. Without a canvas, vega estimates
 * 0.8 × size per character, which inflates the layout (a wide blank band beside the plot).
 */
const SANS_WIDTH = 0.56;

/** Renders the chart to an SVG string with vega-lite + vega (no browser, no canvas). */
export async function renderChartSvg(data: ChartData): Promise<string> {
  const compiled = vl.compile(chartSpec(data)).spec;
  // vega re-exports vega-scenegraph's `textMetrics` at run time; its typings omit it.
  const metrics = (
    vega as unknown as { textMetrics: { width: (item: { fontSize?: number }, text: unknown) => number } }
  ).textMetrics;
  const previous = metrics.width;
  metrics.width = (item, text) => {
    const value = Array.isArray(text) ? text.join(" ") : String(text ?? "");
    return Math.ceil(SANS_WIDTH * value.length * (item.fontSize ?? 11));
  };
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
    metrics.width = previous;
  }
}
