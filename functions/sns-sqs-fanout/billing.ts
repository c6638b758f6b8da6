/**
 * Billing subscriber: receives `order.created` (SNS attribute filter on `type`), raw delivery.
 * Records an idempotent effect per event in the effects table; see functions/README.md.
 */
import { orderConsumerEntry } from "./order-consumer-entry.js";

/** SQS event source handler (`ReportBatchItemFailures`). */
export const handler = orderConsumerEntry();
