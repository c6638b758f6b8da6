/** The payments service's queue consumer (SAGA_SERVICE=payments); see reactions.ts for what it does. */
import { serviceEntry } from "./service-entry.js";

/** SQS event source handler (`ReportBatchItemFailures`). */
export const handler = serviceEntry();
