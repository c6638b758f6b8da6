import type { Duration } from "aws-cdk-lib";
import type { CfnRule, IRuleTarget, RuleTargetConfig } from "aws-cdk-lib/aws-events";
import { RuleTargetInput } from "aws-cdk-lib/aws-events";
import type { IQueue } from "aws-cdk-lib/aws-sqs";

/** Props of {@link ServiceQueueTarget}. */
export interface ServiceQueueTargetProps {
  /** The service's queue. */
  readonly queue: IQueue;
  /** Where EventBridge parks an event it could not deliver after its retries. */
  readonly deadLetterQueue: IQueue;
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
}

/**
 * A rule target that delivers the event's `detail` (the CloudEvent the service put) to a service's
 * queue, with a target DLQ and an explicit retry policy.
 *
 * Unlike `aws-events-targets.SqsQueue`, it adds no permissions: the service construct grants
 * EventBridge `sqs:SendMessage` on the queue and its target DLQ and the key's `kms:GenerateDataKey`
 * and `kms:Decrypt`, each restricted to the ARNs of exactly its rules. (`SqsQueue` on a KMS-encrypted
 * queue conditions the queue policy on the account only, and grants the key's wildcard actions.)
 */
export class ServiceQueueTarget implements IRuleTarget {
  constructor(private readonly props: ServiceQueueTargetProps) {}

  bind(): RuleTargetConfig {
    const retryPolicy: CfnRule.RetryPolicyProperty = {
      maximumRetryAttempts: this.props.retryAttempts,
      maximumEventAgeInSeconds: this.props.maxEventAge.toSeconds({ integral: true }),
    };
    return {
      arn: this.props.queue.queueArn,
      // InputPath `$.detail`: the queue receives the CloudEvent itself, as a raw SNS delivery would.
      input: RuleTargetInput.fromEventPath("$.detail"),
      deadLetterConfig: { arn: this.props.deadLetterQueue.queueArn },
      retryPolicy,
      targetResource: this.props.queue,
    };
  }
}
