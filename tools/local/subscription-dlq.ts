import type { FauxqsServer, SnsSpyMessage } from "fauxqs";
import { type FilterModule, filterModule } from "./filter-policy.ts";
import { type LocalSubscription, lastSegment, parseJsonAttribute } from "./resources/messaging.ts";
import type { Spy } from "./spy.ts";

/**
 * The smallest faithful piece of SNS subscription DLQs (`RedrivePolicy` on an SQS subscription),
 * which fauxqs stores but does not apply: when a published message matches a subscription's filter
 * policy but its queue no longer exists (on AWS: deleted, or SNS may not use its KMS key), SNS
 * cannot deliver it; instead of dropping it, it goes to the subscription's DLQ. The DLQ receives
 * what the queue would have: the raw message and its attributes with raw delivery, else the SNS
 * notification envelope. Filtered-out messages are never dead-lettered (by design on AWS too).
 *
 * Filter evaluation reuses fauxqs's own filter module (loaded by file, as fauxqs does not export it),
 * so delivery and dead-lettering always agree.
 */
export async function subscriptionDlq(
  fauxqs: FauxqsServer,
  subscriptions: readonly LocalSubscription[],
  spy: Spy,
): Promise<(message: SnsSpyMessage) => void> {
  const withDlq = subscriptions.filter(
    (s) => parseJsonAttribute(s.attributes.RedrivePolicy)?.deadLetterTargetArn,
  );
  if (withDlq.length === 0) return () => undefined;
  const filter = await filterModule();
  return (message) => {
    for (const subscription of withDlq) {
      if (subscription.topicName !== message.topicName) continue;
      if (fauxqs.inspectQueue(subscription.queueName)) continue;
      if (!matches(filter, subscription, message)) continue;
      const dlqName = lastSegment(
        String(parseJsonAttribute(subscription.attributes.RedrivePolicy)?.deadLetterTargetArn),
      );
      const raw = subscription.attributes.RawMessageDelivery === "true";
      const body = raw
        ? message.body
        : JSON.stringify({
            Type: "Notification",
            MessageId: message.messageId,
            TopicArn: message.topicArn,
            Message: message.body,
            Timestamp: new Date(message.timestamp).toISOString(),
            SignatureVersion: "1",
            ...(Object.keys(message.messageAttributes).length > 0
              ? {
                  MessageAttributes: Object.fromEntries(
                    Object.entries(message.messageAttributes).map(([k, v]) => [
                      k,
                      { Type: v.DataType, Value: v.StringValue ?? v.BinaryValue ?? "" },
                    ]),
                  ),
                }
              : {}),
          });
      if (!fauxqs.inspectQueue(dlqName)) continue;
      fauxqs.sendMessage(dlqName, body, raw ? { messageAttributes: message.messageAttributes } : {});
      spy.record({
        kind: "sns.subscription-dlq",
        subscription: subscription.logicalId,
        messageId: message.messageId,
        reason: `queue ${subscription.queueName} does not exist`,
        at: Date.now(),
      });
    }
  };
}

function matches(filter: FilterModule, subscription: LocalSubscription, message: SnsSpyMessage): boolean {
  const policy = parseJsonAttribute(subscription.attributes.FilterPolicy);
  if (!policy) return true;
  return subscription.attributes.FilterPolicyScope === "MessageBody"
    ? filter.matchesFilterPolicyOnBody(policy, message.body)
    : filter.matchesFilterPolicy(policy, message.messageAttributes);
}
