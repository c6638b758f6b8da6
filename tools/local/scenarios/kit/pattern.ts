import type { LocalService } from "../../services/local-service.ts";
import type { ScenarioTarget } from "../target.ts";
import type { Ledger, ScenarioLedger } from "./ledger.ts";
import type { ProgressListener } from "./progress.ts";

/** Options every scenario accepts (a scenario may ignore what does not apply). */
export interface ScenarioOptions {
  /** Messages, events or jobs to send. */
  readonly messages?: number;
  /** Inject the pattern's faults. */
  readonly faults?: boolean;
  readonly onProgress?: ProgressListener;
}

/** What the local target starts for a pattern besides the built-in services, and how. */
export interface LocalPatternSettings {
  /**
   * Services beyond the built-ins, as fresh instances for one run (e.g. the Pub/Sub emulator with the
   * pattern's Google side declared). The scenario finds them in `ScenarioTarget.localServices`.
   * @default none
   */
  readonly services?: () => readonly LocalService[];
  /**
   * Visibility timeout of every queue in local runs, for a pattern whose batches take longer than the
   * local default (a shorter one redelivers records still in flight: duplicates).
   * @default LOCAL_SCENARIO_VISIBILITY_TIMEOUT_SECONDS (5 s)
   */
  readonly visibilityTimeoutSeconds?: number;
}

/** A pattern as the local tools run it: its stack, its scenario, its faults and how its ledger reads. */
export interface PatternEntry {
  readonly slug: string;
  /** Stack name in stacks/app.ts. */
  readonly stack: string;
  readonly description: string;
  /** Default messages of `npm run local` / `npm start`. */
  readonly defaultMessages: number;
  /** Function environment that turns the consumer-side faults on (local target). */
  readonly faultEnvironment: Readonly<Record<string, string>>;
  /** The deploy context equivalent of `faultEnvironment` (deployed targets). */
  readonly faultContext: readonly string[];
  /** Drives traffic and faults on a target and returns the ledger. */
  readonly scenario: (target: ScenarioTarget, options: ScenarioOptions) => Promise<Ledger>;
  /** Renders a ledger this pattern's scenario returned, for a terminal. */
  readonly format: (ledger: Ledger) => string;
  /** Suggestions printed after a run. */
  readonly tryNext: readonly string[];
  /** Extra services and settings of the local target (`npm run local`, `--serve`). @default none */
  readonly local?: LocalPatternSettings;
  /**
   * Set when the pattern runs on the local target only: why the deployed targets cannot run it yet
   * (printed, one line, when `npm run verify` is asked for one). @default runs on every target
   */
  readonly localOnly?: string;
}

/** A pattern entry with its ledger details typed, as a scenario folder writes it. */
export interface PatternDefinition<Details> extends Omit<PatternEntry, "scenario" | "format"> {
  readonly scenario: (target: ScenarioTarget, options: ScenarioOptions) => Promise<ScenarioLedger<Details>>;
  readonly format: (ledger: ScenarioLedger<Details>) => string;
}

/** Thrown when a ledger is given to the formatter of another pattern. */
export class LedgerMismatchError extends Error {
  override readonly name = "LedgerMismatchError";
}

/**
 * Turns a typed definition into a registry entry. The registry holds entries of every pattern, so it
 * sees ledgers as `Ledger` (details unknown); `format` accepts only ledgers of this slug, which its own
 * scenario produced with these details.
 */
export function definePattern<Details>(definition: PatternDefinition<Details>): PatternEntry {
  return {
    ...definition,
    scenario: definition.scenario,
    format: (ledger) => {
      if (ledger.slug !== definition.slug) {
        throw new LedgerMismatchError(`a ${ledger.slug} ledger cannot be rendered as ${definition.slug}`);
      }
      return definition.format(ledger as ScenarioLedger<Details>);
    },
  };
}
