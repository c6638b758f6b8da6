/**
 * The redrive function's logic: moves the DLQ's messages back to the work queue with the project's
 * redrive library (SQS's StartMessageMoveTask where available, its own send-before-delete mover
 * otherwise), stopping in time before the Lambda timeout, and at the DLQ depth it found when it started: a
 * scheduled run while the cause persists moves each message once (the ones that fail again stay in the DLQ,
 * reported as `skippedBy.alreadyMoved`) instead of moving them round until the timeout. Invoke it by hand
 * after fixing the cause of the failures, or let the optional schedule run it.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import * as z from "zod";
import { ConfigError, optionalEnv, readEnv } from "../shared/env.js";
import { RedriveInputError } from "../shared/redrive/errors.ts";
import { redrive } from "../shared/redrive/redrive.ts";
import type { RedriveSummary } from "../shared/redrive/types.ts";

/** The invocation event; every field optional (a scheduled run sends `{}`). */
export const RedriveRequestSchema = z
  .object({
    /** Move at most this many messages. */
    max: z.number().int().positive().optional(),
    /** Messages per second; defaults to `REDRIVE_RATE_PER_SECOND`. */
    ratePerSecond: z.number().positive().optional(),
    dryRun: z.boolean().optional(),
    /** `--filter` expressions of the CLI. */
    filters: z.array(z.string()).optional(),
  })
  .loose();

/** What an invocation returns: the summary, or why nothing was done (an empty DLQ is not an error). */
export type RedriveResponse =
  | { readonly status: "done"; readonly summary: RedriveSummary }
  | { readonly status: "nothing-to-do" | "refused"; readonly reason: string };

/** Configuration: `DLQ_URL`, `QUEUE_URL`, optional `REDRIVE_RATE_PER_SECOND`. */
export interface RedriveFunctionConfig {
  readonly dlqUrl: string;
  readonly queueUrl: string;
  readonly ratePerSecond?: number;
}

/** Reads the configuration at cold start. */
export function readRedriveConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): RedriveFunctionConfig {
  const v = readEnv(["DLQ_URL", "QUEUE_URL"], env);
  const rate = optionalEnv("REDRIVE_RATE_PER_SECOND", env);
  if (rate !== undefined && !(Number(rate) > 0)) {
    throw new ConfigError(`environment variable REDRIVE_RATE_PER_SECOND must be a number > 0, got "${rate}"`);
  }
  return {
    dlqUrl: v.DLQ_URL,
    queueUrl: v.QUEUE_URL,
    ...(rate !== undefined ? { ratePerSecond: Number(rate) } : {}),
  };
}

/**
 * Runs one redrive. Input errors (an empty DLQ, a concurrent redrive) are answers, not failures, so a
 * schedule does not retry them; anything else throws. `signal` fires shortly before the Lambda timeout.
 */
export async function runRedrive(
  sqs: SQSClient,
  config: RedriveFunctionConfig,
  input: unknown,
  signal?: AbortSignal,
): Promise<RedriveResponse> {
  const request = RedriveRequestSchema.parse(input ?? {});
  const ratePerSecond = request.ratePerSecond ?? config.ratePerSecond;
  try {
    const summary = await redrive(
      { sqs },
      {
        from: config.dlqUrl,
        to: config.queueUrl,
        ...(request.max !== undefined ? { max: request.max } : {}),
        ...(ratePerSecond !== undefined ? { ratePerSecond } : {}),
        ...(request.dryRun !== undefined ? { dryRun: request.dryRun } : {}),
        ...(request.filters ? { filters: request.filters } : {}),
        holder: "redrive function",
        ...(signal ? { signal } : {}),
      },
    );
    return { status: "done", summary };
  } catch (error) {
    if (error instanceof RedriveInputError) {
      return {
        status: /nothing to redrive/.test(error.message) ? "nothing-to-do" : "refused",
        reason: error.message,
      };
    }
    throw error;
  }
}
