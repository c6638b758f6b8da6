/**
 * Audit subscriber: receives every order event, wrapped in the SNS notification envelope (raw delivery off).
 * Records an idempotent effect per event in the effects table; see functions/README.md.
 */
import { orderConsumerEntry } from "./order-consumer-entry.js";

/** SQS event source handler (`ReportBatchItemFailures`). */
export const handler = orderConsumerEntry();
