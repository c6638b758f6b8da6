/**
 * `npm start`: the sns-sqs-fanout pattern on the embedded local cloud with demo traffic and faults
 * (1 % malformed, 5 % transient consumer failures, 2 % duplicate publishes), a live progress line,
 * the ledger as a table, and what to try next. Works right after `npm ci`: it synthesizes the
 * stack on first run (bundling the handlers with the local esbuild) and reuses cdk.out afterwards.
 */
import { formatLedger, patternFor } from "./patterns.ts";
import { runOnTarget } from "./run.ts";

const pattern = patternFor("sns-sqs-fanout");
try {
  console.error(`${pattern.slug}: ${pattern.description}\n`);
  const ledger = await runOnTarget(pattern, "local", { faults: true, progress: true });
  console.log(`\n${formatLedger(ledger)}\n`);
  console.log("what to try next:");
  for (const line of pattern.tryNext) console.log(`  ${line}`);
  if (!ledger.ok) process.exitCode = 1;
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
