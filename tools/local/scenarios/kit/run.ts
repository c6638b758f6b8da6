import { outputReader, type ScenarioTarget } from "../target.ts";
import { openClients, pollIntervalMs, type ScenarioClients } from "./clients.ts";
import { type Judgement, ledgerOf, newRunId, type ScenarioLedger } from "./ledger.ts";

/** What a scenario's body gets for one run. */
export interface ScenarioRun {
  readonly target: ScenarioTarget;
  /** This run's ID: put it in every message body the scenario sends. */
  readonly runId: string;
  readonly clients: ScenarioClients;
  /** Reads a stack output, failing with its name and the target when it is missing. */
  readonly out: (name: string) => string;
  /** Pause between polls on this target (see {@link pollIntervalMs}). */
  readonly intervalMs: number;
  /**
   * Long-poll wait of scan receives: 0 on the embedded cloud (which answers from one store), 1 s on
   * deployed targets, where a short poll samples only some servers and may come back empty.
   */
  readonly receiveWaitSeconds: number;
}

/**
 * Runs one scenario: opens the target's clients and a run ID, runs `body` (drive, observe, judge), closes
 * the clients whatever happens, and assembles the ledger from the judgement with the run's duration.
 */
export async function runScenario<Details>(
  target: ScenarioTarget,
  slug: string,
  body: (run: ScenarioRun) => Promise<Judgement<Details>>,
): Promise<ScenarioLedger<Details>> {
  const startedAt = Date.now();
  const runId = newRunId();
  const clients = openClients(target);
  try {
    const judgement = await body({
      target,
      runId,
      clients,
      out: outputReader(target),
      intervalMs: pollIntervalMs(target),
      receiveWaitSeconds: target.name === "local" ? 0 : 1,
    });
    return ledgerOf({ slug, target: target.name, runId, startedAt }, judgement);
  } finally {
    clients.destroy();
  }
}
