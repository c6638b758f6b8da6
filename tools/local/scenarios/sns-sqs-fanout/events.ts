import type { FanoutSubscriberName } from "../../../../stacks/sns-sqs-fanout-outputs.ts";

/** A valid event as the scenario publishes it through the publisher. */
export interface FanoutEvent {
  readonly id: string;
  readonly type: string;
  readonly data: { orderId: string; customerId: string; amount: number; currency: string; status: string };
}

/**
 * What each example subscriber must receive, from the stack's filter policies: `matches` says whether a
 * valid event passes its filter; `deadLettersMalformed` whether a malformed body published with
 * `type = order.created` reaches its queue (and so its DLQ). Keyed by the stack's subscriber list, so a
 * subscriber added to the stack without an expectation here fails to compile.
 */
export const SUBSCRIBER_EXPECTATIONS: Readonly<
  Record<FanoutSubscriberName, { matches: (e: FanoutEvent) => boolean; deadLettersMalformed: boolean }>
> = {
  billing: { matches: (e) => e.type === "order.created", deadLettersMalformed: true },
  // A body filter cannot match a body that is not JSON: shipping never sees a malformed event.
  shipping: { matches: (e) => e.data.status === "paid", deadLettersMalformed: false },
  audit: { matches: () => true, deadLettersMalformed: true },
};

const TYPES = [
  { type: "order.created", status: "created", weight: 4 },
  { type: "order.paid", status: "paid", weight: 3 },
  { type: "order.shipped", status: "shipped", weight: 2 },
  { type: "order.cancelled", status: "cancelled", weight: 1 },
] as const;

/** Builds `count` valid events for run `runId`, types mixed 4:3:2:1 (created, paid, shipped, cancelled). */
export function buildEvents(runId: string, count: number): FanoutEvent[] {
  const wheel = TYPES.flatMap((t) => Array.from({ length: t.weight }, () => t));
  return Array.from({ length: count }, (_, i) => {
    const t = wheel[i % wheel.length] as (typeof TYPES)[number];
    return {
      id: `${runId}-${String(i).padStart(6, "0")}`,
      type: t.type,
      data: {
        orderId: `order-${i}`,
        customerId: `customer-${i % 17}`,
        amount: (i % 50) * 3 + 1,
        currency: "EUR",
        status: t.status,
      },
    };
  });
}

/** A malformed body (truncated JSON) carrying the run ID, published straight to the topic. */
export function malformedBody(runId: string, i: number): string {
  return `{"specversion":"1.0","id":"${runId}-malformed-${i}","type":"order.created","data":{"orderId":`;
}

/** Every `duplicateCount`-th-spread event, published a second time with the same ID (a retrying producer). */
export function pickDuplicates(events: readonly FanoutEvent[], duplicateCount: number): FanoutEvent[] {
  const step = Math.max(1, Math.floor(events.length / Math.max(1, duplicateCount)));
  return events.filter((_, i) => i % step === 0).slice(0, duplicateCount);
}
