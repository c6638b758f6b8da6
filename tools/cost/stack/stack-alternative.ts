import { snsSqsLambda, snsSqsLambdaFifo } from "../alternatives/sns-sqs-lambda.ts";
import type { Alternative } from "../alternatives/types.ts";
import { InputError } from "../units.ts";
import type { SubscriberInput, Workload } from "../workload.ts";
import type { FunctionModel, StackModel } from "./template.ts";

/** Powertools idempotency writes an in-progress record, then the completed one. */
export const IDEMPOTENCY_WRITES = 2;

/**
 * The Kafka consumer's batch idempotency (`functions/shared/batch-idempotency.ts`) writes one
 * completion mark per record (batched 25 to a `BatchWriteItem`, still one write unit each) and reads
 * the batch's ids once (one strongly consistent read unit per record, priced separately).
 */
export const BATCH_IDEMPOTENCY_WRITES = 1;

export interface StackPricingOptions {
  /**
   * Fraction of published messages each filtered subscriber receives, by subscriber name; `*` sets
   * the default for every filtered subscriber. An explicit assumption. @default { "*": 1 } (upper bound)
   */
  readonly match?: Readonly<Record<string, number>>;
  /** Overrides the per-function DynamoDB writes the template implies. */
  readonly writesPerMessage?: number;
}

/** A subscriber derived from the template, with where each setting came from. */
export interface StackSubscriber {
  readonly subscriber: SubscriberInput & { name: string };
  readonly notes: string[];
}

function subscriberName(fn: FunctionModel | undefined, queueId: string): string {
  return fn?.env.SUBSCRIBER_NAME ?? queueId.replace(/[0-9A-F]{8}$/, "");
}

/**
 * DynamoDB writes per message implied by a function's environment: idempotency table
 * `idempotencyWrites` (@default {@link IDEMPOTENCY_WRITES}), any other table 1.
 */
export function tableWrites(
  fn: FunctionModel | undefined,
  tableIds: ReadonlySet<string>,
  { idempotencyWrites = IDEMPOTENCY_WRITES }: { idempotencyWrites?: number } = {},
): { writes: number; why: string } {
  if (!fn) return { writes: 0, why: "no consumer function" };
  let writes = 0;
  const why: string[] = [];
  for (const [name, ref] of Object.entries(fn.envRefs)) {
    if (!tableIds.has(ref)) continue;
    const n = /IDEMPOTENCY/i.test(name) ? idempotencyWrites : 1;
    writes += n;
    why.push(`${name} → ${n}`);
  }
  return { writes, why: why.length > 0 ? why.join(", ") : "no table in its environment" };
}

/** The SQS subscribers of a stack, each with its consumer settings read from the template. */
export function stackSubscribers(model: StackModel, options: StackPricingOptions = {}): StackSubscriber[] {
  const match = options.match ?? {};
  const tableIds = new Set(model.tables.map((t) => t.id));
  const out: StackSubscriber[] = [];
  for (const sub of model.subscriptions) {
    if (sub.protocol !== "sqs" || !sub.queueId) continue;
    const esm = model.eventSourceMappings.find((e) => e.sourceId === sub.queueId);
    const fn = model.functions.find((f) => f.id === esm?.functionId);
    const name = subscriberName(fn, sub.queueId);
    const notes: string[] = [];
    let matchFraction = 1;
    if (sub.filterPolicy !== undefined) {
      matchFraction = match[name] ?? match["*"] ?? 1;
      notes.push(
        `${name}: filter policy ${JSON.stringify(sub.filterPolicy)} on ${sub.filterPolicyScope === "MessageBody" ? "the body" : "attributes"} → ASSUMED to match ${(matchFraction * 100).toFixed(0)} % of messages${match[name] === undefined ? ` (default; set --match ${name}=0.25)` : " (--match)"}`,
      );
    }
    const writes =
      options.writesPerMessage === undefined
        ? tableWrites(fn, tableIds)
        : { writes: options.writesPerMessage, why: "--idempotency-writes" };
    if (fn) {
      notes.push(
        `${name}: Lambda ${fn.arch} ${fn.memoryMb} MB (timeout ${fn.timeoutSeconds} s), batch ${esm?.batchSize ?? 10}, window ${esm?.batchWindowSeconds ?? 0} s, ${writes.writes} DynamoDB writes/message (${writes.why})${sub.rawDelivery ? "" : ", SNS envelope (raw delivery off)"}`,
      );
    } else {
      notes.push(`${name}: no event source mapping found; priced with the workload's Lambda defaults`);
    }
    out.push({
      subscriber: {
        name,
        matchFraction,
        bodyFilter: sub.filterPolicy !== undefined && sub.filterPolicyScope === "MessageBody",
        rawDelivery: sub.rawDelivery,
        ...(esm ? { batchSize: esm.batchSize, batchWindowSeconds: esm.batchWindowSeconds } : {}),
        ...(fn ? { lambdaMemoryMb: Math.max(128, fn.memoryMb), lambdaArch: fn.arch } : {}),
        idempotencyWritesPerMessage: writes.writes,
      },
      notes,
    });
  }
  for (const name of Object.keys(match)) {
    if (name !== "*" && !out.some((s) => s.subscriber.name === name)) {
      throw new InputError(
        `--match: no subscriber "${name}" in ${model.stackName} (subscribers: ${out.map((s) => s.subscriber.name).join(", ") || "none"})`,
      );
    }
  }
  return out;
}

/**
 * Prices a synthesized stack as an alternative ("stack:<Name>"): its SNS topic, its SQS subscribers
 * with their filters (as explicit match fractions), raw delivery, consumer memory/architecture, batch
 * sizes and table writes. Producers are left out, as for every alternative.
 */
export function stackAlternative(model: StackModel, options: StackPricingOptions = {}): Alternative {
  const subscribers = stackSubscribers(model, options);
  if (subscribers.length === 0) {
    throw new InputError(
      `--stack: ${model.stackName} has no SNS → SQS subscription to price (found ${model.topics.length} topics, ${model.queues.length} queues)`,
    );
  }
  const fifo = model.topics.some((t) => t.fifo);
  const base = fifo ? snsSqsLambdaFifo : snsSqsLambda;
  const withSubscribers = (w: Workload): Workload => ({
    ...w,
    subscribers: subscribers.map((s) => ({
      bodyFilter: false,
      rawDelivery: true,
      matchFraction: 1,
      ...s.subscriber,
    })),
  });
  const filtered = model.subscriptions.filter((s) => s.filterPolicy !== undefined).length;
  const dlqs = model.queues.filter((q) => q.deadLetterQueueId).length;
  const summary = `template: ${model.topics.length} topic(s), ${model.subscriptions.length} subscription(s) (${filtered} filtered), ${model.queues.length} queue(s) (${dlqs} DLQs), ${model.functions.length} function(s), ${model.eventSourceMappings.length} event source mapping(s), ${model.tables.length} table(s), ${model.stateMachines.length} state machine(s)`;
  return {
    id: `stack:${model.stackName}`,
    name: `${model.stackName} (as synthesized)`,
    category: "messaging",
    hosting: "serverless",
    lines: (w, prices) => base.lines(withSubscribers(w), prices),
    assumptions: (w, prices) => [
      summary,
      ...subscribers.flatMap((s) => s.notes),
      "producer functions and alarms/logs are not priced (they exist whatever the transport)",
      // The base's subscriber and consumer lines restate the workload defaults, which the template overrides.
      ...base
        .assumptions(withSubscribers(w), prices)
        .slice(1)
        .filter((a) => !a.startsWith("consumers:")),
      "DynamoDB storage of idempotency records (TTL) and of the effects table is not priced",
    ],
    warnings: (w, prices) => [
      ...(base.warnings?.(withSubscribers(w), prices) ?? []),
      ...model.tables
        .filter((t) => t.billingMode === "PROVISIONED")
        .map((t) => `table ${t.id} uses provisioned capacity: its hourly capacity is not priced`),
      ...model.stateMachines.map(
        (m) =>
          `state machine ${m.id} (${m.type}${m.states === undefined ? "" : `, ${m.states} states`}): price it with --alternatives sfn-${m.type === "EXPRESS" ? "express" : "standard"} --saga-steps N`,
      ),
    ],
  };
}
