/** Topics, subscriptions and message IDs of one emulator instance. */
import { alreadyExists, invalidArgument, notFound } from "../errors.ts";
import { type StoredMessage, timestamp } from "./message.ts";
import { type SubscriptionConfig, SubscriptionQueue } from "./subscription.ts";

export interface TopicState {
  readonly name: string;
  /** The Topic message as created, echoed back by Get/CreateTopic. */
  readonly resource: Record<string, unknown>;
  readonly subscriptions: Set<string>;
}

export interface PublishInput {
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
  readonly orderingKey: string;
}

/** Pub/Sub's limits for one published message. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export class PubsubRegistry {
  readonly topics = new Map<string, TopicState>();
  readonly subscriptions = new Map<string, SubscriptionQueue>();
  private nextMessageId = 1;
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  createTopic(name: string, resource: Record<string, unknown>): TopicState {
    if (this.topics.has(name)) throw alreadyExists("Topic");
    const topic: TopicState = { name, resource: { ...resource, name }, subscriptions: new Set() };
    this.topics.set(name, topic);
    return topic;
  }

  topic(name: string): TopicState {
    const topic = this.topics.get(name);
    if (!topic) throw notFound("Topic");
    return topic;
  }

  deleteTopic(name: string): void {
    this.topic(name);
    this.topics.delete(name);
    // Pub/Sub keeps the subscriptions, detached from a topic named `_deleted-topic_`.
  }

  createSubscription(config: SubscriptionConfig): SubscriptionQueue {
    if (this.subscriptions.has(config.name)) throw alreadyExists("Subscription");
    const topic = this.topic(config.topic);
    if (config.deadLetterPolicy && !this.topics.has(config.deadLetterPolicy.deadLetterTopic)) {
      throw notFound("Dead letter topic");
    }
    const queue = new SubscriptionQueue(config, {
      now: this.now,
      deadLetter: (subscription, message, attempts) =>
        this.forwardToDeadLetter(subscription, message, attempts),
    });
    this.subscriptions.set(config.name, queue);
    topic.subscriptions.add(config.name);
    return queue;
  }

  subscription(name: string): SubscriptionQueue {
    const subscription = this.subscriptions.get(name);
    if (!subscription) throw notFound("Subscription");
    return subscription;
  }

  deleteSubscription(name: string): void {
    const subscription = this.subscription(name);
    subscription.clear();
    this.subscriptions.delete(name);
    this.topics.get(subscription.config.topic)?.subscriptions.delete(name);
  }

  /** Stores messages on every subscription of the topic; returns their message IDs in order. */
  publish(topicName: string, messages: readonly PublishInput[]): string[] {
    const topic = this.topic(topicName);
    if (messages.length === 0) throw invalidArgument("The request must contain at least one message.");
    const publishTime = timestamp(this.now());
    const ids: string[] = [];
    for (const input of messages) {
      if (input.data.length === 0 && Object.keys(input.attributes).length === 0) {
        throw invalidArgument("Some messages contain neither data nor attributes.");
      }
      if (input.data.length > MAX_MESSAGE_BYTES) throw invalidArgument("Message too large");
      const message: StoredMessage = {
        data: input.data,
        attributes: input.attributes,
        orderingKey: input.orderingKey,
        messageId: String(this.nextMessageId++),
        publishTime,
      };
      ids.push(message.messageId);
      for (const name of topic.subscriptions) this.subscriptions.get(name)?.enqueue(message);
    }
    return ids;
  }

  /** Pub/Sub's dead-lettering: republish with the source delivery count and subscription. */
  private forwardToDeadLetter(
    subscription: SubscriptionQueue,
    message: StoredMessage,
    attempts: number,
  ): void {
    const policy = subscription.config.deadLetterPolicy;
    if (!policy || !this.topics.has(policy.deadLetterTopic)) return;
    const [, project, , id] = subscription.config.name.split("/");
    this.publish(policy.deadLetterTopic, [
      {
        data: message.data,
        orderingKey: message.orderingKey,
        attributes: {
          ...message.attributes,
          CloudPubSubDeadLetterSourceDeliveryCount: String(attempts),
          CloudPubSubDeadLetterSourceSubscription: id ?? "",
          CloudPubSubDeadLetterSourceSubscriptionProject: project ?? "",
          CloudPubSubDeadLetterSourceTopicPublishTime: new Date(
            Number(message.publishTime.seconds) * 1000 + message.publishTime.nanos / 1e6,
          ).toISOString(),
        },
      },
    ]);
  }

  /** Expires leases and wakes consumers of backed-off messages (called on a timer). */
  tick(): void {
    for (const subscription of this.subscriptions.values()) subscription.tick();
  }
}
