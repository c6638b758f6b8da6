/** Turns a CreateSubscription request into the emulator's subscription settings, with Pub/Sub's rules. */
import { invalidArgument } from "../errors.ts";
import { compileFilter } from "../filter.ts";
import { checkName } from "../names.ts";
import { durationMs } from "../state/message.ts";
import type { SubscriptionConfig } from "../state/subscription.ts";

type Duration = { seconds?: string | number; nanos?: number } | null;

export interface SubscriptionRequest {
  readonly name: string;
  readonly topic: string;
  readonly ackDeadlineSeconds?: number;
  readonly enableMessageOrdering?: boolean;
  readonly filter?: string;
  readonly retryPolicy?: { minimumBackoff?: Duration; maximumBackoff?: Duration } | null;
  readonly deadLetterPolicy?: { deadLetterTopic?: string; maxDeliveryAttempts?: number } | null;
  readonly pushConfig?: {
    pushEndpoint?: string;
    oidcToken?: { serviceAccountEmail?: string; audience?: string } | null;
  } | null;
  readonly [field: string]: unknown;
}

/** Push subscriptions without a retry policy back off from 100 ms to 60 s, as Pub/Sub's push backoff. */
const PUSH_BACKOFF = { minimumBackoffMs: 100, maximumBackoffMs: 60_000 } as const;

export function subscriptionConfig(request: SubscriptionRequest): SubscriptionConfig {
  const name = checkName(request.name, "subscriptions");
  const ackDeadlineSeconds = request.ackDeadlineSeconds || 10;
  if (ackDeadlineSeconds < 10 || ackDeadlineSeconds > 600) {
    throw invalidArgument("The ack deadline must be between 10 and 600 seconds.");
  }
  const retry = request.retryPolicy;
  const retryPolicy = retry
    ? {
        minimumBackoffMs: durationMs(retry.minimumBackoff) ?? 10_000,
        maximumBackoffMs: durationMs(retry.maximumBackoff) ?? 600_000,
      }
    : undefined;
  if (
    retryPolicy &&
    (retryPolicy.maximumBackoffMs > 600_000 || retryPolicy.minimumBackoffMs > retryPolicy.maximumBackoffMs)
  ) {
    throw invalidArgument("The retry policy backoffs must be 0–600 s, minimum ≤ maximum.");
  }
  const dead = request.deadLetterPolicy;
  const deadLetterPolicy = dead?.deadLetterTopic
    ? { deadLetterTopic: dead.deadLetterTopic, maxDeliveryAttempts: dead.maxDeliveryAttempts || 5 }
    : undefined;
  if (
    deadLetterPolicy &&
    (deadLetterPolicy.maxDeliveryAttempts < 5 || deadLetterPolicy.maxDeliveryAttempts > 100)
  ) {
    throw invalidArgument("max_delivery_attempts must be between 5 and 100.");
  }
  const pushEndpoint = request.pushConfig?.pushEndpoint || undefined;
  const oidc = request.pushConfig?.oidcToken;
  const pushOidc =
    pushEndpoint && oidc?.serviceAccountEmail
      ? { serviceAccountEmail: oidc.serviceAccountEmail, audience: oidc.audience || pushEndpoint }
      : undefined;
  return {
    name,
    topic: request.topic,
    ackDeadlineSeconds,
    enableMessageOrdering: request.enableMessageOrdering === true,
    filter: request.filter ?? "",
    accepts: compileFilter(request.filter ?? ""),
    retryPolicy: retryPolicy ?? (pushEndpoint ? PUSH_BACKOFF : undefined),
    deadLetterPolicy,
    pushEndpoint,
    pushOidc,
    resource: { ...request, name, ackDeadlineSeconds, state: "ACTIVE" },
  };
}
