import { RemovalPolicy } from "aws-cdk-lib";
import { Key } from "aws-cdk-lib/aws-kms";
import type { Construct } from "constructs";

/**
 * A customer-managed KMS key with yearly rotation. The patterns use one key per purpose (topic,
 * each subscriber's queues) because a key shared by an SNS topic and the queues it feeds creates a
 * CloudFormation cycle (key policy → topic ARN → key), and because the AWS-managed `alias/aws/sqs`
 * key cannot be used by SNS at all.
 *
 * @param removalPolicy `RETAIN` by default: deleting a key makes every message encrypted with it
 * unreadable, so production keys outlive the stack unless the caller decides otherwise.
 */
export function createKey(
  scope: Construct,
  id: string,
  description: string,
  removalPolicy: RemovalPolicy = RemovalPolicy.RETAIN,
): Key {
  return new Key(scope, id, { description, enableKeyRotation: true, removalPolicy });
}
