import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { createSqsDlqSender } from "../../../functions/shared/dlq-sender.js";
import { PermanentError } from "../../../functions/shared/errors.js";
import { toSqsRecord } from "../../../tools/local/event-sources/sqs-records.ts";

/**
 * The Lambda event record a consumer would see for `message` (what the project's DLQ sender reads):
 * the local SQS event source's own conversion.
 */
export function toRecord(message: Message, queueArn = "arn:aws:sqs:us-east-1:000000000000:work"): SQSRecord {
  return toSqsRecord(message, queueArn, "us-east-1");
}

/** How the stand-in consumer fails a poison message. */
export type PoisonPath =
  /** The handler's permanent-error path: a new DLQ message (new message ID) with `error.type`/`error.reason`. */
  | "dlq-sender"
  /** Retries exhausted: SQS's own RedrivePolicy moves the same message (same message ID) to the DLQ. */
  | "redrive-policy";

export interface ConsumerOptions {
  readonly endpoint: string;
  readonly sourceUrl: string;
  readonly dlqUrl: string;
  readonly isPoison: (message: Message) => boolean;
  readonly path: PoisonPath;
}

/**
 * A consumer of the source queue that runs to completion right after each SendMessageBatch of the redrive
 * to that queue (an SDK middleware on the redrive's client), so "consumers run while the redrive runs" is
 * deterministic: good messages are processed (deleted), poison ones go straight back to the DLQ through
 * the project's own DLQ sender, or through the queue's RedrivePolicy (it needs `maxReceiveCount` 1).
 * Returns how many sends it saw and how many messages it sent back.
 */
export function attachConsumer(redriveClient: SQSClient, options: ConsumerOptions) {
  const sqs = new SQSClient({
    region: "us-east-1",
    endpoint: options.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const sendDlq = createSqsDlqSender({ sqs, queueUrl: options.dlqUrl });
  const stats = { sends: 0, processed: 0, returned: 0 };
  const drain = async () => {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.sourceUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 30,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
        }),
      );
      if (Messages.length === 0) return;
      for (const message of Messages) {
        if (!options.isPoison(message)) {
          stats.processed++;
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: options.sourceUrl, ReceiptHandle: message.ReceiptHandle }),
          );
        } else if (options.path === "dlq-sender") {
          stats.returned++;
          await sendDlq(toRecord(message), new PermanentError("SchemaViolation", "data.payload is required"));
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: options.sourceUrl, ReceiptHandle: message.ReceiptHandle }),
          );
        } else {
          stats.returned++;
          // Failed: visible again at once; the next receive exceeds maxReceiveCount 1 and SQS moves it.
          await sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: options.sourceUrl,
              ReceiptHandle: message.ReceiptHandle,
              VisibilityTimeout: 0,
            }),
          );
        }
      }
    }
  };
  redriveClient.middlewareStack.add(
    (next, context) => async (args) => {
      const output = await next(args);
      const input = args.input as { QueueUrl?: string };
      if (context.commandName === "SendMessageBatchCommand" && input.QueueUrl === options.sourceUrl) {
        stats.sends++;
        await drain();
        if (options.path === "redrive-policy") await drain(); // the receive that moves them to the DLQ
      }
      return output;
    },
    { step: "initialize", name: "standInConsumer" },
  );
  return { stats, stop: () => sqs.destroy() };
}

/** A client for the emulator at `endpoint` (each test gets its own, so middlewares do not leak). */
export function clientFor(endpoint: string): SQSClient {
  return new SQSClient({
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
}

/**
 * Makes GetQueueAttributes on `queueUrl` answer with the given approximate counts, as SQS's eventually
 * consistent counters can (stale for up to a minute, or high after deletes).
 */
export function fakeDepth(
  client: SQSClient,
  queueUrl: string,
  counts: { visible: number; inFlight: number },
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const output = await next(args);
      const input = args.input as { QueueUrl?: string };
      if (context.commandName === "GetQueueAttributesCommand" && input.QueueUrl === queueUrl) {
        const result = output.output as { Attributes?: Record<string, string> };
        if (result.Attributes) {
          result.Attributes.ApproximateNumberOfMessages = String(counts.visible);
          result.Attributes.ApproximateNumberOfMessagesNotVisible = String(counts.inFlight);
        }
      }
      return output;
    },
    { step: "initialize", name: "staleDepth" },
  );
}
