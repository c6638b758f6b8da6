import { definePattern } from "../kit/pattern.ts";
import { formatFanoutLedger } from "./format.ts";
import { runFanoutScenario } from "./scenario.ts";

/** The `sns-sqs-fanout` registry entry. */
export const snsSqsFanout = definePattern({
  slug: "sns-sqs-fanout",
  stack: "SnsSqsFanoutStack",
  description: "SNS topic → 3 filtered SQS queues → idempotent Lambda consumers, with DLQs",
  defaultMessages: 200,
  faultEnvironment: { FAULT_INJECTION: "transient=0.05" },
  faultContext: ["-c", "faultInjection=transient=0.05"],
  scenario: (target, options) =>
    runFanoutScenario(target, {
      events: options.messages,
      faults: options.faults,
      onProgress: options.onProgress,
    }),
  format: formatFanoutLedger,
  tryNext: [
    "npm run local -- sns-sqs-fanout --messages 2000 --faults   # more traffic",
    "npm run -s local -- sns-sqs-fanout --json | jq .latencyMs  # the ledger as JSON",
    "npm run diagram -- sns-sqs-fanout                          # the stack as a Mermaid diagram",
    "npm run verify -- sns-sqs-fanout --target aws              # the same scenario on your AWS account",
    "npx vitest run test/local/sns-sqs-fanout.test.ts           # the scenario as a test",
  ],
});
