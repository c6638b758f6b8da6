/**
 * Shipping subscriber: receives orders whose `data.status` is `paid` (SNS body filter), raw delivery.
 * Records an idempotent effect per event in the effects table; see functions/README.md.
 */
import { orderConsumerEntry } from "./order-consumer-entry.js";

/** SQS event source handler (`ReportBatchItemFailures`). */
export const handler = orderConsumerEntry();
