import { SNSClient } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { startSqsSns } from "../../helpers/aws-emulators.js";

/** fauxqs in-process on 127.0.0.1, port 0, with SDK clients pointed at it. */
export async function startEmulator() {
  const server = await startSqsSns();
  const config = {
    region: "us-east-1",
    endpoint: server.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
  const sqs = new SQSClient(config);
  const sns = new SNSClient(config);
  let n = 0;
  const createQueue = async (name: string, attributes: Record<string, string> = {}) => {
    const { QueueUrl = "" } = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    return { url: QueueUrl, arn: Attributes.QueueArn ?? "" };
  };
  return {
    server,
    endpoint: config.endpoint,
    sqs,
    sns,
    createQueue,
    /** A source queue and its DLQ (FIFO when `fifo`), with a unique name per call. */
    async pair(fifo = false, maxReceiveCount = 3) {
      n++;
      const suffix = fifo ? ".fifo" : "";
      const fifoAttrs: Record<string, string> = fifo ? { FifoQueue: "true" } : {};
      const dlq = await createQueue(`dlq${n}${suffix}`, fifoAttrs);
      const source = await createQueue(`work${n}${suffix}`, {
        ...fifoAttrs,
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount }),
      });
      return { source, dlq };
    },
    async depth(url: string) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      return {
        visible: Number(Attributes.ApproximateNumberOfMessages),
        inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
      };
    },
    async sendAll(url: string, entries: Omit<SendMessageBatchRequestEntry, "Id">[]) {
      for (let i = 0; i < entries.length; i += 10) {
        const chunk = entries.slice(i, i + 10).map((e, j) => ({ ...e, Id: String(j) }));
        const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: chunk }));
        if ((out.Failed ?? []).length > 0) throw new Error(JSON.stringify(out.Failed));
      }
    },
    /**
     * Receives everything visible. Messages stay in flight for 60 s unless `remove` (needed for FIFO queues,
     * where fauxqs hands out one in-flight message per group).
     */
    async drain(url: string, remove = false) {
      const all = [];
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 60,
            MessageAttributeNames: ["All"],
            MessageSystemAttributeNames: ["All"],
          }),
        );
        if (Messages.length === 0) return all;
        all.push(...Messages);
        if (remove) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: url,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
      }
    },
    async stop() {
      sqs.destroy();
      sns.destroy();
      await server.stop();
    },
  };
}

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;
