/**
 * Push delivery: a push subscription POSTs each message to its endpoint as Pub/Sub does, the
 * JSON wrapper `{ message: { data (base64), attributes, messageId, publishTime, orderingKey },
 * subscription, deliveryAttempt }`, with `Authorization: Bearer <OIDC token>` when the
 * subscription has an OIDC token configured. 102, 200, 201, 202 and 204 acknowledge; anything
 * else, a network error or no answer within the ack deadline is a failed attempt (retry policy,
 * then the dead-letter topic).
 */

import type { PushTokenSigner } from "./oidc.ts";
import type { StoredMessage } from "./state/message.ts";
import type { Delivery, LeaseOwner, SubscriptionQueue } from "./state/subscription.ts";

const SUCCESS = new Set([102, 200, 201, 202, 204]);

export interface PushOptions {
  readonly signer: PushTokenSigner;
  /** Concurrent deliveries per subscription. */
  readonly concurrency: number;
  readonly log: (line: string) => void;
}

function publishTimeIso(message: StoredMessage): string {
  return new Date(Number(message.publishTime.seconds) * 1000 + message.publishTime.nanos / 1e6).toISOString();
}

/** The JSON body Pub/Sub pushes (the default wrapped format). */
export function pushBody(subscription: string, delivery: Delivery): string {
  const m = delivery.message;
  const publishTime = publishTimeIso(m);
  return JSON.stringify({
    message: {
      attributes: m.attributes,
      data: m.data.toString("base64"),
      messageId: m.messageId,
      message_id: m.messageId,
      publishTime,
      publish_time: publishTime,
      ...(m.orderingKey ? { orderingKey: m.orderingKey } : {}),
    },
    subscription,
    ...(delivery.deliveryAttempt ? { deliveryAttempt: delivery.deliveryAttempt } : {}),
  });
}

/** Delivers a push subscription's messages until `stop()`. */
export class PushDeliverer {
  private readonly owner: LeaseOwner = { outstanding: 0 };
  private readonly off: () => void;
  private stopped = false;
  /** Push attempts by HTTP status (0 = network error or timeout). */
  readonly attempts = new Map<number, number>();

  constructor(
    private readonly queue: SubscriptionQueue,
    private readonly options: PushOptions,
  ) {
    this.off = queue.onAvailable(() => this.pump());
    this.pump();
  }

  private pump(): void {
    if (this.stopped) return;
    const free = this.options.concurrency - this.owner.outstanding;
    if (free <= 0) return;
    for (const delivery of this.queue.take(free, this.owner)) void this.deliver(delivery);
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const { config } = this.queue;
    let status = 0;
    try {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (config.pushOidc) {
        const token = this.options.signer.sign({
          email: config.pushOidc.serviceAccountEmail,
          audience: config.pushOidc.audience,
        });
        headers.authorization = `Bearer ${token}`;
      }
      const response = await fetch(config.pushEndpoint ?? "", {
        method: "POST",
        headers,
        body: pushBody(config.name, delivery),
        signal: AbortSignal.timeout(config.ackDeadlineSeconds * 1000),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch (error) {
      if (!this.stopped) this.options.log(`push to ${config.pushEndpoint} failed: ${String(error)}`);
    }
    this.attempts.set(status, (this.attempts.get(status) ?? 0) + 1);
    if (this.stopped) return;
    if (SUCCESS.has(status)) this.queue.acknowledge([delivery.ackId]);
    else this.queue.modifyAckDeadline([delivery.ackId], 0);
  }

  stop(): void {
    this.stopped = true;
    this.off();
  }
}
