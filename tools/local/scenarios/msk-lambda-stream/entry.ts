import { MskService } from "../../services/msk.ts";
import { definePattern } from "../kit/pattern.ts";
import { formatStreamLedger } from "./format.ts";
import { runStreamScenario } from "./scenario.ts";

/** The `msk-lambda-stream` registry entry (local target only, with the MSK service on the project's broker). */
export const mskLambdaStream = definePattern({
  slug: "msk-lambda-stream",
  stack: "MskLambdaStreamStack",
  description:
    "MSK (IAM auth) → Kafka event source → Lambda: CloudEvents keyed by entity, order per partition, exactly-once effects, poison skip and an on-failure queue",
  defaultMessages: 1000,
  // The consumer's hook (functions/msk-lambda-stream/stream-faults.ts): ~2 % of events fail once, one
  // `order.slow` event hangs until the consumer times out once, `order.stuck` always fails.
  faultEnvironment: { FAULT_INJECTION: "transient=0.02,timeout-type=order.slow,stuck-type=order.stuck" },
  // No deployed target runs this stack yet (`localOnly`), and its stack reads no fault context.
  faultContext: [],
  local: { services: () => [new MskService()] },
  localOnly:
    "LocalStack emulates MSK only in its paid tier (and has no on-failure destination for Kafka event sources); an AWS run needs the scenario inside the cluster's VPC (a private cluster: the scenario's Kafka admin client cannot reach it from outside)",
  scenario: (target, options) =>
    runStreamScenario(target, {
      ...(options.messages !== undefined ? { events: options.messages } : {}),
      ...(options.faults !== undefined ? { faults: options.faults } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }),
  format: formatStreamLedger,
  tryNext: [
    "npm run -s local -- msk-lambda-stream --faults --json | jq .details   # offsets, poison, failure queue, lag",
    "npx vitest run test/local/msk-lambda-stream/scenario.test.ts           # the scenario with faults as a test",
    "npm run bench -- stream                                                # first record, records/s, event-source overhead",
  ],
});
