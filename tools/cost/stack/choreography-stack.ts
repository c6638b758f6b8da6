import { sfnStandard } from "../alternatives/sfn-saga.ts";
import type { Alternative } from "../alternatives/types.ts";
import { chunks64, SECONDS_PER_MONTH } from "../constants.ts";
import { EVENTBRIDGE_ENVELOPE_BYTES, lambdaConsumer, sqsLambdaSubscriber } from "../consumers.ts";
import { estimateOne } from "../estimate.ts";
import { charge, type LineItem } from "../line-items.ts";
import type { PriceCatalogue } from "../prices/catalogue.ts";
import { InputError } from "../units.ts";
import type { Workload } from "../workload.ts";
import { tableWrites } from "./stack-alternative.ts";
import type { RuleModel, StackModel } from "./template.ts";

/**
 * The event types one order publishes, by outcome (the flow of functions/saga-choreography/flow.ts:
 * each service reacts to the event before it). The template says who consumes each type (its rules),
 * not which type a service emits in reaction, so the chains are stated here and every type is checked
 * against the template. "Compensated" is the order refused at the last step (shipping), the same
 * refusal the orchestrated saga prices.
 */
export const CHOREOGRAPHY_PATHS = {
  happy: ["OrderPlaced", "InventoryReserved", "PaymentCharged", "ShipmentScheduled", "OrderConfirmed"],
  compensated: ["OrderPlaced", "InventoryReserved", "PaymentCharged", "ShippingFailed", "OrderCancelled"],
} as const;

/** Milliseconds a scheduled watchdog run takes (an assumption; it queries a sparse index). */
export const WATCHDOG_MS = 100;

/** Runs a month of a `rate(n unit)` schedule; undefined for cron or unreadable expressions. */
export function scheduledRunsPerMonth(expression: string): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!m) return undefined;
  const unit = m[2]?.startsWith("minute") ? 60 : m[2]?.startsWith("hour") ? 3_600 : 86_400;
  return SECONDS_PER_MONTH / (Number(m[1]) * unit);
}

/** Rules on the saga's bus matching a detail-type (a rule without a detail-type list matches all). */
function rulesFor(model: StackModel, detailType: string): RuleModel[] {
  return (model.rules ?? []).filter(
    (r) => r.schedule === undefined && r.detailTypes.length > 0 && r.detailTypes.includes(detailType),
  );
}

/** Per order: events put and, per target queue, deliveries (weighted over the two outcomes). */
export function choreographyCounts(model: StackModel, w: Workload) {
  const c = w.sagaCompensatedFraction;
  const perQueue = new Map<string, number>();
  let events = 0;
  let deliveries = 0;
  const add = (path: readonly string[], weight: number) => {
    for (const type of path) {
      events += weight;
      for (const rule of rulesFor(model, type)) {
        for (const t of rule.targets) {
          if (!t.targetId) continue;
          deliveries += weight;
          perQueue.set(t.targetId, (perQueue.get(t.targetId) ?? 0) + weight);
        }
      }
    }
  };
  add(CHOREOGRAPHY_PATHS.happy, 1 - c);
  add(CHOREOGRAPHY_PATHS.compensated, c);
  return { events, deliveries, perQueue };
}

/**
 * Prices a choreographed saga on EventBridge: PutEvents per event in 64 KB chunks, one SQS delivery
 * per matching rule target (rules are free), each service's queue and Lambda consumer with its
 * idempotency and service-table writes, and the scheduled watchdog; with the orchestrated saga
 * (sfn-standard, one step per service the happy path reaches) at the same traffic for comparison.
 */
export function choreographyStackAlternative(model: StackModel): Alternative {
  const rules = model.rules ?? [];
  const known = new Set(rules.flatMap((r) => r.detailTypes));
  // Every event but the outcome (published for consumers outside the saga) must reach a rule.
  const missing = [
    ...CHOREOGRAPHY_PATHS.happy.slice(0, -1),
    ...CHOREOGRAPHY_PATHS.compensated.slice(0, -1),
  ].filter((t) => !known.has(t));
  if (missing.length > 0) {
    throw new InputError(
      `--stack: ${model.stackName} has no rule for ${[...new Set(missing)].join(", ")}: not the order saga's flow`,
    );
  }
  const queueConsumer = (queueId: string) => {
    const esm = model.eventSourceMappings.find((e) => e.sourceId === queueId);
    const fn = model.functions.find((f) => f.id === esm?.functionId);
    return { esm, fn };
  };
  const tableIds = new Set(model.tables.map((t) => t.id));
  const lines = (w: Workload, prices: PriceCatalogue): LineItem[] => {
    const orders = w.messagesPerSecond * SECONDS_PER_MONTH;
    const counts = choreographyCounts(model, w);
    const out: LineItem[] = [
      charge(
        prices,
        "events.customEvent",
        "EventBridge PutEvents",
        orders * counts.events * chunks64(w.payloadBytes),
        `${counts.events.toFixed(3)} events per order × ${chunks64(w.payloadBytes)} chunk(s) of 64 KB (batching entries does not reduce it)`,
      ),
    ];
    for (const [queueId, perOrder] of counts.perQueue) {
      const { esm, fn } = queueConsumer(queueId);
      const name = fn?.env.SAGA_SERVICE ?? queueId.replace(/[0-9A-F]{8}$/, "");
      const inputPath = rules.flatMap((r) => r.targets).find((t) => t.targetId === queueId)?.inputPath;
      out.push(
        ...sqsLambdaSubscriber(
          w,
          prices,
          {
            name,
            matchFraction: perOrder,
            bodyFilter: false,
            rawDelivery: true,
            batchSize: esm?.batchSize ?? w.batchSize,
            batchWindowSeconds: esm?.batchWindowSeconds ?? w.batchWindowSeconds,
            lambdaMemoryMb: Math.max(128, fn?.memoryMb ?? w.lambdaMemoryMb),
            lambdaArch: fn?.arch ?? w.lambdaArch,
            idempotencyWritesPerMessage: tableWrites(fn, tableIds).writes,
          },
          {
            fifo: false,
            envelopeBytes: inputPath === "$.detail" ? 0 : EVENTBRIDGE_ENVELOPE_BYTES,
            sender: "EventBridge",
          },
        ),
      );
    }
    for (const rule of rules) {
      const runs = rule.schedule ? scheduledRunsPerMonth(rule.schedule) : undefined;
      const fn = model.functions.find((f) => rule.targets.some((t) => t.targetId === f.id));
      if (runs === undefined || !fn) continue;
      out.push(
        ...lambdaConsumer({ ...w, retryFraction: 0, lambdaMsPerMessage: WATCHDOG_MS }, prices, {
          label: `watchdog (${rule.schedule})`,
          messagesPerSecond: runs / SECONDS_PER_MONTH,
          batchSize: 1,
          batchWindowSeconds: 1,
          lambdaMemoryMb: Math.max(128, fn.memoryMb),
          lambdaArch: fn.arch,
          idempotencyWritesPerMessage: 0,
        }),
      );
    }
    return out;
  };
  const orchestratedSteps = (w: Workload) =>
    new Set(
      CHOREOGRAPHY_PATHS.happy.flatMap((t) =>
        rulesFor(model, t).flatMap((r) => r.targets.map((x) => x.targetId)),
      ),
    ).size || w.sagaSteps;
  return {
    id: `stack:${model.stackName}`,
    name: `${model.stackName} (as synthesized, EventBridge choreography)`,
    category: "saga",
    hosting: "serverless",
    lines,
    assumptions: (w, prices) => {
      const counts = choreographyCounts(model, w);
      const steps = orchestratedSteps(w);
      const own = estimateOne({ ...choreographyAlternativeStub, lines }, w, prices).monthlyUsd;
      const orchestrated = estimateOne(sfnStandard, { ...w, sagaSteps: steps }, prices).monthlyUsd;
      return [
        `template: ${rules.length} rule(s) (${rules.filter((r) => r.schedule).length} scheduled), ${model.queues.length} queue(s), ${model.functions.length} function(s), ${model.tables.length} table(s)`,
        `happy order: ${CHOREOGRAPHY_PATHS.happy.join(" → ")}; compensated (refused at shipping): ${CHOREOGRAPHY_PATHS.compensated.join(" → ")} (the flow's chains; rule deliveries per type from the template)`,
        `ASSUMED: ${w.sagaCompensatedFraction * 100} % of orders compensated (--saga-compensated): ${counts.events.toFixed(3)} events and ${counts.deliveries.toFixed(3)} rule deliveries per order`,
        `each consumer's DynamoDB writes from its environment (idempotency table 2, its service table 1); the watchdog takes ${WATCHDOG_MS} ms a run (ASSUMED); the place-order producer is not priced`,
        `comparison: the orchestrated saga at the same traffic (sfn-standard, ${steps} steps, ${w.sagaRetriesPerStep} retries) costs $${orchestrated.toFixed(2)}/month against $${own.toFixed(2)} here (run --stack SfnSagaStack for the synthesized one)`,
      ];
    },
  };
}

const choreographyAlternativeStub: Omit<Alternative, "lines"> = {
  id: "choreography-comparison",
  name: "choreography",
  category: "saga",
  hosting: "serverless",
  assumptions: () => [],
};
