import { UnsupportedResourceError } from "../resources/plan.ts";
import type { LocalService, ResourceType } from "./local-service.ts";

/** How the embedded cloud treats one resource type. */
export type ResourceDecision =
  /** A service creates it on an emulator. */
  | { readonly kind: "emulated"; readonly service: LocalService; readonly handler: ResourceType }
  /** Accepted without emulation (nothing is created; `Ref` / `Fn::GetAtt` still resolve), with why. */
  | { readonly kind: "no-op"; readonly note: string }
  /** Neither: the start fails loudly. */
  | { readonly kind: "unsupported" };

/** A row of the parity table. */
export interface ParityRow {
  readonly type: string;
  /** The service that emulates it, or `-` for a no-op. */
  readonly service: string;
  readonly emulated: boolean;
  /** What is emulated, or why it is a no-op. */
  readonly note: string;
}

/**
 * The one place that decides what a template may contain: types declared by a {@link LocalService}
 * are emulated (the first service declaring a type wins), types on a no-op list (a service's own
 * `noOps`, or the cloud-wide list of `parity.ts`: IAM, CloudWatch, VPC, …) are accepted and reported,
 * and anything else fails loudly with the logical ID, the type and what to do about it.
 */
export class ServiceRegistry {
  private readonly emulated = new Map<string, { service: LocalService; handler: ResourceType }>();
  private readonly noOps = new Map<string, string>();

  constructor(
    readonly services: readonly LocalService[],
    cloudWideNoOps: Readonly<Record<string, string>> = {},
    private readonly cloudWideGaps: readonly string[] = [],
  ) {
    for (const service of services) {
      for (const [type, handler] of Object.entries(service.resourceTypes ?? {})) {
        if (!this.emulated.has(type)) this.emulated.set(type, { service, handler });
      }
    }
    for (const service of services) {
      for (const [type, note] of Object.entries(service.noOps ?? {})) {
        if (!this.emulated.has(type) && !this.noOps.has(type)) this.noOps.set(type, note);
      }
    }
    for (const [type, note] of Object.entries(cloudWideNoOps)) {
      if (!this.emulated.has(type) && !this.noOps.has(type)) this.noOps.set(type, note);
    }
  }

  /** How `type` is treated. */
  decide(type: string): ResourceDecision {
    const emulated = this.emulated.get(type);
    if (emulated) return { kind: "emulated", ...emulated };
    const note = this.noOps.get(type);
    if (note !== undefined) return { kind: "no-op", note };
    return { kind: "unsupported" };
  }

  /**
   * The decision for a resource of the template; throws {@link UnsupportedResourceError} naming the
   * logical ID and type, and what to do, for a type that is neither emulated nor a documented no-op.
   */
  require(logicalId: string, type: string): Exclude<ResourceDecision, { kind: "unsupported" }> {
    const decision = this.decide(type);
    if (decision.kind === "unsupported") {
      throw new UnsupportedResourceError(
        logicalId,
        type,
        "is not supported by the embedded local cloud: remove it from the stack you run locally or " +
          "add a LocalService for it (tools/local/README.md, Services)",
      );
    }
    return decision;
  }

  /** The parity table: every emulated type and every documented no-op. */
  parity(): ParityRow[] {
    return [
      ...[...this.emulated].map(([type, { service, handler }]) => ({
        type,
        service: service.name,
        emulated: true,
        note: handler.parity,
      })),
      ...[...this.noOps].map(([type, note]) => ({ type, service: "-", emulated: false, note })),
    ];
  }

  /** Every semantic gap (cloud-wide, then of the services and their types, in order), without repeats. */
  gaps(): string[] {
    const gaps = new Set<string>();
    for (const gap of this.cloudWideGaps) gaps.add(gap);
    for (const service of this.services) {
      for (const gap of service.gaps ?? []) gaps.add(gap);
      for (const handler of Object.values(service.resourceTypes ?? {})) {
        for (const gap of handler.gaps ?? []) gaps.add(gap);
      }
    }
    return [...gaps];
  }
}
