import { ALTERNATIVES } from "../alternatives/index.ts";
import { rabbitNodes } from "../alternatives/rabbitmq.ts";
import { SECONDS_PER_MONTH } from "../constants.ts";
import { estimateOne } from "../estimate.ts";
import { KAFKA_EC2_TYPES, MSK_EXPRESS_TYPES, MSK_STANDARD_TYPES } from "../instances.ts";
import { applyFreeTier, charge, type LineItem, total } from "../line-items.ts";
import type { PriceCatalogue } from "../prices/catalogue.ts";
import { fleetConstraints, roundUpTo } from "../sizing.ts";
import { resolveWorkload, type WorkloadInput } from "../workload.ts";
import type { ValidationCase } from "./cases.ts";

function lambdaLines(m: Extract<ValidationCase["model"], { kind: "lambda" }>, prices: PriceCatalogue) {
  const gbSeconds = (m.invocations * (m.durationMs / 1_000) * m.memoryMb) / 1_024;
  const lines: LineItem[] = [
    charge(prices, "lambda.request", "requests", m.invocations, "published invocations"),
    charge(prices, `lambda.duration.${m.arch}`, "compute", gbSeconds, "invocations × s × GB"),
  ];
  return m.freeTier ? applyFreeTier(prices, lines) : lines;
}

function sumOf(lines: readonly LineItem[], needles: readonly string[]): number {
  return total(lines.filter((l) => needles.some((n) => l.component.includes(n))));
}

/**
 * Prices one validation case with the model and returns its figures by the published
 * components' names (USD per month, brokers or vCPUs). Pure: the catalogue is passed in.
 */
export function evaluateCase(c: ValidationCase, prices: PriceCatalogue): Record<string, number> {
  const m = c.model;
  switch (m.kind) {
    case "lambda": {
      const lines = lambdaLines(m, prices);
      return {
        requests: sumOf(lines, ["requests"]),
        compute: sumOf(lines, ["compute"]),
        total: total(lines),
      };
    }
    case "alternative": {
      const alt = ALTERNATIVES.find((a) => a.id === m.alternative);
      if (!alt) throw new Error(`${c.id}: unknown alternative ${m.alternative}`);
      const input = {
        ...m.workload,
        ...(m.messagesPerMonth === undefined
          ? {}
          : { messagesPerSecond: m.messagesPerMonth / SECONDS_PER_MONTH }),
      } as WorkloadInput;
      const lines = estimateOne(alt, resolveWorkload(input), prices).lineItems;
      return Object.fromEntries(
        Object.entries(m.components).map(([name, needles]) => [name, sumOf(lines, needles)]),
      );
    }
    case "kafka-brokers": {
      const type = [...KAFKA_EC2_TYPES, ...MSK_STANDARD_TYPES, ...MSK_EXPRESS_TYPES].find(
        (t) => t.name === m.brokerType,
      );
      if (!type) throw new Error(`${c.id}: unknown broker type ${m.brokerType}`);
      const constraints = fleetConstraints(resolveWorkload(m.workload as WorkloadInput), type);
      const needed = Math.max(...constraints.map((x) => x.brokersNeeded));
      return { brokers: roundUpTo(needed - 1e-9, 3) };
    }
    case "rabbitmq-vcpu": {
      const { node, count } = rabbitNodes(resolveWorkload(m.workload as WorkloadInput), prices);
      return { vCPU: count * node.sustainedVcpu };
    }
  }
}

/** Relative difference of the model from a published figure. */
export function relativeDifference(model: number, published: number): number {
  return (model - published) / published;
}
