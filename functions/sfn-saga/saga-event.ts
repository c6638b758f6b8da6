/**
 * What the SfnSaga construct passes to every Lambda step (patterns/sfn-saga/definition.ts builds the
 * task's `Parameters`): the business key, the step, the phase, the execution and the whole state.
 */
import * as z from "zod";
import { InvalidSagaInput } from "./errors.js";
import { type Order, OrderSchema } from "./order.js";

/** The payload of a saga step invocation. */
export const SagaStepEventSchema = z.object({
  /** The value at the saga's business key path (`$.orderId`): with `step`, the idempotency key. */
  sagaKey: z.string().min(1),
  /** The step's ID (its state name). */
  step: z.string().min(1),
  /** `action` (forward) or `compensation` (undo). */
  phase: z.enum(["action", "compensation"]),
  /** The execution ARN. */
  executionId: z.string().min(1),
  /** The state: the execution input plus `results`, `failure`, `compensations` written so far. */
  input: z.record(z.string(), z.unknown()),
  /** Only for callback steps. */
  taskToken: z.string().optional(),
});

/** A parsed step event. */
export type SagaStepEvent = z.infer<typeof SagaStepEventSchema>;

/** A step event whose input is a valid order. */
export interface OrderStepEvent extends SagaStepEvent {
  readonly order: Order;
}

/** Parses the payload and the order in it; throws {@link InvalidSagaInput} naming what is wrong. */
export function parseOrderStepEvent(payload: unknown): OrderStepEvent {
  const event = SagaStepEventSchema.safeParse(payload);
  if (!event.success) throw new InvalidSagaInput(`not a saga step event: ${z.prettifyError(event.error)}`);
  const order = OrderSchema.safeParse(event.data.input);
  if (!order.success) throw new InvalidSagaInput(`not an order: ${z.prettifyError(order.error)}`);
  if (order.data.orderId !== event.data.sagaKey) {
    throw new InvalidSagaInput(`sagaKey ${event.data.sagaKey} is not the order's ID ${order.data.orderId}`);
  }
  return { ...event.data, order: order.data };
}
