import type { Alternative } from "../alternatives/types.ts";
import { bridgeStackAlternative, isPubsubBridge } from "./bridge-stack.ts";
import { choreographyStackAlternative } from "./choreography-stack.ts";
import { isMskStream, mskStackAlternative } from "./msk-stack.ts";
import { sfnStackAlternatives } from "./sfn-stack.ts";
import { type StackPricingOptions, stackAlternative } from "./stack-alternative.ts";
import type { StackModel } from "./template.ts";

/**
 * Chooses how to price a synthesized stack by what it contains: a Pub/Sub forwarder or push receiver
 * is the SNS ↔ Pub/Sub bridge; an MSK cluster with a Lambda event source mapping is the MSK stream;
 * else a stack with SNS → SQS
 * subscriptions is a fan-out; else one with a state machine an SQS-triggered function starts is an
 * orchestrated saga (priced as synthesized and as Express); else one with EventBridge rules delivering
 * to SQS queues is a choreographed saga.
 */
export function stackAlternatives(model: StackModel, options: StackPricingOptions = {}): Alternative[] {
  if (isPubsubBridge(model)) return [bridgeStackAlternative(model)];
  if (isMskStream(model)) return [mskStackAlternative(model)];
  const fanOut = model.subscriptions.some((s) => s.protocol === "sqs" && s.queueId);
  const queueIds = new Set(model.queues.map((q) => q.id));
  const eventRules = (model.rules ?? []).filter(
    (r) => r.schedule === undefined && r.targets.some((t) => t.targetId && queueIds.has(t.targetId)),
  );
  if (!fanOut && eventRules.length > 0) return [choreographyStackAlternative(model)];
  if (!fanOut && model.stateMachines.some((m) => m.definition !== undefined)) {
    return sfnStackAlternatives(model);
  }
  return [stackAlternative(model, options)];
}
