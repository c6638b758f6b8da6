/**
 * Publishing to one Pub/Sub topic with `@google-cloud/pubsub`: the client batches concurrent
 * `publishMessage` calls into few Publish RPCs (100 messages or 10 ms) and resolves each call only
 * when Pub/Sub acknowledged that message, which is what lets the forwarder delete an SQS record
 * only after its publish succeeded. With an ordering key the client pauses the key after a failed
 * publish (so later messages cannot overtake it); the publisher resumes the key before reporting
 * the failure, and the SQS FIFO redelivery then retries in order.
 */
import type { PubSub, Topic } from "@google-cloud/pubsub";
import { PermanentError, RetryableError } from "../shared/errors.js";
import type { PubsubMessageInput } from "./cloudevent-pubsub.js";

/** Publishes one message; resolves with its message ID once Pub/Sub acknowledged it. */
export interface PubsubPublisher {
  publish(message: PubsubMessageInput): Promise<string>;
  /** Sends what is still batched (call before the invocation ends). */
  flush(): Promise<void>;
}

/** gRPC codes that no retry of the same message can fix. */
const PERMANENT_CODES = new Set([3 /* INVALID_ARGUMENT */]);

/** Options of {@link topicPublisher}. */
export interface TopicPublisherOptions {
  /**
   * Total time for one publish, retries included (the client's default is 600 s). Below the
   * function timeout, a Pub/Sub outage fails each record on its own (partial batch response)
   * instead of timing out the invocation, which would retry the records already published too.
   * @default 20_000
   */
  readonly timeoutMs?: number;
}

/** A {@link PubsubPublisher} over a client topic, with message ordering enabled for ordering keys. */
export function topicPublisher(
  pubsub: PubSub,
  topicName: string,
  options: TopicPublisherOptions = {},
): PubsubPublisher {
  const topic: Topic = pubsub.topic(topicName, {
    messageOrdering: true,
    gaxOpts: { timeout: options.timeoutMs ?? 20_000 },
  });
  return {
    async publish(message) {
      try {
        return await topic.publishMessage(message);
      } catch (error) {
        if (message.orderingKey) topic.resumePublishing(message.orderingKey);
        const code = (error as { code?: number }).code;
        const text = error instanceof Error ? error.message : String(error);
        if (code !== undefined && PERMANENT_CODES.has(code)) {
          throw new PermanentError("PubsubRejected", `Pub/Sub refused the message: ${text}`, {
            cause: error,
          });
        }
        throw new RetryableError(`Pub/Sub publish failed: ${text}`, { cause: error });
      }
    },
    flush: () => topic.flush(),
  };
}
