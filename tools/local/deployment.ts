import { dependencyWaves } from "./dependency-order.ts";
import { IntrinsicResolver, type PseudoParameters } from "./intrinsics.ts";
import { planNoOp, UnsupportedResourceError } from "./resources/plan.ts";
import type {
  FunctionRuntime,
  LocalEventSource,
  LocalResource,
  LocalService,
  ServiceHost,
} from "./services/local-service.ts";
import type { ServiceRegistry } from "./services/registry.ts";
import type { Spy } from "./spy.ts";
import type { Json, Template, TemplateResource } from "./template.ts";
import { isObject } from "./template.ts";

const MAPPING = "AWS::Lambda::EventSourceMapping";

/** Where a deployment runs. */
export interface DeploymentContext {
  readonly pseudo: Required<Pick<PseudoParameters, "region" | "accountId" | "stackName">>;
  readonly spy: Spy;
  readonly cdkOut: string;
  readonly assets: ReadonlyMap<string, string>;
  /** Variables that override every function's environment (win over the services'). */
  readonly overrides: Readonly<Record<string, string>>;
  readonly progress: (line: string) => void;
}

/**
 * One stack deployed on the local services, phase by phase (see `services/local-service.ts`):
 * {@link startServices}, {@link plan}, {@link create}, {@link startEventSources}, {@link outputs},
 * {@link stop}. Every resource is decided by the registry before anything starts.
 */
export class LocalDeployment {
  readonly resources = new Map<string, LocalResource>();
  /** The documented no-ops of this template, by type. */
  readonly notEmulated = new Map<string, string[]>();
  readonly endpoints: Record<string, string> = {};
  private readonly environment: Record<string, string> = {};
  private readonly active: ReadonlyMap<string, TemplateResource>;
  private readonly waves: string[][];
  private readonly resolver: IntrinsicResolver;
  private readonly started: LocalService[] = [];
  private readonly sources: LocalEventSource[] = [];
  readonly host: ServiceHost;

  constructor(
    private readonly template: Template,
    private readonly registry: ServiceRegistry,
    private readonly ctx: DeploymentContext,
  ) {
    this.resolver = new IntrinsicResolver(template, ctx.pseudo, this.resources);
    this.active = new Map(
      Object.entries(template.Resources).filter(
        ([, r]) => !r.Condition || this.resolver.condition(r.Condition),
      ),
    );
    for (const [logicalId, resource] of this.active) {
      const decision = registry.require(logicalId, resource.Type);
      if (decision.kind === "no-op") {
        this.notEmulated.set(resource.Type, [...(this.notEmulated.get(resource.Type) ?? []), logicalId]);
      }
    }
    this.waves = dependencyWaves(this.active);
    this.host = this.makeHost();
  }

  /** Starts every service in order, collecting endpoints and the environment of every function. */
  async startServices(): Promise<void> {
    for (const service of this.registry.services) {
      this.started.push(service);
      const started = await service.start?.(this.host);
      Object.assign(this.endpoints, started?.endpoints ?? {});
      Object.assign(this.environment, started?.environment ?? {});
    }
    Object.assign(this.environment, this.ctx.overrides);
  }

  /** Plans `Ref` / `Fn::GetAtt` of every resource in reference order (a log group may name its function). */
  plan(): void {
    const { region, accountId, stackName } = this.ctx.pseudo;
    const planContext = {
      region,
      accountId,
      stackName,
      literal: (value: Json, where: string) => this.resolver.resolveString(value, where),
    };
    for (const logicalId of this.waves.flat()) {
      const resource = this.active.get(logicalId) as TemplateResource;
      const decision = this.registry.require(logicalId, resource.Type);
      const emulated = decision.kind === "emulated";
      const planned = emulated
        ? decision.handler.plan(logicalId, resource, planContext)
        : planNoOp(logicalId, resource, planContext);
      this.resources.set(logicalId, { logicalId, type: resource.Type, ...planned, emulated });
    }
  }

  /** Creates every emulated resource once what it references exists; a wave is created concurrently. */
  async create(): Promise<void> {
    for (const wave of this.waves) {
      await Promise.all(
        wave.map(async (logicalId) => {
          const resource = this.active.get(logicalId) as TemplateResource;
          const decision = this.registry.require(logicalId, resource.Type);
          if (decision.kind !== "emulated" || !decision.handler.create) return;
          const planned = this.resources.get(logicalId) as LocalResource;
          const props = this.props(logicalId, resource);
          await decision.handler.create(
            { logicalId, type: resource.Type, resource, props, planned },
            this.host,
          );
        }),
      );
    }
  }

  /** Offers each event source mapping to the services, adds their own sources, and starts them all. */
  async startEventSources(): Promise<void> {
    for (const [logicalId, resource] of this.active) {
      if (resource.Type !== MAPPING) continue;
      const props = this.props(logicalId, resource);
      const target = this.host.functions.find(String(props.FunctionName ?? ""));
      if (!target) {
        throw new UnsupportedResourceError(
          logicalId,
          MAPPING,
          `targets unknown function ${String(props.FunctionName)}`,
        );
      }
      const request = {
        logicalId,
        props,
        function: target,
        invoke: (payload: string) => this.host.functions.invoke(target.logicalId, payload, logicalId),
      };
      let source: LocalEventSource | undefined;
      for (const service of this.started) {
        source = await service.eventSource?.(request, this.host);
        if (source) break;
      }
      if (!source) {
        throw new UnsupportedResourceError(
          logicalId,
          MAPPING,
          `has event source ${String(props.EventSourceArn ?? "(none)")}, which no local service runs ` +
            "(SQS queues of this stack, or a service passed in StartLocalOptions.services)",
        );
      }
      this.sources.push(source);
    }
    for (const service of this.started)
      this.sources.push(...((await service.eventSources?.(this.host)) ?? []));
    for (const source of this.sources) source.start();
  }

  /** The stack's Outputs, resolved (outputs whose condition is false are left out). */
  outputs(): Record<string, string> {
    const outputs: Record<string, string> = {};
    for (const [name, output] of Object.entries(this.template.Outputs ?? {})) {
      if (output.Condition && !this.resolver.condition(output.Condition)) continue;
      outputs[name] = this.resolver.resolveString(output.Value, `Outputs.${name}`);
    }
    return outputs;
  }

  /** Stops the event sources, then the services in reverse start order (errors are ignored). */
  async stop(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.stop().catch(() => undefined)));
    for (const service of [...this.started].reverse()) await service.stop?.().catch(() => undefined);
  }

  private props(logicalId: string, resource: TemplateResource): Record<string, Json> {
    const resolved = this.resolver.resolve((resource.Properties ?? {}) as Json, logicalId);
    return isObject(resolved) ? resolved : {};
  }

  private makeHost(): ServiceHost {
    const { pseudo, spy, cdkOut, assets, progress } = this.ctx;
    const runtime = (): FunctionRuntime => {
      const service = this.registry.services.find((s) => s.functions);
      if (!service?.functions) throw new Error("no local service runs functions");
      return service.functions;
    };
    return {
      stackName: pseudo.stackName,
      region: pseudo.region,
      accountId: pseudo.accountId,
      spy,
      cdkOut,
      assets,
      endpoints: this.endpoints,
      environment: this.environment,
      get functions() {
        return runtime();
      },
      resource: (logicalId) => this.resources.get(logicalId),
      resources: () => this.resources.values(),
      progress,
    };
  }
}
