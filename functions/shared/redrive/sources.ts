import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsCommand,
  type SNSClient,
} from "@aws-sdk/client-sns";
import {
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { isUnsupportedAction } from "./errors.ts";
import { parseRedrivePolicy } from "./queues.ts";

/** Where the messages of a DLQ came from. */
export interface DlqSources {
  /** URLs of the SQS queues whose RedrivePolicy names this DLQ. */
  readonly sqsSourceUrls: string[];
  /** SNS subscriptions (protocol sqs) whose RedrivePolicy names this DLQ: the queue each delivers to. */
  readonly snsSubscriptions: Array<{ subscriptionArn: string; endpointArn: string }>;
  /** How the SQS sources were found: the API, or a scan of ListQueues when the endpoint lacks it. */
  readonly discoveredBy: "ListDeadLetterSourceQueues" | "ListQueues scan";
}

/**
 * Finds the SQS queues that use `dlq` as their dead-letter queue. Uses ListDeadLetterSourceQueues; when
 * the endpoint does not implement it (fauxqs, some emulators) falls back to listing the queues and reading
 * each RedrivePolicy, which gives the same answer for the account and region the client points at.
 */
export async function findSqsSources(sqs: SQSClient, dlq: { url: string; arn: string }): Promise<DlqSources> {
  try {
    const urls: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await sqs.send(
        new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.url, MaxResults: 1000, NextToken }),
      );
      urls.push(...(page.queueUrls ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return { sqsSourceUrls: urls, snsSubscriptions: [], discoveredBy: "ListDeadLetterSourceQueues" };
  } catch (error) {
    if (!isUnsupportedAction(error)) throw error;
  }
  const urls: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sqs.send(new ListQueuesCommand({ MaxResults: 1000, NextToken }));
    for (const url of page.QueueUrls ?? []) {
      if (url === dlq.url) continue;
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["RedrivePolicy"] }),
      );
      const policy = Attributes?.RedrivePolicy ? parseRedrivePolicy(Attributes.RedrivePolicy) : {};
      if (policy.deadLetterTargetArn === dlq.arn) urls.push(url);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return { sqsSourceUrls: urls, snsSubscriptions: [], discoveredBy: "ListQueues scan" };
}

/**
 * Finds SNS subscriptions (protocol `sqs`) whose subscription RedrivePolicy names `dlqArn`: an SNS
 * subscription DLQ holds messages SNS could not deliver to the subscribed queue, so that queue is where a
 * redrive sends them. SQS's own move task cannot do this (PITFALLS: StartMessageMoveTask only accepts DLQs of
 * SQS queues). Errors (no permission, no SNS endpoint) give an empty list: the caller then asks for `--to`.
 */
export async function findSnsSubscriptions(
  sns: SNSClient,
  dlqArn: string,
): Promise<Array<{ subscriptionArn: string; endpointArn: string }>> {
  const found: Array<{ subscriptionArn: string; endpointArn: string }> = [];
  try {
    let NextToken: string | undefined;
    do {
      const page = await sns.send(new ListSubscriptionsCommand({ NextToken }));
      for (const sub of page.Subscriptions ?? []) {
        if (sub.Protocol !== "sqs" || !sub.SubscriptionArn || !sub.Endpoint) continue;
        const { Attributes } = await sns.send(
          new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn }),
        );
        const policy = Attributes?.RedrivePolicy ? parseRedrivePolicy(Attributes.RedrivePolicy) : {};
        if (policy.deadLetterTargetArn === dlqArn) {
          found.push({ subscriptionArn: sub.SubscriptionArn, endpointArn: sub.Endpoint });
        }
      }
      NextToken = page.NextToken;
    } while (NextToken);
  } catch {
    return found;
  }
  return found;
}
