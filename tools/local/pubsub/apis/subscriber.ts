/**
 * The Subscriber service's unary calls: CreateSubscription, GetSubscription, DeleteSubscription,
 * ListSubscriptions, Pull, Acknowledge, ModifyAckDeadline. StreamingPull is in streaming-pull.ts.
 */
import type { Delivery } from "../state/subscription.ts";
import { type ApiContext, type UnaryHandler, unary } from "./context.ts";
import { type SubscriptionRequest, subscriptionConfig } from "./subscription-config.ts";

/** A delivery in the proto-loader shape of `ReceivedMessage`. */
export function receivedMessage(delivery: Delivery): Record<string, unknown> {
  return { ackId: delivery.ackId, message: delivery.message, deliveryAttempt: delivery.deliveryAttempt };
}

export function subscriberHandlers(ctx: ApiContext): Record<string, UnaryHandler> {
  const { registry } = ctx;
  return {
    CreateSubscription: unary((request: SubscriptionRequest) => {
      const queue = registry.createSubscription(subscriptionConfig(request));
      if (queue.config.pushEndpoint) ctx.startPush(queue.config.name);
      return queue.config.resource;
    }),
    GetSubscription: unary(
      ({ subscription }: { subscription: string }) => registry.subscription(subscription).config.resource,
    ),
    DeleteSubscription: unary(({ subscription }: { subscription: string }) => {
      ctx.stopPush(subscription);
      registry.deleteSubscription(subscription);
      return {};
    }),
    ListSubscriptions: unary(({ project }: { project: string }) => ({
      subscriptions: [...registry.subscriptions.values()]
        .filter((s) => s.config.name.startsWith(`${project}/`))
        .map((s) => s.config.resource),
      nextPageToken: "",
    })),
    Acknowledge: unary(({ subscription, ackIds }: { subscription: string; ackIds: string[] }) => {
      registry.subscription(subscription).acknowledge(ackIds);
      return {};
    }),
    ModifyAckDeadline: unary(
      ({
        subscription,
        ackIds,
        ackDeadlineSeconds,
      }: {
        subscription: string;
        ackIds: string[];
        ackDeadlineSeconds: number;
      }) => {
        registry.subscription(subscription).modifyAckDeadline(ackIds, ackDeadlineSeconds);
        return {};
      },
    ),
    Pull: unary(
      async ({
        subscription,
        maxMessages,
        returnImmediately,
      }: {
        subscription: string;
        maxMessages: number;
        returnImmediately: boolean;
      }) => {
        const queue = registry.subscription(subscription);
        const max = Math.max(1, Math.min(maxMessages || 1000, 1000));
        let deliveries = queue.take(max);
        if (deliveries.length === 0 && !returnImmediately) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, ctx.pullWaitMs);
            const off = queue.onAvailable(done);
            void ctx.stopped.then(done);
            function done(): void {
              clearTimeout(timer);
              off();
              resolve();
            }
          });
          deliveries = queue.take(max);
        }
        return { receivedMessages: deliveries.map(receivedMessage) };
      },
    ),
  };
}
