import type { ResourceAttributes } from "../intrinsics.ts";
import type { InvocationResult } from "../lambda/environment-pool.ts";
import type { Spy } from "../spy.ts";
import type { Json, TemplateResource } from "../template.ts";

/**
 * # Local services
 *
 * Every emulated AWS (or other cloud) service of the embedded local cloud is one {@link LocalService}:
 * the built-ins (SQS + SNS on fauxqs, DynamoDB on dynalite, Lambda on worker threads) and every later
 * one (Step Functions, MSK/Kafka, EventBridge, Pub/Sub, …) alike, one file each under
 * `tools/local/services/`. `startLocal` drives them through the same phases:
 *
 * 1. **start** every service in order ({@link LocalService.start}); each returns the endpoints it
 *    serves and the environment it adds to every function;
 * 2. **plan** every resource of the template in reference order: the service that owns its type
 *    says what `Ref` / `Fn::GetAtt` return ({@link ResourceType.plan}) before anything exists;
 * 3. **create** every resource in the order its references require (a dependency sort of `Ref`,
 *    `Fn::GetAtt`, `Fn::Sub` and `DependsOn`), with its properties resolved ({@link ResourceType.create});
 * 4. **event sources**: each `AWS::Lambda::EventSourceMapping` is offered to the services until one
 *    claims it ({@link LocalService.eventSource}); services may also run their own sources
 *    ({@link LocalService.eventSources}); all are started together;
 * 5. the stack outputs are resolved; on stop, event sources stop first, then services in reverse order.
 *
 * What a template may contain is decided by the {@link ServiceRegistry} (`registry.ts`): a type some
 * service declares is emulated, a type on the documented no-op list is accepted and reported, anything
 * else fails loudly with its logical ID, type and what to do.
 */

/** What every service hook gets: the deployment and the services started with it. */
export interface ServiceHost {
  readonly stackName: string;
  readonly region: string;
  /** Account ID of the local deployment (`000000000000`). */
  readonly accountId: string;
  /** The cloud's message spy: record what the service does (sends, invocations, executions, …). */
  readonly spy: Spy;
  /** The cloud assembly directory (`cdk.out`) the template and its assets come from. */
  readonly cdkOut: string;
  /** File assets of the stack: S3 object key → asset directory in `cdkOut`. */
  readonly assets: ReadonlyMap<string, string>;
  /**
   * Endpoints of the services started so far, keyed by service name (`sqs`, `sns`, `dynamodb`,
   * `lambda`, `stepfunctions`, …). Complete once every service has started (before planning).
   */
  readonly endpoints: Readonly<Record<string, string>>;
  /**
   * The environment every function gets from the services, then `StartLocalOptions.environment`
   * (which wins). Complete once every service has started.
   */
  readonly environment: Readonly<Record<string, string>>;
  /** The functions of the stack (served by the Lambda service); throws when no service runs functions. */
  readonly functions: FunctionRuntime;
  /** A planned resource of the template (created once its create phase has passed). */
  resource(logicalId: string): LocalResource | undefined;
  /** Every planned resource of the template. */
  resources(): Iterable<LocalResource>;
  /** A progress line (shown by the CLI; silent in tests). */
  progress(line: string): void;
}

/** A resource of the local stack, planned (and, once its turn came, created). */
export interface LocalResource {
  readonly logicalId: string;
  readonly type: string;
  /** What `Ref` returns (queue URL, topic ARN, table or function name, …). */
  readonly ref: string;
  /** What `Fn::GetAtt` returns, by attribute name (`Arn`, `QueueName`, …). */
  readonly attributes: Readonly<Record<string, string>>;
  /** False for the documented no-ops of the parity table. */
  readonly emulated: boolean;
}

/** Where the local deployment lives: the values ARNs, names and URLs are built from. */
export interface PlanContext {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  /**
   * Resolves a literal property (e.g. `QueueName`, or `LogGroupName: /aws/lambda/${Ref Fn}`) that may
   * use pseudo parameters and references to resources planned before this one.
   */
  readonly literal: (value: Json, where: string) => string;
}

/**
 * One CloudFormation resource type a service emulates.
 *
 * `plan` runs before anything is created, in reference order, so intrinsics resolve whatever the
 * creation order; `create` runs once every resource it references was created, with its properties
 * resolved. A property the service cannot honour must throw {@link UnsupportedResourceError} (logical
 * ID, type, what to do), never be silently dropped.
 */
export interface ResourceType {
  /** What is emulated, in a few words: the row of the parity table in tools/local/README.md. */
  readonly parity: string;
  /** Where the emulation differs from AWS (reported at start-up and listed in the README). @default none */
  readonly gaps?: readonly string[];
  /** `Ref` and `Fn::GetAtt` values of the resource, computed before anything is created. */
  plan(logicalId: string, resource: TemplateResource, ctx: PlanContext): ResourceAttributes;
  /** Creates the resource on the emulator. @default nothing to create (plan only) */
  create?(request: CreateRequest, host: ServiceHost): Promise<void> | void;
}

/** What {@link ResourceType.create} gets. */
export interface CreateRequest {
  readonly logicalId: string;
  readonly type: string;
  /** The template resource as synthesized (intrinsics unresolved; `Metadata`, `DependsOn`, …). */
  readonly resource: TemplateResource;
  /** Its `Properties`, every intrinsic resolved. */
  readonly props: Record<string, Json>;
  /** What {@link ResourceType.plan} returned for it. */
  readonly planned: ResourceAttributes;
}

/** What a started service contributes to the cloud. */
export interface ServiceStart {
  /** Endpoints it serves, keyed by service name (`{ sqs: "http://127.0.0.1:1234" }`). @default {} */
  readonly endpoints?: Readonly<Record<string, string>>;
  /**
   * Environment added to every function (typically `AWS_ENDPOINT_URL_<SERVICE>` so AWS SDK clients
   * in the handlers reach this service). @default {}
   */
  readonly environment?: Readonly<Record<string, string>>;
}

/** A running event source (a poller, a stream reader, a schedule): started after every resource exists. */
export interface LocalEventSource {
  start(): void;
  /** Stops it; what it did not process stays where it came from. */
  stop(): Promise<void>;
}

/** An `AWS::Lambda::EventSourceMapping` offered to the services (see {@link LocalService.eventSource}). */
export interface EventSourceMappingRequest {
  readonly logicalId: string;
  /** Its `Properties`, resolved (`EventSourceArn`, `BatchSize`, `FilterCriteria`, …). */
  readonly props: Record<string, Json>;
  /** The mapped function. */
  readonly function: FunctionInfo;
  /** Invokes the mapped function synchronously, labelled with the mapping's logical ID on the spy. */
  invoke(payload: string): Promise<InvocationResult>;
}

/** A function of the stack as other services see it. */
export interface FunctionInfo {
  readonly logicalId: string;
  readonly functionName: string;
  readonly functionArn: string;
  /** Local cap on concurrent execution environments (reserved concurrency, else the cloud's setting). */
  readonly maxEnvironments: number;
}

/** The functions of the stack, for services that invoke them (event sources, state machines, rules). */
export interface FunctionRuntime {
  /** The function named by logical ID, name, ARN or partial ARN (optionally `:$LATEST`). */
  find(identifier: string): FunctionInfo | undefined;
  /** Invokes synchronously; `source` labels the caller on the spy (`api`, a mapping's logical ID, …). */
  invoke(
    identifier: string,
    payload: string,
    source?: string,
  ): Promise<InvocationResult & { readonly requestId: string }>;
  /** Every function of the stack. */
  readonly all: readonly FunctionInfo[];
}

/**
 * A service of the embedded cloud. Implement it in `tools/local/services/<service>.ts` and pass it in
 * `StartLocalOptions.services` (or add it to the built-ins in `services/index.ts`).
 */
export interface LocalService {
  /** Short name, e.g. `sqs-sns`, `dynamodb`, `lambda`, `stepfunctions`, `kafka`. */
  readonly name: string;
  /** The resource types it emulates (plan, create, parity row, semantic gaps). @default {} */
  readonly resourceTypes?: Readonly<Record<string, ResourceType>>;
  /**
   * Types of its service it accepts without emulating them, with why (`AWS::SQS::QueuePolicy`:
   * "resource policies are not enforced"): documented no-ops of the parity table. @default {}
   */
  readonly noOps?: Readonly<Record<string, string>>;
  /** Semantic gaps of the service as a whole (reported at start-up, listed in the README). @default none */
  readonly gaps?: readonly string[];
  /** The functions it runs, if it is the service that runs functions (the Lambda service). */
  readonly functions?: FunctionRuntime;
  /** Starts the emulator (on 127.0.0.1, port 0) before anything is planned. */
  start?(host: ServiceHost): Promise<ServiceStart | undefined> | ServiceStart | undefined;
  /**
   * Claims an event source mapping whose source this service owns (an SQS queue ARN, an MSK cluster,
   * …) and returns its event source; `undefined` leaves it to the next service. A mapping no service
   * claims fails loudly.
   */
  eventSource?(
    mapping: EventSourceMappingRequest,
    host: ServiceHost,
  ): LocalEventSource | undefined | Promise<LocalEventSource | undefined>;
  /** Event sources it runs on its own (schedules, subscriptions to functions, …), after every resource exists. */
  eventSources?(host: ServiceHost): readonly LocalEventSource[] | Promise<readonly LocalEventSource[]>;
  /** Stops it (after every event source stopped; services stop in reverse start order). */
  stop?(): Promise<void>;
}
