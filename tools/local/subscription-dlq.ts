import type { FauxqsServer, SnsSpyMessage } from "fauxqs";
import { type FilterModule, filterModule } from "./filter-policy.ts";
import { type LocalSubscription, lastSegment, parseJsonAttribute } from "./resources/messaging.ts";
import { skipDeliveries } from "./services/fauxqs-delivery-guard.ts";
import type { Spy } from "./spy.ts";

/** SQS accepts at most 10 message attributes per message. */
const MAX_SQS_ATTRIBUTES = 10;

/**
 * The smallest faithful piece of SNS subscription DLQs (`RedrivePolicy` on an SQS subscription),
 * which fauxqs stores but does not apply. A published message that matches a subscription's filter
 * policy but cannot be delivered goes to the subscription's DLQ instead of being dropped:
 *
 * - its queue no longer exists (on AWS: deleted, or SNS may not use its KMS key): the DLQ receives
 *   what the queue would have (the raw message and its attributes with raw delivery, else the SNS
 *   notification envelope);
 * - raw delivery of a message with more than 10 message attributes, which SQS refuses: a client
 *   error that SNS does not retry. fauxqs would deliver it; it is not delivered (see
 *   `services/fauxqs-delivery-guard.ts`), and the DLQ receives the notification envelope, which keeps
 *   every attribute in its body. Without a DLQ the message is discarded, as on AWS.
 *
 * Filtered-out messages are never dead-lettered (by design on AWS too). Filter evaluation reuses
 * fauxqs's own filter module (loaded by file, as fauxqs does not export it), so delivery and
 * dead-lettering always agree.
 */
export async function subscriptionDlq(
  fauxqs: FauxqsServer,
  subscriptions: readonly LocalSubscription[],
  spy: Spy,
): Promise<(message: SnsSpyMessage) => void> {
  const watched = subscriptions.map((subscription) => {
    const target = parseJsonAttribute(subscription.attributes.RedrivePolicy)?.deadLetterTargetArn;
    return {
      subscription,
      raw: subscription.attributes.RawMessageDelivery === "true",
      dlqName: target ? lastSegment(String(target)) : undefined,
    };
  });
  if (watched.every((w) => !w.raw && !w.dlqName)) return () => undefined;
  const filter = await filterModule();
  return (message) => {
    const tooManyAttributes = Object.keys(message.messageAttributes).length > MAX_SQS_ATTRIBUTES;
    const skip = new Set<string>();
    for (const { subscription, raw, dlqName } of watched) {
      if (subscription.topicName !== message.topicName) continue;
      const rawTooMany = raw && tooManyAttributes;
      if (!rawTooMany && !dlqName) continue;
      if (!matches(filter, subscription, message)) continue;
      let reason: string;
      if (rawTooMany) {
        skip.add(subscription.queueName);
        reason = `raw message delivery with more than ${MAX_SQS_ATTRIBUTES} message attributes (SQS accepts ${MAX_SQS_ATTRIBUTES}): a client error`;
      } else if (!fauxqs.inspectQueue(subscription.queueName)) {
        reason = `queue ${subscription.queueName} does not exist`;
      } else continue;
      if (!dlqName || !fauxqs.inspectQueue(dlqName)) continue;
      if (raw && !rawTooMany) {
        fauxqs.sendMessage(dlqName, message.body, { messageAttributes: message.messageAttributes });
      } else fauxqs.sendMessage(dlqName, envelope(message));
      spy.record({
        kind: "sns.subscription-dlq",
        subscription: subscription.logicalId,
        messageId: message.messageId,
        reason,
        at: Date.now(),
      });
    }
    if (skip.size > 0) skipDeliveries(skip);
  };
}

/** The SNS notification envelope a non-raw subscription receives. */
function envelope(message: SnsSpyMessage): string {
  return JSON.stringify({
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
}

function matches(filter: FilterModule, subscription: LocalSubscription, message: SnsSpyMessage): boolean {
  const policy = parseJsonAttribute(subscription.attributes.FilterPolicy);
  if (!policy) return true;
  return subscription.attributes.FilterPolicyScope === "MessageBody"
    ? filter.matchesFilterPolicyOnBody(policy, message.body)
    : filter.matchesFilterPolicy(policy, message.messageAttributes);
}
