/** The msk-lambda-stream scenario (local target + MSK service), its judge, format and registry entry. */
export { mskLambdaStream } from "./entry.ts";
export { formatStreamLedger } from "./format.ts";
export * from "./judge.ts";
export {
  runStreamScenario,
  type StreamLedger,
  type StreamScenarioOptions,
  StreamTargetError,
} from "./scenario.ts";
