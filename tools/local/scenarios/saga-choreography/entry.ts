import { definePattern } from "../kit/pattern.ts";
import { formatSagaLedger } from "./format.ts";
import { runSagaScenario } from "./scenario.ts";

/** The `saga-choreography` registry entry. */
export const sagaChoreography = definePattern({
  slug: "saga-choreography",
  stack: "SagaChoreographyStack",
  description:
    "order saga by choreography on EventBridge: services react and compensate; a watchdog times out stuck sagas",
  defaultMessages: 100,
  faultEnvironment: { FAULT_INJECTION: "transient=0.05" },
  faultContext: ["-c", "faultInjection=transient=0.05"],
  scenario: (target, options) =>
    runSagaScenario(target, {
      ...(options.messages !== undefined ? { orders: options.messages } : {}),
      ...(options.faults !== undefined ? { faults: options.faults } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }),
  format: formatSagaLedger,
  tryNext: [
    "npm run -s local -- saga-choreography --faults --json | jq .details   # outcomes and compensations",
    "npx vitest run test/local/saga-choreography.test.ts                     # the scenario as a test",
    "npm run bench -- choreography                                           # first confirmed order, orders/s",
  ],
});
