import { definePattern } from "../kit/pattern.ts";
import { formatBridgeLedger } from "./format.ts";
import { bridgePubsubService, runBridgeScenario } from "./scenario.ts";

/** The `sns-pubsub-bridge` registry entry (local target only, with the in-process Pub/Sub emulator). */
export const snsPubsubBridge = definePattern({
  slug: "sns-pubsub-bridge",
  stack: "SnsPubsubBridgeStack",
  description:
    "AWS ⇄ Google Cloud Pub/Sub both ways: SNS → SQS → forwarder, Pub/Sub push → function URL with a verified OIDC token → SNS",
  defaultMessages: 100,
  faultEnvironment: { FAULT_INJECTION: "transient=0.1" },
  // No deployed target runs the bridge yet (`localOnly`), and its stack reads no fault context.
  faultContext: [],
  local: {
    services: () => [bridgePubsubService()],
    // A failed forward comes back after the visibility timeout: 15 s locally instead of 180 s, still
    // longer than a cold forwarder batch (a shorter one redelivers records still in flight: duplicates).
    visibilityTimeoutSeconds: 15,
  },
  localOnly:
    'a deployed run needs a Google Cloud project with Workload Identity Federation and a push subscription set up (patterns/sns-pubsub-bridge/README.md, "Google Cloud setup")',
  scenario: (target, options) =>
    runBridgeScenario(target, {
      ...(options.messages !== undefined ? { events: options.messages } : {}),
      ...(options.faults !== undefined ? { faults: options.faults } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }),
  format: formatBridgeLedger,
  tryNext: [
    "npm run -s local -- sns-pubsub-bridge --faults --json | jq .details   # both directions, tokens, dead letters",
    "npx vitest run test/local/pubsub/bridge-scenario.test.ts               # the scenario as a test",
    "npm run bench -- bridge                                                # emulator and bridge throughput",
  ],
});
