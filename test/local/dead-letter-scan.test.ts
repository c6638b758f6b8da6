import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyMentions, DeadLetterScanError, readDeadLetters } from "../../tools/local/scenarios/kit/dlq.ts";
import { queueDepth } from "../../tools/local/scenarios/kit/queues.ts";
import { waitUntil } from "../../tools/local/scenarios/kit/wait.ts";
import { type Emulator, emulatorClientConfig, startSqsSns } from "../helpers/aws-emulators.ts";

let emulator: Emulator;
let sqs: SQSClient;
let queues = 0;
beforeAll(async () => {
  emulator = await startSqsSns();
  sqs = new SQSClient(emulatorClientConfig(emulator.endpoint));
});
afterAll(async () => {
  sqs?.destroy();
  await emulator?.stop();
});

async function dlqWith(bodies: readonly string[]): Promise<string> {
  const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: `dlq-${++queues}` }));
  await send(QueueUrl, bodies);
  return QueueUrl;
}

async function send(queueUrl: string, bodies: readonly string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
      }),
    );
  }
}

/**
 * `sqs`, except that after the first receive the scan is slow: that batch's visibility timeout runs
 * out, the batch is first in line again (on AWS receive order is random; fauxqs requeues expired
 * messages at the end, so the test puts them back itself: received and released by another reader),
 * and only then does `meanwhile` happen.
 */
function slowAfterFirstReceive(queueUrl: string, visibilitySeconds: number, meanwhile: () => Promise<void>) {
  let receives = 0;
  return {
    send: async (command: Parameters<SQSClient["send"]>[0]) => {
      const result = await sqs.send(command as ReceiveMessageCommand);
      if (command instanceof ReceiveMessageCommand && ++receives === 1) {
        const visibleAgainAt = Date.now() + visibilitySeconds * 1000;
        await waitUntil(() => Date.now() > visibleAgainAt, { timeoutMs: 10_000, intervalMs: 50 });
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
        );
        await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((m, i) => ({
              Id: String(i),
              ReceiptHandle: m.ReceiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
        );
        await meanwhile();
      }
      return result;
    },
  } as unknown as SQSClient;
}

describe("reading a DLQ for this run's entries (embedded SQS)", () => {
  it("sees this run's entries even when the scan outlasts its visibility timeout", async () => {
    // 10 older entries; this run's 3 arrive while the scan runs, after the first 10 became visible
    // again and first in line: the next receive is made only of messages already seen, which must
    // not end the scan.
    const older = Array.from({ length: 10 }, (_, i) => `{"older":${i}}`);
    const ours = ["run-9 a", "run-9 b", "run-9 c"];
    const url = await dlqWith(older);
    const read = await readDeadLetters(
      slowAfterFirstReceive(url, 1, () => send(url, ours)),
      url,
      { isOurs: bodyMentions("run-9"), scanVisibilitySeconds: 1, waitTimeSeconds: 0 },
    );
    expect(read.map((d) => d.body).sort()).toEqual(ours);
    // Everything released: the DLQ is as the scan found it, with this run's entries added.
    expect(await queueDepth(sqs, url)).toMatchObject({ visible: 13, inFlight: 0 });
  });

  it("extends the hold of what it has seen, so a long scan receives each message once", async () => {
    const bodies = Array.from({ length: 25 }, (_, i) => `{"n":${i}} run-10`);
    const url = await dlqWith(bodies);
    const receivedIds: string[] = [];
    const recording = {
      send: async (command: Parameters<SQSClient["send"]>[0]) => {
        const result = (await sqs.send(command as ReceiveMessageCommand)) as { Messages?: Message[] };
        if (command instanceof ReceiveMessageCommand) {
          for (const m of result.Messages ?? []) receivedIds.push(m.MessageId ?? "");
          // Longer than half the timeout per receive: the scan must extend before the next one.
          const until = Date.now() + 600;
          await waitUntil(() => Date.now() > until, { timeoutMs: 5_000, intervalMs: 50 });
        }
        return result;
      },
    } as unknown as SQSClient;
    const read = await readDeadLetters(recording, url, {
      isOurs: bodyMentions("run-10"),
      scanVisibilitySeconds: 1,
      waitTimeSeconds: 0,
    });
    expect(read).toHaveLength(25);
    expect(new Set(receivedIds).size).toBe(receivedIds.length);
    expect(await queueDepth(sqs, url)).toMatchObject({ visible: 25, inFlight: 0 });
  });

  it("gives up with a typed error, releasing what it held, when no receive comes back empty in time", async () => {
    const url = await dlqWith(["{}", "{}", "{}"]);
    const attempt = readDeadLetters(sqs, url, { isOurs: () => true, waitTimeSeconds: 0, scanTimeoutMs: 0 });
    await expect(attempt).rejects.toBeInstanceOf(DeadLetterScanError);
    await expect(
      readDeadLetters(sqs, url, { isOurs: () => true, waitTimeSeconds: 0, scanTimeoutMs: 0 }),
    ).rejects.toThrow(/saw 3 messages but no empty receive within 0 s/);
    expect(await queueDepth(sqs, url)).toMatchObject({ visible: 3, inFlight: 0 });
  });
});
