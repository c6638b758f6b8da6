import type { Ledger } from "./scenarios/ledger.ts";
import { type FanoutScenarioOptions, runFanoutScenario } from "./scenarios/sns-sqs-fanout.ts";
import type { ScenarioTarget } from "./scenarios/target.ts";

/** Options every scenario accepts (a scenario may ignore what does not apply). */
export interface ScenarioOptions {
  /** Messages or events to send. */
  readonly messages?: number;
  /** Inject the pattern's faults. */
  readonly faults?: boolean;
  readonly onProgress?: (line: string, fraction: number) => void;
}

/** A pattern the local tools can run: its stack, its scenario and how faults are switched on. */
export interface PatternEntry {
  readonly slug: string;
  /** Stack name in stacks/app.ts. */
  readonly stack: string;
  readonly description: string;
  /** Default messages of `npm run local` / `npm start`. */
  readonly defaultMessages: number;
  /** Function environment that turns the consumer-side faults on (local target), and the deploy context equivalent. */
  readonly faultEnvironment: Readonly<Record<string, string>>;
  readonly faultContext: readonly string[];
  /** Drives traffic and faults on a target and returns the ledger. */
  readonly scenario: (target: ScenarioTarget, options: ScenarioOptions) => Promise<Ledger>;
  /** Suggestions printed after a run. */
  readonly tryNext: readonly string[];
}

/**
 * The slug registry: later patterns (sqs-dlq-redrive, msk-lambda-stream) plug into `npm start`,
 * `npm run local`, `npm run verify` and `npm run diagram` by adding an entry here.
 */
export const PATTERNS: Readonly<Record<string, PatternEntry>> = {
  "sns-sqs-fanout": {
    slug: "sns-sqs-fanout",
    stack: "SnsSqsFanoutStack",
    description: "SNS topic → 3 filtered SQS queues → idempotent Lambda consumers, with DLQs",
    defaultMessages: 200,
    faultEnvironment: { FAULT_INJECTION: "transient=0.05" },
    faultContext: ["-c", "faultInjection=transient=0.05"],
    scenario: (target, options) => {
      const fanout: FanoutScenarioOptions = {
        events: options.messages,
        faults: options.faults,
        onProgress: (p) =>
          options.onProgress?.(
            p.phase === "publishing"
              ? `publishing ${p.published}/${p.toPublish}`
              : `settling ${p.settled}/${p.toSettle} deliveries`,
            p.phase === "publishing"
              ? (0.3 * p.published) / Math.max(1, p.toPublish)
              : 0.3 + (0.7 * p.settled) / Math.max(1, p.toSettle),
          ),
      };
      return runFanoutScenario(target, fanout);
    },
    tryNext: [
      "npm run local -- sns-sqs-fanout --messages 2000 --faults   # more traffic",
      "npm run -s local -- sns-sqs-fanout --json | jq .latencyMs  # the ledger as JSON",
      "npm run diagram -- sns-sqs-fanout                          # the stack as a Mermaid diagram",
      "npm run verify -- sns-sqs-fanout --target aws              # the same scenario on your AWS account",
      "npx vitest run test/local/sns-sqs-fanout.test.ts           # the scenario as a test",
    ],
  },
  "sqs-dlq-redrive": {
    slug: "sqs-dlq-redrive",
    stack: "SqsDlqRedriveStack",
    description: "SQS work queue → Lambda with backoff; poison jobs to a DLQ with reasons; redrive back",
    defaultMessages: 50,
    // The fault switch is an item in the jobs table, flipped by the scenario itself on every target.
    faultEnvironment: {},
    faultContext: [],
    scenario: async (target, options) =>
      (await import("./scenarios/sqs-dlq-redrive.ts")).runRedriveScenario(target, {
        jobs: options.messages,
        faults: options.faults,
        onProgress: options.onProgress,
      }),
    tryNext: [
      "npm run local -- sqs-dlq-redrive --messages 500 --json | jq .redrive   # what the redrive moved",
      "npm run redrive -- --help                                              # the redrive tool",
      "npm run diagram -- sqs-dlq-redrive                                     # the stack as a Mermaid diagram",
      "npx vitest run test/local/sqs-dlq-redrive.test.ts                      # the scenario as a test",
    ],
  },
};

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
