/**
 * StreamingPull: the bidirectional stream `@google-cloud/pubsub`'s `subscription.on("message")`
 * uses. The first request names the subscription, the stream's ack deadline and its flow control
 * (`maxOutstandingMessages`); later requests carry acks and deadline changes. The server pushes
 * messages while the stream has fewer than `maxOutstandingMessages` leased.
 */
import type { ServerDuplexStream } from "@grpc/grpc-js";
import { toStatusError } from "../errors.ts";
import type { LeaseOwner, SubscriptionQueue } from "../state/subscription.ts";
import type { ApiContext } from "./context.ts";
import { receivedMessage } from "./subscriber.ts";

interface StreamingPullRequest {
  readonly subscription?: string;
  readonly ackIds?: string[];
  readonly modifyDeadlineSeconds?: number[];
  readonly modifyDeadlineAckIds?: string[];
  readonly streamAckDeadlineSeconds?: number;
  readonly maxOutstandingMessages?: string | number;
}

const MAX_PER_RESPONSE = 1000;

export function streamingPullHandler(ctx: ApiContext) {
  return (call: ServerDuplexStream<StreamingPullRequest, unknown>): void => {
    let queue: SubscriptionQueue | undefined;
    let off: (() => void) | undefined;
    let maxOutstanding = 1000;
    let ackDeadlineSeconds = 10;
    let waitingForDrain = false;
    let closed = false;
    const owner: LeaseOwner = { outstanding: 0 };

    const close = (): void => {
      if (closed) return;
      closed = true;
      off?.();
    };
    const pump = (): void => {
      if (closed || !queue || waitingForDrain) return;
      while (owner.outstanding < maxOutstanding) {
        const deliveries = queue.take(
          Math.min(MAX_PER_RESPONSE, maxOutstanding - owner.outstanding),
          owner,
          ackDeadlineSeconds,
        );
        if (deliveries.length === 0) return;
        const flushed = call.write({ receivedMessages: deliveries.map(receivedMessage) });
        if (!flushed) {
          waitingForDrain = true;
          call.once("drain", () => {
            waitingForDrain = false;
            pump();
          });
          return;
        }
      }
    };

    call.on("data", (request: StreamingPullRequest) => {
      try {
        if (!queue) {
          queue = ctx.registry.subscription(request.subscription ?? "");
          ackDeadlineSeconds = request.streamAckDeadlineSeconds || queue.config.ackDeadlineSeconds;
          const max = Number(request.maxOutstandingMessages ?? 0);
          maxOutstanding = max > 0 ? max : 1000;
          call.write({
            receivedMessages: [],
            subscriptionProperties: { messageOrderingEnabled: queue.config.enableMessageOrdering },
          });
          off = queue.onAvailable(pump);
        }
        if (request.ackIds?.length) queue.acknowledge(request.ackIds);
        const modIds = request.modifyDeadlineAckIds ?? [];
        modIds.forEach((ackId, i) => {
          queue?.modifyAckDeadline([ackId], request.modifyDeadlineSeconds?.[i] ?? 0);
        });
        pump();
      } catch (error) {
        close();
        call.destroy(toStatusError(error));
      }
    });
    call.on("end", () => {
      close();
      call.end();
    });
    call.on("cancelled", close);
    call.on("error", close);
    call.on("close", close);
    void ctx.stopped.then(() => {
      close();
      call.end();
    });
  };
}
