import type { Alternative } from "../alternatives/types.ts";
import { sfnStackAlternatives } from "./sfn-stack.ts";
import { type StackPricingOptions, stackAlternative } from "./stack-alternative.ts";
import type { StackModel } from "./template.ts";

/**
 * Chooses how to price a synthesized stack by what it contains: a stack with SNS → SQS
 * subscriptions is a fan-out; else one with a state machine an SQS-triggered function starts is an
 * orchestrated saga (priced as synthesized and as Express).
 */
export function stackAlternatives(model: StackModel, options: StackPricingOptions = {}): Alternative[] {
  const fanOut = model.subscriptions.some((s) => s.protocol === "sqs" && s.queueId);
  if (!fanOut && model.stateMachines.some((m) => m.definition !== undefined)) {
    return sfnStackAlternatives(model);
  }
  return [stackAlternative(model, options)];
}
