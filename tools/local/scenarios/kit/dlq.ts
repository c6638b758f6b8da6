import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/** A dead-lettered message, with the reason attributes the consumers set. */
export interface DeadLetter {
  readonly messageId: string;
  readonly body: string;
  /** `error.type` (empty when the message was dead-lettered without one, e.g. by the redrive policy). */
  readonly errorType: string;
  /** `error.reason` (empty when missing: a defect the judges report). */
  readonly reason: string;
}

/** Options of {@link readDeadLetters}. */
export interface ReadDeadLettersOptions {
  /** Which messages belong to this run (typically: the body contains the run ID). */
  readonly isOurs: (message: Message) => boolean;
  /**
   * How long every received message stays invisible; the scan extends it (`ChangeMessageVisibilityBatch`)
   * for every held message whenever half of it has passed, so a scan may last longer than this. Must be
   * more than twice `waitTimeSeconds`. @default 60
   */
  readonly scanVisibilitySeconds?: number;
  /**
   * Long-poll wait of each receive. On AWS a receive with 0 samples only some servers and may come back
   * empty while messages exist; a long poll asks all of them. @default 1
   */
  readonly waitTimeSeconds?: number;
  /**
   * Delete this run's entries instead of making them visible again: for a run's last read, so that runs
   * against the same deployment do not pile up DLQ entries (and keep its DLQ alarms raised). Other
   * entries are always released untouched. @default false
   */
  readonly consume?: boolean;
  /**
   * Give up (with a {@link DeadLetterScanError}, every held message released) when no receive has come
   * back empty after this long: a DLQ that is fed faster than it is read. @default 300000 (5 min)
   */
  readonly scanTimeoutMs?: number;
}

/** Thrown when a DLQ scan did not reach an empty receive in time: it cannot tell that it saw everything. */
export class DeadLetterScanError extends Error {
  override readonly name = "DeadLetterScanError";
}

/**
 * Reads every message of this run in a DLQ without consuming any, whatever else the DLQ holds.
 *
 * A receive returns at most 10 messages, in no guaranteed order; stopping at the first batch without an
 * entry of this run (as a naive reader does) hides this run's entries behind 10 older ones, and so does
 * stopping at the first batch without a message not seen before: once a message's visibility timeout
 * runs out it can be received again, and a batch made only of such messages says nothing about the rest.
 * So the scan keeps every received message invisible, extending the visibility of all it holds whenever
 * half of `scanVisibilitySeconds` has passed (a message that became visible regardless is received
 * again and held under its new receipt handle, the only one SQS still honours), and stops only at a
 * receive that comes back empty, which means it has seen the whole DLQ (or at `scanTimeoutMs`, with an
 * error). Then it makes all of them visible again at once (`ChangeMessageVisibilityBatch` to 0), this
 * run's and the others alike: nothing is deleted (unless `consume` asks to delete this run's), a redrive
 * or a later scan finds the DLQ as it was. Messages that arrive during the scan are seen too.
 */
export async function readDeadLetters(
  sqs: SQSClient,
  queueUrl: string,
  {
    isOurs,
    scanVisibilitySeconds = 60,
    waitTimeSeconds = 1,
    consume = false,
    scanTimeoutMs = 300_000,
  }: ReadDeadLettersOptions,
): Promise<DeadLetter[]> {
  const held = new Map<string, Message>();
  const started = Date.now();
  let extendedAt = started;
  try {
    for (;;) {
      if (Date.now() - extendedAt >= (scanVisibilitySeconds * 1000) / 2) {
        // Every held message was received, or last extended, at or after `extendedAt`.
        extendedAt = Date.now();
        await changeVisibility(sqs, queueUrl, [...held.values()], scanVisibilitySeconds);
      }
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: scanVisibilitySeconds,
          WaitTimeSeconds: waitTimeSeconds,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
        }),
      );
      if (Messages.length === 0) break;
      // A message received again replaces its earlier copy: only the newest receipt handle is valid.
      for (const m of Messages) if (m.MessageId) held.set(m.MessageId, m);
      if (Date.now() - started > scanTimeoutMs) {
        throw new DeadLetterScanError(
          `the scan of ${queueUrl} saw ${held.size} messages but no empty receive within ${scanTimeoutMs / 1000} s, so it cannot tell it saw them all (is the DLQ still being fed?)`,
        );
      }
    }
  } finally {
    const all = [...held.values()];
    await changeVisibility(sqs, queueUrl, consume ? all.filter((m) => !isOurs(m)) : all, 0);
    if (consume) await deleteMessages(sqs, queueUrl, all.filter(isOurs));
  }
  return [...held.values()].filter(isOurs).map((m) => ({
    messageId: m.MessageId as string,
    body: m.Body ?? "",
    errorType: m.MessageAttributes?.["error.type"]?.StringValue ?? "",
    reason: m.MessageAttributes?.["error.reason"]?.StringValue ?? "",
  }));
}

/**
 * Sets held messages' visibility timeout, 10 per call: 0 makes them visible again, more extends the
 * hold. Entries that fail (a message whose timeout ran out and that is no longer in flight) are left:
 * such a message is received again later under a new handle, or is visible already.
 */
async function changeVisibility(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
  visibilityTimeout: number,
): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.slice(i, i + 10).map((m, j) => ({
          Id: String(j),
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: visibilityTimeout,
        })),
      }),
    );
  }
}

/** Deletes received messages from `queueUrl`, 10 per `DeleteMessageBatch`. */
export async function deleteMessages(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

/** `isOurs` for messages whose body names the run ID (every body a scenario sends carries it). */
export function bodyMentions(runId: string): (message: Message) => boolean {
  return (message) => (message.Body ?? "").includes(runId);
}
