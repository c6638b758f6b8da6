import type { ScenarioTarget } from "../scenarios/target.ts";
import { type LocalCloud, type StartLocalOptions, startLocal } from "../start-local.ts";

/**
 * Visibility timeout of every queue in local scenario runs, so a retried record comes back in
 * seconds instead of the template's 6 × function timeout. Long enough that a batch (with a cold
 * start, on a loaded machine) finishes before its messages become visible again.
 */
export const LOCAL_SCENARIO_VISIBILITY_TIMEOUT_SECONDS = 5;

/** Wait before every Step Functions retry in local scenario runs (instead of the definitions' backoff). */
export const LOCAL_SCENARIO_SFN_RETRY_DELAY_MS = 100;

/**
 * The `local` target: the embedded cloud in this process. `environment` is how a scenario turns the
 * consumers' fault injection on (the deployed targets use a CDK context value instead).
 */
export async function localTarget(
  options: StartLocalOptions,
): Promise<ScenarioTarget & { readonly cloud: LocalCloud }> {
  const cloud = await startLocal({
    visibilityTimeoutSeconds: LOCAL_SCENARIO_VISIBILITY_TIMEOUT_SECONDS,
    stepFunctionsRetryDelayMs: LOCAL_SCENARIO_SFN_RETRY_DELAY_MS,
    ...options,
  });
  return {
    name: "local",
    cloud,
    outputs: cloud.outputs,
    settleTimeoutMs: 120_000,
    localServices: options.services ?? [],
    clientConfig: (service) => ({
      region: cloud.region,
      endpoint: cloud.endpoints[service],
      credentials: cloud.credentials,
    }),
    stop: () => cloud.stop(),
  };
}
