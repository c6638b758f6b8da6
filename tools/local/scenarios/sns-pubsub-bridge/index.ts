/** The sns-pubsub-bridge scenario (embedded cloud + Pub/Sub emulator) and its ledger. */
export { type BridgeLedger, type DirectionLedger, judgeBridge, latency } from "./ledger.ts";
export {
  BRIDGE_PROJECT,
  type BridgeScenarioOptions,
  bridgePubsubService,
  runBridgeScenario,
} from "./scenario.ts";
