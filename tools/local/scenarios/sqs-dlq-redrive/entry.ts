import { definePattern } from "../kit/pattern.ts";
import { formatRedriveLedger } from "./format.ts";
import { runRedriveScenario } from "./scenario.ts";

/** The `sqs-dlq-redrive` registry entry. */
export const sqsDlqRedrive = definePattern({
  slug: "sqs-dlq-redrive",
  stack: "SqsDlqRedriveStack",
  description: "SQS work queue → Lambda with backoff; poison jobs to a DLQ with reasons; redrive back",
  defaultMessages: 50,
  // The fault switch is an item in the jobs table, flipped by the scenario itself on every target.
  faultEnvironment: {},
  faultContext: [],
  scenario: (target, options) =>
    runRedriveScenario(target, {
      jobs: options.messages,
      faults: options.faults,
      onProgress: options.onProgress,
    }),
  format: formatRedriveLedger,
  tryNext: [
    "npm run -s local -- sqs-dlq-redrive --messages 500 --json | jq .details.redrive   # what the redrive moved",
    "npm run redrive -- --help                                                          # the redrive tool",
    "npm run diagram -- sqs-dlq-redrive                                                 # the stack as a Mermaid diagram",
    "npx vitest run test/local/sqs-dlq-redrive.test.ts                                  # the scenario as a test",
  ],
});
