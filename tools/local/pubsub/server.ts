/**
 * `startPubsubEmulator()`: an in-process Google Cloud Pub/Sub emulator, a gRPC server serving the
 * Publisher and Subscriber services from the protos inside `@google-cloud/pubsub`, which the real
 * client reaches through `PUBSUB_EMULATOR_HOST` (no gcloud, Java or Google account). In memory;
 * see README.md beside this file for what it implements and how it differs from Pub/Sub.
 */
import { Server, ServerCredentials, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { publisherHandlers } from "./apis/publisher.ts";
import { streamingPullHandler } from "./apis/streaming-pull.ts";
import { subscriberHandlers } from "./apis/subscriber.ts";
import { type SubscriptionRequest, subscriptionConfig } from "./apis/subscription-config.ts";
import { checkName } from "./names.ts";
import { LocalOidcIssuer, type PushTokenSigner } from "./oidc.ts";
import { pubsubServices } from "./protos.ts";
import { PushDeliverer } from "./push.ts";
import { PubsubRegistry } from "./state/registry.ts";

export interface PubsubEmulatorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Address to listen on. @default "127.0.0.1" */
  readonly host?: string;
  /** Signs the OIDC tokens of push deliveries. @default a new LocalOidcIssuer */
  readonly pushTokenSigner?: PushTokenSigner;
  /** Concurrent push deliveries per push subscription. @default 32 */
  readonly pushConcurrency?: number;
  /** How long a Pull without `returnImmediately` waits for a message. @default 1000 ms */
  readonly pullWaitMs?: number;
  /** Lease expiry and backoff check interval. @default 50 ms */
  readonly tickMs?: number;
  /** The clock for ack deadlines and backoff (tests advance a fake one). @default Date.now */
  readonly clock?: () => number;
  /** Diagnostic lines (failed pushes). @default ignored */
  readonly log?: (line: string) => void;
}

export interface PubsubEmulator {
  /** `host:port`, the value for `PUBSUB_EMULATOR_HOST`. */
  readonly emulatorHost: string;
  readonly port: number;
  /** The OIDC issuer whose public keys a local push endpoint trusts (when no custom signer was given). */
  readonly oidcIssuer: LocalOidcIssuer | undefined;
  /** Topics and subscriptions, for assertions and ledgers. */
  readonly registry: PubsubRegistry;
  /** Creates a topic in process (what CreateTopic does). */
  createTopic(name: string): void;
  /** Creates a subscription in process (what CreateSubscription does, push delivery included). */
  createSubscription(request: SubscriptionRequest): void;
  /** The push deliverer of a push subscription (attempt counts by HTTP status). */
  pushDeliverer(subscription: string): PushDeliverer | undefined;
  stop(): Promise<void>;
}

export async function startPubsubEmulator(options: PubsubEmulatorOptions = {}): Promise<PubsubEmulator> {
  const host = options.host ?? "127.0.0.1";
  const registry = new PubsubRegistry(options.clock);
  const oidcIssuer = options.pushTokenSigner ? undefined : new LocalOidcIssuer();
  const signer = options.pushTokenSigner ?? (oidcIssuer as LocalOidcIssuer);
  const log = options.log ?? (() => {});
  const pushers = new Map<string, PushDeliverer>();
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const ctx = {
    registry,
    pullWaitMs: options.pullWaitMs ?? 1000,
    stopped,
    startPush: (name: string) => {
      pushers.get(name)?.stop();
      pushers.set(
        name,
        new PushDeliverer(registry.subscription(name), {
          signer,
          concurrency: options.pushConcurrency ?? 32,
          log,
        }),
      );
    },
    stopPush: (name: string) => {
      pushers.get(name)?.stop();
      pushers.delete(name);
    },
  };
  const services = pubsubServices();
  const server = new Server();
  server.addService(services.publisher, publisherHandlers(ctx) as UntypedServiceImplementation);
  server.addService(services.subscriber, {
    ...subscriberHandlers(ctx),
    StreamingPull: streamingPullHandler(ctx),
  } as UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port ?? 0}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  const timer = setInterval(() => registry.tick(), options.tickMs ?? 50);
  timer.unref();
  return {
    emulatorHost: `${host}:${port}`,
    port,
    oidcIssuer,
    registry,
    createTopic: (name) => {
      registry.createTopic(checkName(name, "topics"), { name });
    },
    createSubscription: (request) => {
      const queue = registry.createSubscription(subscriptionConfig(request));
      if (queue.config.pushEndpoint) ctx.startPush(queue.config.name);
    },
    pushDeliverer: (name) => pushers.get(name),
    stop: async () => {
      clearInterval(timer);
      for (const pusher of pushers.values()) pusher.stop();
      stop();
      await new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Streams the client keeps open would hold tryShutdown; force after a grace period.
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 500).unref();
      });
    },
  };
}
