/**
 * `npm run bench -- cost`: how fast the cost model prices a workload (the chart evaluates every
 * alternative at many rates and the crossover search bisects), and how long a chart takes to render.
 */
import { performance } from "node:perf_hooks";
import { MESSAGING_IDS, selectAlternatives } from "../tools/cost/alternatives/index.ts";
import { chartData, renderChartSvg } from "../tools/cost/chart.ts";
import { estimate } from "../tools/cost/estimate.ts";
import { loadPrices } from "../tools/cost/prices/catalogue.ts";
import { resolveWorkload } from "../tools/cost/workload.ts";

const prices = loadPrices();
const alternatives = MESSAGING_IDS.length;

for (let i = 0; i < 200; i++) estimate({ messagesPerSecond: 1 + i }, prices); // warm-up
const runs = 2_000;
let start = performance.now();
for (let i = 0; i < runs; i++) estimate({ messagesPerSecond: 1 + (i % 10_000) }, prices);
const estimateMs = (performance.now() - start) / runs;
console.log(
  `estimate(): ${estimateMs.toFixed(3)} ms per workload for ${alternatives} alternatives (${((estimateMs / alternatives) * 1_000).toFixed(1)} µs per alternative)`,
);

start = performance.now();
const data = chartData({
  workload: resolveWorkload({ messagesPerSecond: 1 }),
  prices,
  alternatives: selectAlternatives(MESSAGING_IDS),
  fromMessagesPerSecond: 10,
  toMessagesPerSecond: 10_000,
});
const dataMs = performance.now() - start;
start = performance.now();
const svg = await renderChartSvg(data);
const renderMs = performance.now() - start;
console.log(
  `chart data: ${dataMs.toFixed(0)} ms for ${data.series.length} points and ${data.crossovers.length} crossovers`,
);
console.log(`chart render: ${renderMs.toFixed(0)} ms, ${(svg.length / 1_024).toFixed(0)} KiB of SVG`);
console.log(
  `ratio: the chart costs ${((dataMs + renderMs) / estimateMs).toFixed(0)} × one estimate() of all alternatives`,
);
