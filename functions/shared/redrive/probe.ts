import {
  ChangeMessageVisibilityBatchCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/**
 * Looks into a queue whose `ApproximateNumberOfMessages` says 0: that counter is eventually consistent and
 * can lag (or count visible messages as in flight) for a while after messages arrive, so a redrive that
 * trusted it would refuse with "nothing to redrive" while messages are there. One long-poll receive (a long
 * poll asks every SQS server, a short one only a sample) of up to 10 messages, made visible again at once.
 * Returns how many it saw. It raises their ApproximateReceiveCount by one, which matters only for a DLQ that
 * has a RedrivePolicy of its own.
 */
export async function countByReceiving(
  sqs: SQSClient,
  queueUrl: string,
  { waitTimeSeconds = 1 }: { waitTimeSeconds?: number } = {},
): Promise<number> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitTimeSeconds,
      VisibilityTimeout: 30,
    }),
  );
  const handles = Messages.flatMap((m) => (m.ReceiptHandle ? [m.ReceiptHandle] : []));
  if (handles.length > 0) {
    try {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: handles.map((ReceiptHandle, i) => ({
            Id: String(i),
            ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    } catch {
      // They become visible again after 30 s on their own; the redrive then meets them a little later.
    }
  }
  return Messages.length;
}
