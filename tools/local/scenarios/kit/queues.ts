import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { waitUntil } from "./wait.ts";

/** A queue's approximate message counts. */
export interface QueueDepth {
  /** `ApproximateNumberOfMessages`: available to receive. */
  readonly visible: number;
  /** `ApproximateNumberOfMessagesNotVisible`: received, not yet deleted or visible again. */
  readonly inFlight: number;
  /** `ApproximateNumberOfMessagesDelayed`. */
  readonly delayed: number;
}

/** Total of a {@link QueueDepth}. */
export function totalDepth(depth: QueueDepth): number {
  return depth.visible + depth.inFlight + depth.delayed;
}

/** Reads a queue's approximate counts (eventually consistent on AWS: a single zero proves little). */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** Options of {@link waitForDrained}. */
export interface DrainOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /**
   * Consecutive readings of all-zero counts needed: approximate counts lag on AWS, so one zero reading
   * proves little and several in a row do.
   */
  readonly quietPolls: number;
}

/**
 * Waits until every queue has no visible, in-flight or delayed message on `quietPolls` consecutive
 * readings. Resolves `false` when the timeout passed first.
 */
export async function waitForDrained(
  sqs: SQSClient,
  queueUrls: readonly string[],
  { timeoutMs, intervalMs, quietPolls }: DrainOptions,
): Promise<boolean> {
  let quiet = 0;
  return waitUntil(
    async () => {
      const depths = await Promise.all(queueUrls.map((url) => queueDepth(sqs, url)));
      quiet = depths.every((d) => totalDepth(d) === 0) ? quiet + 1 : 0;
      return quiet >= quietPolls;
    },
    { timeoutMs, intervalMs },
  );
}
