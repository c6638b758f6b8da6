import { definePattern } from "../kit/pattern.ts";
import { formatSagaLedger } from "./format.ts";
import { runSagaScenario, SCENARIO_FAULTS } from "./scenario.ts";

/** The `sfn-saga` registry entry. */
export const sfnSaga = definePattern({
  slug: "sfn-saga",
  stack: "SfnSagaStack",
  description:
    "Place-order saga on Step Functions: reverse compensations, idempotent steps, alerted compensation failures",
  defaultMessages: 100,
  faultEnvironment: { SAGA_FAULTS: SCENARIO_FAULTS },
  faultContext: [`serverless-messaging:saga-faults=${SCENARIO_FAULTS}`],
  scenario: (target, options) =>
    runSagaScenario(target, {
      orders: options.messages,
      faults: options.faults,
      onProgress: options.onProgress,
    }),
  format: formatSagaLedger,
  tryNext: [
    "npm run -s local -- sfn-saga --faults --json | jq .details      # the saga outcomes",
    "npx vitest run test/local/sfn-saga.test.ts                      # the SAGA-* cases end to end",
  ],
});
