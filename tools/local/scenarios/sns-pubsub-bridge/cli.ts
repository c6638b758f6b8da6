/**
 * `npx tsx tools/local/scenarios/sns-pubsub-bridge/cli.ts [--messages N] [--faults] [--json]`: runs the
 * bridge scenario on the embedded cloud and prints its ledger; exit code 1 when it is not clean.
 * (Until the pattern is registered with `npm run local`, this is its entry point.)
 */
import { parseArgs } from "node:util";
import { runBridgeScenario } from "./scenario.ts";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "100" },
    faults: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
process.env.METADATA_SERVER_DETECTION = "none";
const ledger = await runBridgeScenario({
  events: Number(values.messages),
  faults: values.faults,
  onProgress: (line) => process.stderr.write(`${line}\n`),
});
if (values.json) {
  process.stdout.write(`${JSON.stringify(ledger, null, 2)}\n`);
} else {
  const row = (label: string, d: typeof ledger.toGoogle) =>
    `${label.padEnd(14)} sent ${d.sent}  forwarded ${d.forwarded}  duplicates ${d.duplicates}  dead-lettered ${d.deadLettered.length}/${d.invalidSent}  lost ${d.lost}  p50 ${d.latencyMs.p50} ms  p95 ${d.latencyMs.p95} ms  ${d.eventsPerSecond}/s`;
  const g = ledger.fromGoogle;
  const lines = [
    `sns-pubsub-bridge (local, run ${ledger.runId}, faults ${ledger.faults ? "on" : "off"}): ${ledger.ok ? "CLEAN" : "PROBLEMS"}`,
    row("AWS → Google", ledger.toGoogle),
    row("Google → AWS", g),
    `push: ${g.duplicatePushes} duplicate pushes, ${g.rejectedTokens}/${g.badTokensSent} bad tokens rejected, ${g.retriedPushes} attempts retried`,
    ...ledger.toGoogle.deadLettered.map((d) => `  AWS DLQ: ${d.reason}`),
    ...g.deadLettered.map((d) => `  Pub/Sub DLT: ${d.reason}`),
    ...ledger.problems.map((p) => `  problem: ${p}`),
    `${ledger.durationMs} ms`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
process.exit(ledger.ok ? 0 : 1);
