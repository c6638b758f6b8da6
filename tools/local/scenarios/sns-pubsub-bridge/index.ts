/** The sns-pubsub-bridge scenario (local target + Pub/Sub emulator), its judge, format and registry entry. */
export { snsPubsubBridge } from "./entry.ts";
export { formatBridgeLedger } from "./format.ts";
export {
  type BridgeDetails,
  bridgeProblems,
  type DirectionLedger,
  type FromGoogleLedger,
  judgeBridge,
} from "./judge.ts";
export {
  BRIDGE_PROJECT,
  type BridgeDirections,
  type BridgeLedger,
  type BridgeScenarioOptions,
  BridgeTargetError,
  bridgePubsubService,
  runBridgeScenario,
} from "./scenario.ts";
