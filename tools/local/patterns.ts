import type { Ledger } from "./scenarios/kit/ledger.ts";
import type { PatternEntry } from "./scenarios/kit/pattern.ts";
import { mskLambdaStream } from "./scenarios/msk-lambda-stream/entry.ts";
import { sagaChoreography } from "./scenarios/saga-choreography/entry.ts";
import { sfnSaga } from "./scenarios/sfn-saga/entry.ts";
import { snsPubsubBridge } from "./scenarios/sns-pubsub-bridge/entry.ts";
import { snsSqsFanout } from "./scenarios/sns-sqs-fanout/entry.ts";
import { sqsDlqRedrive } from "./scenarios/sqs-dlq-redrive/entry.ts";

export type { PatternEntry, ScenarioOptions } from "./scenarios/kit/pattern.ts";

/**
 * The slug registry: what `npm start`, `npm run local`, `npm run verify` and `npm run diagram` know. Each
 * pattern's entry lives in its scenario folder (`scenarios/<slug>/entry.ts`); adding a pattern adds
 * that folder and one line here (see tools/local/README.md, "Adding a pattern").
 */
export const PATTERNS: Readonly<Record<string, PatternEntry>> = Object.fromEntries(
  [snsSqsFanout, sqsDlqRedrive, sfnSaga, sagaChoreography, snsPubsubBridge, mskLambdaStream].map((entry) => [
    entry.slug,
    entry,
  ]),
);

/** Thrown for a slug that is not in the registry. */
export class UnknownPatternError extends Error {
  override readonly name = "UnknownPatternError";
}

/** The registry entry of `slug`, or an error naming the known slugs. */
export function patternFor(slug: string): PatternEntry {
  const entry = PATTERNS[slug];
  if (!entry) {
    throw new UnknownPatternError(`unknown pattern "${slug}"; known: ${Object.keys(PATTERNS).join(", ")}`);
  }
  return entry;
}

/** Renders any pattern's ledger for a terminal, with that pattern's own formatter. */
export function formatLedger(ledger: Ledger): string {
  return patternFor(ledger.slug).format(ledger);
}
