/** The Publisher service: CreateTopic, GetTopic, DeleteTopic, ListTopics, ListTopicSubscriptions, Publish. */
import { checkName } from "../names.ts";
import { type ApiContext, type UnaryHandler, unary } from "./context.ts";

interface PubsubMessageIn {
  readonly data?: Buffer;
  readonly attributes?: Record<string, string>;
  readonly orderingKey?: string;
}

export function publisherHandlers(ctx: ApiContext): Record<string, UnaryHandler> {
  const { registry } = ctx;
  return {
    CreateTopic: unary((topic: Record<string, unknown> & { name: string }) => {
      return registry.createTopic(checkName(topic.name, "topics"), topic).resource;
    }),
    GetTopic: unary(({ topic }: { topic: string }) => registry.topic(topic).resource),
    DeleteTopic: unary(({ topic }: { topic: string }) => {
      registry.deleteTopic(topic);
      return {};
    }),
    ListTopics: unary(({ project }: { project: string }) => ({
      topics: [...registry.topics.values()]
        .filter((t) => t.name.startsWith(`${project}/`))
        .map((t) => t.resource),
      nextPageToken: "",
    })),
    ListTopicSubscriptions: unary(({ topic }: { topic: string }) => ({
      subscriptions: [...registry.topic(topic).subscriptions],
      nextPageToken: "",
    })),
    Publish: unary(({ topic, messages }: { topic: string; messages: readonly PubsubMessageIn[] }) => ({
      messageIds: registry.publish(
        topic,
        messages.map((m) => ({
          data: m.data ?? Buffer.alloc(0),
          attributes: m.attributes ?? {},
          orderingKey: m.orderingKey ?? "",
        })),
      ),
    })),
  };
}
