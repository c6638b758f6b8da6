import type { ResourceAttributes } from "./intrinsics.ts";
import type { InvocationResult } from "./lambda/environment-pool.ts";
import type { PlanContext } from "./resources/plan.ts";
import type { Spy } from "./spy.ts";
import type { Json, TemplateResource } from "./template.ts";

/** What an extension gets from the local cloud once the built-in emulators run. */
export interface ExtensionHost {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  readonly spy: Spy;
  /** Endpoints of the built-in emulators (SQS/SNS, DynamoDB; Lambda is added before event sources start). */
  readonly endpoints: Readonly<Record<string, string>>;
}

/** A started event source (poller) an extension runs for one event source mapping. */
export interface ExtensionEventSource {
  start(): void;
  stop(): Promise<void>;
}

/**
 * Adds a service to the embedded cloud without editing it, e.g. the Kafka broker of
 * `tools/local/kafka/` for MSK clusters and Kafka event source mappings:
 *
 * - `start` runs after the built-in emulators, before any resource is planned, and may return
 *   endpoints (shown on the handle) and environment variables for every function;
 * - `resourceTypes` plans (`Ref`/`Fn::GetAtt` values) and creates the resource types it serves;
 * - `eventSource` claims an `AWS::Lambda::EventSourceMapping` whose source is not an SQS queue of
 *   the stack (return undefined to leave it), given a function to invoke the mapped function;
 * - `stop` runs when the cloud stops (before the built-in emulators).
 */
export interface LocalExtension {
  readonly name: string;
  start?(host: ExtensionHost): Promise<
    | {
        readonly endpoints?: Readonly<Record<string, string>>;
        readonly environment?: Readonly<Record<string, string>>;
      }
    | undefined
  >;
  readonly resourceTypes?: Readonly<
    Record<
      string,
      {
        plan(logicalId: string, resource: TemplateResource, ctx: PlanContext): ResourceAttributes;
        create?(
          logicalId: string,
          props: Record<string, Json>,
          attributes: ResourceAttributes,
        ): Promise<void>;
      }
    >
  >;
  eventSource?(
    logicalId: string,
    props: Record<string, Json>,
    invoke: (payload: string) => Promise<InvocationResult>,
  ): ExtensionEventSource | undefined;
  stop?(): Promise<void>;
}
