import { join } from "node:path";
import { ensureSynthesized, loadAssembly, REPO_ROOT } from "./cloud-assembly.ts";
import { LocalDeployment } from "./deployment.ts";
import { FunctionNotFoundError } from "./lambda/service.ts";
import {
  FunctionError,
  type LocalCloud,
  type LocalEndpoints,
  type StartLocalOptions,
} from "./local-cloud.ts";
import { formatParity } from "./parity.ts";
import { builtInServices, registryOf } from "./services/index.ts";
import { Spy } from "./spy.ts";

export {
  FunctionError,
  type LocalCloud,
  type LocalEndpoints,
  type StartLocalOptions,
} from "./local-cloud.ts";
export type { LocalResource } from "./services/local-service.ts";

const ACCOUNT_ID = "000000000000";

/**
 * Runs a synthesized stack in this process: synthesizes when needed, decides every resource with
 * the service registry (unknown types fail before anything starts), starts the services on
 * 127.0.0.1 (port 0), plans and creates the resources in the order their references require,
 * starts the event sources and resolves the stack outputs. No-ops are reported through `onProgress`
 * and `notEmulated`.
 */
export async function startLocal(options: StartLocalOptions): Promise<LocalCloud> {
  const { stack, onProgress } = options;
  const region = options.region ?? "us-east-1";
  const cdkOut = options.cdkOut ?? join(REPO_ROOT, "cdk.out");
  const synthMode = options.synth ?? (options.cdkOut ? "never" : "auto");
  const { synthesized } = await ensureSynthesized({ stack, cdkOut, mode: synthMode, progress: onProgress });
  const { template, assets } = loadAssembly(cdkOut, stack);
  const { services, lambda } = builtInServices({
    ...(options.visibilityTimeoutSeconds !== undefined
      ? { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }
      : {}),
    ...(options.logs ? { logs: options.logs } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.environment ? { environment: options.environment } : {}),
    ...(options.stepFunctionsRetryDelayMs !== undefined
      ? { stepFunctionsRetryDelayMs: options.stepFunctionsRetryDelayMs }
      : {}),
  });
  const registry = registryOf([...services, ...(options.services ?? []), ...(options.extensions ?? [])]);
  const spy = new Spy(options.spyCapacity);
  const deployment = new LocalDeployment(template, registry, {
    pseudo: { region, accountId: ACCOUNT_ID, stackName: stack },
    spy,
    cdkOut,
    assets,
    overrides: options.environment ?? {},
    progress: onProgress ?? (() => undefined),
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= deployment.stop();
    return stopping;
  };
  try {
    await deployment.startServices();
    deployment.plan();
    await deployment.create();
    await deployment.startEventSources();
    const outputs = deployment.outputs();
    const { endpoints, resources, notEmulated } = deployment;
    if (onProgress) {
      const emulated = [...resources.values()].filter((r) => r.emulated).length;
      const served = Object.entries(endpoints).map(([name, url]) => `${name} ${url}`);
      onProgress(`local cloud up: ${emulated} resources emulated, ${served.join(", ")}`);
      if (options.visibilityTimeoutSeconds !== undefined) {
        onProgress(
          `visibility timeouts set to ${options.visibilityTimeoutSeconds} s locally (not the template's) so retries show in seconds`,
        );
      }
      const noteOf = (type: string) => {
        const decision = registry.decide(type);
        return decision.kind === "no-op" ? decision.note : "";
      };
      for (const line of formatParity(notEmulated, noteOf, registry.gaps())) onProgress(line);
    }
    const credentials = { accessKeyId: "local", secretAccessKey: "local" };
    const resolveFunction = (functionId: string): string => {
      try {
        return lambda.resolve(functionId);
      } catch (error) {
        if (error instanceof FunctionNotFoundError) throw new FunctionError(error.name, error.message);
        throw error;
      }
    };
    return {
      stack,
      region,
      outputs,
      endpoints: endpoints as LocalEndpoints & Record<string, string>,
      credentials,
      resources,
      notEmulated,
      spy,
      synthesized,
      async invoke(functionId: string, event: unknown) {
        const id = resolveFunction(functionId);
        const result = await lambda.functions.invoke(id, JSON.stringify(event ?? null), "api");
        if (!result.ok) throw new FunctionError(result.error.errorType, result.error.errorMessage);
        return JSON.parse(result.payload) as unknown;
      },
      functionCpuMicros: async (functionId) => lambda.runtime().cpuMicros(resolveFunction(functionId)),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
