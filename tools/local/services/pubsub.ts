/**
 * Google Cloud Pub/Sub as a service of the embedded cloud: the in-process gRPC emulator
 * (`tools/local/pubsub/`) that the functions' `@google-cloud/pubsub` clients reach through
 * `PUBSUB_EMULATOR_HOST`, and the stack's `AWS::Lambda::Url` endpoints, which push subscriptions
 * deliver to. The Google side (topics, subscriptions) is not in the CDK template: a pattern's
 * scenario configuration declares it ({@link PubsubServiceProps}), and it is created once every
 * resource of the stack exists, so a push subscription can name a function URL by logical ID.
 *
 * Locally, push tokens are signed by the emulator's own key; every function gets that key as
 * `LOCAL_PUSH_TOKEN_CERTS` (a local-only variable the constructs never set) so a push receiver
 * verifies them exactly as it verifies Google's.
 */
import { FunctionUrlServer } from "../pubsub/function-urls.ts";
import type { SubscriptionRequest } from "../pubsub/index.ts";
import { type PubsubEmulator, type PubsubEmulatorOptions, startPubsubEmulator } from "../pubsub/index.ts";
import type { TemplateResource } from "../template.ts";
import type {
  CreateRequest,
  LocalEventSource,
  LocalService,
  PlanContext,
  ServiceHost,
  ServiceStart,
} from "./local-service.ts";

/** A subscription of the Google side, as a pattern's scenario declares it. */
export interface PubsubSubscriptionDeclaration {
  /** Subscription ID (the project is the service's). */
  readonly id: string;
  /** Topic ID it subscribes to. */
  readonly topic: string;
  /**
   * Push to the function URL of this `AWS::Lambda::Url`: its logical ID, or the start of it (the
   * construct path, e.g. `BridgePushUrl`, without CDK's hash suffix). @default pull subscription
   */
  readonly pushToFunctionUrl?: string;
  /** OIDC token of the pushes. @default none (no Authorization header) */
  readonly oidcToken?: { readonly serviceAccountEmail: string; readonly audience: string };
  /** @default 10 */
  readonly ackDeadlineSeconds?: number;
  /** @default false */
  readonly enableMessageOrdering?: boolean;
  /** @default "" (every message) */
  readonly filter?: string;
  /** Exponential backoff of redeliveries, in seconds. @default none (push: 0.1 s to 60 s) */
  readonly retryPolicy?: { readonly minimumBackoffSeconds: number; readonly maximumBackoffSeconds: number };
  /** Dead-letter topic ID and attempts (5–100). @default none */
  readonly deadLetter?: { readonly topic: string; readonly maxDeliveryAttempts: number };
}

/** Props of {@link PubsubLocalService}. */
export interface PubsubServiceProps {
  /** The Google Cloud project ID of the local topics. @default "local-project" */
  readonly projectId?: string;
  /** Topic IDs to create. @default none */
  readonly topics?: readonly string[];
  /** Subscriptions to create (after the stack's resources exist). @default none */
  readonly subscriptions?: readonly PubsubSubscriptionDeclaration[];
  /** Emulator options (push concurrency, signer, …). @default defaults of startPubsubEmulator */
  readonly emulator?: PubsubEmulatorOptions;
}

const seconds = (s: number) => ({ seconds: String(Math.floor(s)), nanos: Math.round((s % 1) * 1e9) });

export class PubsubLocalService implements LocalService {
  readonly name = "pubsub";
  readonly gaps = [
    "Pub/Sub: in-process emulator without exactly-once delivery, snapshots, seek, schemas or retention limits",
    "function URLs: AuthType AWS_IAM is not enforced; CORS headers are not added",
  ];
  readonly noOps = {
    "AWS::SSM::Parameter":
      "not stored: the bridge's forwarder does not read its Google credential locally (PUBSUB_EMULATOR_HOST needs none)",
  };
  private emulatorInstance?: PubsubEmulator;
  private readonly urls = new FunctionUrlServer();
  readonly projectId: string;

  constructor(private readonly props: PubsubServiceProps = {}) {
    this.projectId = props.projectId ?? "local-project";
  }

  readonly resourceTypes = {
    "AWS::Lambda::Url": {
      parity:
        "function URLs: an HTTP endpoint per URL with the function-URL event (payload 2.0) and response mapping",
      plan: (logicalId: string, resource: TemplateResource, ctx: PlanContext) => {
        const urlId = logicalId.toLowerCase();
        let functionArn = "";
        try {
          functionArn = ctx.literal(
            resource.Properties?.TargetFunctionArn ?? "",
            `${logicalId}.TargetFunctionArn`,
          );
        } catch {
          // An attribute of a function not resolvable at plan time: `Ref` falls back to the logical ID.
        }
        return {
          ref: functionArn || logicalId,
          attributes: { FunctionUrl: this.urls.url(urlId), FunctionArn: functionArn },
        };
      },
      create: ({ logicalId, props }: CreateRequest, host: ServiceHost) => {
        const target = String(props.TargetFunctionArn ?? "");
        if (!host.functions.find(target))
          throw new Error(`${logicalId}: function ${target} is not in the stack`);
        this.urls.add(logicalId.toLowerCase(), async (payload) => {
          const result = await host.functions.invoke(target, payload, logicalId);
          return result.ok
            ? { ok: true, payload: result.payload }
            : { ok: false, errorType: result.error.errorType };
        });
      },
    },
  };

  /** The running emulator (after start). */
  get emulator(): PubsubEmulator {
    if (!this.emulatorInstance) throw new Error("the Pub/Sub service has not started");
    return this.emulatorInstance;
  }

  async start(): Promise<ServiceStart> {
    this.emulatorInstance = await startPubsubEmulator(this.props.emulator);
    const urlBase = await this.urls.start();
    const certs = this.emulatorInstance.oidcIssuer?.certificates();
    return {
      endpoints: { pubsub: `http://${this.emulatorInstance.emulatorHost}`, "lambda-url": urlBase },
      environment: {
        PUBSUB_EMULATOR_HOST: this.emulatorInstance.emulatorHost,
        METADATA_SERVER_DETECTION: "none",
        ...(certs ? { LOCAL_PUSH_TOKEN_CERTS: JSON.stringify(certs) } : {}),
      },
    };
  }

  /** Creates the declared topics and subscriptions once every resource (function URLs) exists. */
  eventSources(host: ServiceHost): readonly LocalEventSource[] {
    const emulator = this.emulator;
    const name = (kind: "topics" | "subscriptions", id: string) => `projects/${this.projectId}/${kind}/${id}`;
    return [
      {
        start: () => {
          for (const topic of this.props.topics ?? []) emulator.createTopic(name("topics", topic));
          for (const s of this.props.subscriptions ?? []) {
            let pushEndpoint: string | undefined;
            if (s.pushToFunctionUrl) {
              const wanted = s.pushToFunctionUrl;
              const url =
                host.resource(wanted) ??
                [...host.resources()].find(
                  (r) => r.type === "AWS::Lambda::Url" && r.logicalId.startsWith(wanted),
                );
              pushEndpoint = url?.attributes.FunctionUrl;
              if (!pushEndpoint)
                throw new Error(
                  `subscription ${s.id}: no AWS::Lambda::Url ${s.pushToFunctionUrl} in the stack`,
                );
            }
            const request: SubscriptionRequest = {
              name: name("subscriptions", s.id),
              topic: name("topics", s.topic),
              ackDeadlineSeconds: s.ackDeadlineSeconds ?? 10,
              enableMessageOrdering: s.enableMessageOrdering ?? false,
              filter: s.filter ?? "",
              retryPolicy: s.retryPolicy
                ? {
                    minimumBackoff: seconds(s.retryPolicy.minimumBackoffSeconds),
                    maximumBackoff: seconds(s.retryPolicy.maximumBackoffSeconds),
                  }
                : null,
              deadLetterPolicy: s.deadLetter
                ? {
                    deadLetterTopic: name("topics", s.deadLetter.topic),
                    maxDeliveryAttempts: s.deadLetter.maxDeliveryAttempts,
                  }
                : null,
              pushConfig: pushEndpoint ? { pushEndpoint, oidcToken: s.oidcToken ?? null } : null,
            };
            emulator.createSubscription(request);
          }
          host.progress(
            `pubsub: ${this.props.topics?.length ?? 0} topics, ${this.props.subscriptions?.length ?? 0} subscriptions in ${this.projectId}`,
          );
        },
        stop: async () => {},
      },
    ];
  }

  async stop(): Promise<void> {
    await this.urls.stop();
    await this.emulatorInstance?.stop();
  }
}
