/**
 * Fault injection of the example stream consumer, configured by `FAULT_INJECTION` (unset or empty:
 * none; the scenario's `--faults` sets it locally). Comma-separated `kind=value` entries:
 * - `transient=<rate>` (0 ≤ rate ≤ 1): an event selected by `isFaultInjected("msk-lambda-stream", id,
 *   rate)` fails with a `RetryableError` on its first attempt only; the event source's retry applies it.
 * - `timeout-type=<CloudEvent type>`: an event of that type makes its first attempt hang until the
 *   function times out (the whole batch fails; the event source retries and bisects it).
 * - `stuck-type=<CloudEvent type>`: an event of that type always fails with a `RetryableError` (a
 *   poison record the consumer does not recognise as such), so the event source exhausts its retries
 *   and sends the record's offsets to the on-failure destination (`RetryAttemptsExhausted`).
 * "First attempt" is remembered durably (a conditional put of `fault#<kind>#<id>` in the effects
 * table), because a timed-out execution environment is discarded with its memory. An unknown kind
 * throws at cold start. Never set in production: it exists to prove the retry and failure paths.
 */
import { type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { CloudEvent } from "../shared/cloudevents.js";
import { isConditionalCheckFailed } from "../shared/conditional-effect.js";
import { ConfigError } from "../shared/env.js";
import { RetryableError } from "../shared/errors.js";
import { isFaultInjected, parseTransientRate } from "../shared/fault-injection.js";

/** Parsed `FAULT_INJECTION` of the stream consumer. */
export interface StreamFaults {
  readonly transientRate: number;
  readonly timeoutType?: string;
  readonly stuckType?: string;
}

/** The subscriber name the transient selection hashes with (a scenario predicts hits with it). */
export const STREAM_FAULT_SUBSCRIBER = "msk-lambda-stream";

/** Parses `FAULT_INJECTION`, e.g. `transient=0.05,timeout-type=order.slow,stuck-type=order.stuck`. */
export function parseStreamFaults(spec: string | undefined): StreamFaults {
  let transientRate = 0;
  let timeoutType: string | undefined;
  let stuckType: string | undefined;
  for (const part of (spec ?? "").split(",")) {
    if (part.trim() === "") continue;
    const [kind, value = "", ...rest] = part.trim().split("=");
    if (rest.length > 0 || value.trim() === "") {
      throw new ConfigError(`FAULT_INJECTION: bad entry "${part.trim()}"`);
    }
    if (kind === "transient") transientRate = parseTransientRate(value);
    else if (kind === "timeout-type") timeoutType = value;
    else if (kind === "stuck-type") stuckType = value;
    else {
      throw new ConfigError(
        `FAULT_INJECTION: unsupported entry "${part.trim()}"; allowed: transient=<0..1>, timeout-type=<type>, stuck-type=<type>`,
      );
    }
  }
  return {
    transientRate,
    ...(timeoutType ? { timeoutType } : {}),
    ...(stuckType ? { stuckType } : {}),
  };
}

/** Whether `faults` injects anything. */
export function hasStreamFaults(faults: StreamFaults): boolean {
  return faults.transientRate > 0 || faults.timeoutType !== undefined || faults.stuckType !== undefined;
}

/** Marks `fault#<kind>#<id>` once; true only for the call that created it (the first attempt). */
async function firstAttempt(client: DynamoDBClient, tableName: string, kind: string, id: string) {
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: `fault#${kind}#${id}` }, injectedAt: { S: new Date().toISOString() } },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * The consumer's `beforeEffect` hook for `faults`. `remainingMs` is the invocation's remaining time
 * (`context.getRemainingTimeInMillis`): a timeout fault waits it out.
 */
export function streamFaultHook(
  faults: StreamFaults,
  client: DynamoDBClient,
  tableName: string,
  remainingMs: () => number,
): (event: CloudEvent) => Promise<void> {
  return async (event) => {
    if (faults.stuckType !== undefined && event.type === faults.stuckType) {
      throw new RetryableError(`injected fault: ${event.type} always fails (stuck-type)`);
    }
    if (
      faults.timeoutType !== undefined &&
      event.type === faults.timeoutType &&
      (await firstAttempt(client, tableName, "timeout", event.id))
    ) {
      await new Promise((resolve) => setTimeout(resolve, remainingMs() + 1_000));
    }
    if (
      isFaultInjected(STREAM_FAULT_SUBSCRIBER, event.id, faults.transientRate) &&
      (await firstAttempt(client, tableName, "transient", event.id))
    ) {
      throw new RetryableError(`injected transient fault on ${event.id} (first attempt)`);
    }
  };
}
