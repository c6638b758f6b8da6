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
   * How long every received message stays invisible while the scan lasts. It must outlast the scan: a
   * message that became visible again before the scan ends could be received twice or make the scan
   * endless. @default 60
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
}

/**
 * Reads every message of this run in a DLQ without consuming any, whatever else the DLQ holds.
 *
 * A receive returns at most 10 messages, in no guaranteed order; stopping at the first batch without an
 * entry of this run (as a naive reader does) hides this run's entries behind 10 older ones. So the scan
 * keeps every received message invisible (`scanVisibilitySeconds`) until a receive comes back empty, which
 * means it has seen the whole DLQ, then makes all of them visible again at once
 * (`ChangeMessageVisibilityBatch` to 0), this run's and the others alike: nothing is deleted (unless
 * `consume` asks to delete this run's), a redrive or a later scan finds the DLQ as it was. Messages that
 * arrive during the scan are seen too.
 */
export async function readDeadLetters(
  sqs: SQSClient,
  queueUrl: string,
  { isOurs, scanVisibilitySeconds = 60, waitTimeSeconds = 1, consume = false }: ReadDeadLettersOptions,
): Promise<DeadLetter[]> {
  const held = new Map<string, Message>();
  try {
    for (;;) {
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
      const fresh = Messages.filter((m) => m.MessageId && !held.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const m of fresh) held.set(m.MessageId as string, m);
    }
  } finally {
    const all = [...held.values()];
    await release(sqs, queueUrl, consume ? all.filter((m) => !isOurs(m)) : all);
    if (consume) await remove(sqs, queueUrl, all.filter(isOurs));
  }
  return [...held.values()].filter(isOurs).map((m) => ({
    messageId: m.MessageId as string,
    body: m.Body ?? "",
    errorType: m.MessageAttributes?.["error.type"]?.StringValue ?? "",
    reason: m.MessageAttributes?.["error.reason"]?.StringValue ?? "",
  }));
}

/** Makes held messages visible again (visibility timeout 0), 10 per call. */
async function release(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.slice(i, i + 10).map((m, j) => ({
          Id: String(j),
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}

/** Deletes held messages, 10 per call. */
async function remove(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
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
