import type { IConstruct } from "constructs";
import { acknowledgeNag } from "./nag.js";

/**
 * Acknowledges the cdk-nag findings every dead-letter queue raises about itself: it has no redrive
 * policy (`Serverless-SQSRedrivePolicy`). That is deliberate: a DLQ of a DLQ would only move the
 * failures away from the DLQ's depth alarm.
 */
export function acknowledgeDeadLetterQueueFindings(dlq: IConstruct): void {
  acknowledgeNag(
    dlq,
    "Serverless-SQSRedrivePolicy",
    "This queue is itself a dead-letter queue; a DLQ of a DLQ would only hide failures from the depth alarm",
  );
}

/**
 * Acknowledges the cdk-nag findings a Lambda function consuming an SQS queue through an event source
 * mapping raises: no Lambda DLQ (`Serverless-LambdaDLQ`: that applies only to asynchronous
 * invocations, the mapping invokes synchronously) and no on-failure destination
 * (`Serverless-LambdaEventSourceMappingDestination`: SQS mappings support none). Failed records
 * reach the queue's own redrive DLQ instead.
 */
export function acknowledgeSqsConsumerFunctionFindings(fn: IConstruct): void {
  acknowledgeNag(
    fn,
    "Serverless-LambdaDLQ",
    "Invoked synchronously by the SQS event source mapping; failed records go to the queue's redrive DLQ, a Lambda DLQ applies only to async invocations",
  );
  acknowledgeNag(
    fn,
    "Serverless-LambdaEventSourceMappingDestination",
    "SQS event source mappings support no on-failure destination; the queue's RedrivePolicy moves failed records to its DLQ",
  );
}
