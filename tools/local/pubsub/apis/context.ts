/** What the API handlers share: the registry, settings, and the unary-call wrapper. */
import type { ServerUnaryCall, sendUnaryData } from "@grpc/grpc-js";
import { toStatusError } from "../errors.ts";
import type { PubsubRegistry } from "../state/registry.ts";

export interface ApiContext {
  readonly registry: PubsubRegistry;
  /** How long a Pull without `returnImmediately` waits for a message before answering empty. */
  readonly pullWaitMs: number;
  /** Resolves when the emulator stops (long-polls and streams end). */
  readonly stopped: Promise<void>;
  /** Starts push delivery for a subscription that has a push endpoint. */
  readonly startPush: (subscriptionName: string) => void;
  /** Stops push delivery (DeleteSubscription). */
  readonly stopPush: (subscriptionName: string) => void;
}

export type UnaryHandler = (
  call: ServerUnaryCall<unknown, unknown>,
  callback: sendUnaryData<unknown>,
) => void;

/** Wraps a (possibly async) request → response function as a grpc-js unary handler. */
export function unary<Req>(fn: (request: Req) => unknown): UnaryHandler {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request as Req))
      .then(
        (response) => callback(null, response ?? {}),
        (error: unknown) => callback(toStatusError(error)),
      );
  };
}
