import type { ScenarioTarget } from "../../tools/local/scenarios/target.ts";

/**
 * A deployed target (`aws`) with no local services and no outputs: what a local-only scenario sees
 * when it is pointed at a real account. Scenarios must refuse it before sending any traffic.
 */
export const DEPLOYED_TARGET: ScenarioTarget = {
  name: "aws",
  outputs: {},
  clientConfig: () => ({ region: "us-east-1" }),
  settleTimeoutMs: 1,
  stop: async () => {},
};
