import { describe, expect, it } from "vitest";
import { selectAlternatives } from "../../../tools/cost/alternatives/index.ts";
import { chartData, chartSpec, renderChartSvg } from "../../../tools/cost/chart.ts";
import { pairCrossovers } from "../../../tools/cost/crossovers.ts";
import { resolveWorkload } from "../../../tools/cost/workload.ts";
import { prices } from "./prices.ts";

const data = chartData({
  workload: resolveWorkload({ messagesPerSecond: 1 }),
  prices,
  alternatives: selectAlternatives(["sns-sqs-lambda", "kafka-ec2", "kinesis-provisioned"]),
  fromMessagesPerSecond: 10,
  toMessagesPerSecond: 10_000,
  points: 31,
});

describe("crossovers", () => {
  it("finds where two straight cost lines cross", () => {
    // a = 100 + r (a floor), b = 2r: they cross at r = 100.
    const [c] = pairCrossovers(
      { id: "b", cost: (r) => 2 * r },
      { id: "a", cost: (r) => 100 + r },
      [1, 10, 1_000],
    );
    expect(c?.messagesPerSecond).toBeCloseTo(100, 6);
    expect(c).toMatchObject({ cheaperBelow: "b", cheaperAbove: "a" });
  });
});

describe("chart", () => {
  it("has one series per alternative over the range and marks crossovers", () => {
    expect(new Set(data.series.map((s) => s.alternative))).toEqual(
      new Set(["SNS + SQS + Lambda", "Kafka on EC2 (self-hosted)", "Kinesis (provisioned) + Lambda"]),
    );
    expect(data.series).toHaveLength(3 * 31);
    expect(data.series[0]?.messagesPerSecond).toBeCloseTo(10, 9);
    expect(data.series[30]?.messagesPerSecond).toBeCloseTo(10_000, 6);
    const kafka = data.crossovers.find((c) => c.cheaperAbove === "Kafka on EC2 (self-hosted)");
    expect(kafka?.messagesPerSecond).toBeGreaterThan(10);
    expect(kafka?.messagesPerSecond).toBeLessThan(100);
    expect(kafka?.text).toMatch(
      /above ≈ \d+\/s, Kafka on EC2 \(self-hosted\) costs less than SNS \+ SQS \+ Lambda/,
    );
    expect(data.title).toMatch(/1 KB messages, fan-out 3, 24 h retention/);
  });

  it("uses log axes with units, a legend and a title", () => {
    const spec = chartSpec(data) as unknown as {
      title: { text: string };
      vconcat: {
        layer: {
          mark: { type: string };
          encoding: Record<
            string,
            { scale?: { type: string }; axis?: { title: string }; legend?: { title: string } }
          >;
        }[];
      }[];
    };
    expect(spec.title.text).toBe(data.title);
    const lines = spec.vconcat[0]?.layer[0];
    expect(lines?.mark.type).toBe("line");
    expect(lines?.encoding.x?.scale?.type).toBe("log");
    expect(lines?.encoding.y?.scale?.type).toBe("log");
    expect(lines?.encoding.x?.axis?.title).toMatch(/messages published per second/);
    expect(lines?.encoding.y?.axis?.title).toMatch(/USD per month/);
    expect(lines?.encoding.color?.legend?.title).toBe("Alternative");
    expect(spec.vconcat[0]?.layer.map((l) => l.mark.type)).toEqual(["line", "point", "text"]);
  });

  it("renders an SVG with the title, axis titles, legend entries and crossover notes", async () => {
    const svg = await renderChartSvg(data);
    expect(svg.startsWith("<svg")).toBe(true);
    for (const text of [
      "Monthly cost against throughput",
      "Throughput (messages published per second, log scale)",
      "Monthly cost (USD per month, log scale)",
      "Kafka on EC2 (self-hosted)",
      "Crossovers",
    ]) {
      expect(svg).toContain(text);
    }
  });
});

describe("chart without crossovers", () => {
  it("says so under the plot", async () => {
    const flat = chartData({
      workload: resolveWorkload({ messagesPerSecond: 1 }),
      prices,
      alternatives: selectAlternatives(["sns-sqs-lambda-fifo", "sns-sqs-lambda"]),
      fromMessagesPerSecond: 10,
      toMessagesPerSecond: 100,
      points: 5,
    });
    expect(flat.crossovers).toEqual([]);
    expect(await renderChartSvg(flat)).toContain("None in this range");
  });
});
