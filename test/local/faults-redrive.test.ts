import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CancelMessageMoveTaskCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  SendMessageBatchCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  UnsupportedOperation,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setFaultSwitch } from "../../functions/sqs-dlq-redrive/jobs-table.ts";
import { readJobs } from "../../functions/sqs-dlq-redrive/jobs-table-reader.ts";
import { SqsDlqRedriveOutputs as Outputs } from "../../stacks/sqs-dlq-redrive-outputs.ts";
import { localTarget } from "../../tools/local/targets/local.ts";
import { waitFor } from "../helpers/wait.ts";

/**
 * Redrive fault cases (../shared/FAULTS.md RDV-01, RDV-02, RDV-04) with SQS's own message move
 * tasks, on the embedded cloud, from the real synthesized SqsDlqRedriveStack: the worker dead-letters
 * a faultable job (`RetriesExhausted`) on its 5th receive while the fault switch is on.
 */
let target: Awaited<ReturnType<typeof localTarget>>;
let sqs: SQSClient;
let dynamodb: DynamoDBClient;
const out = (name: string): string => {
  const value = target.outputs[name];
  if (!value) throw new Error(`output ${name} missing`);
  return value;
};
const jobIds = Array.from({ length: 3 }, (_, i) => `rdv-${randomUUID().slice(0, 8)}-${i}`);

beforeAll(async () => {
  target = await localTarget({ stack: "SqsDlqRedriveStack" });
  sqs = new SQSClient({ ...target.clientConfig("sqs"), useQueueUrlAsEndpoint: false });
  dynamodb = new DynamoDBClient(target.clientConfig("dynamodb"));
});
afterAll(async () => {
  sqs?.destroy();
  dynamodb?.destroy();
  await target?.stop();
});

const depth = async (url: string) => {
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
};
const allDeadLettered = () =>
  waitFor(async () => (await depth(out(Outputs.dlqUrl))).visible === jobIds.length, {
    timeoutMs: 120_000,
    description: `${jobIds.length} jobs in the DLQ`,
  });
const latestTask = async () =>
  (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: out(Outputs.dlqArn), MaxResults: 1 })))
    .Results?.[0];
const settledTask = () =>
  waitFor(
    async () => {
      const task = await latestTask();
      return task && !["RUNNING", "CANCELLING"].includes(task.Status ?? "") ? task : undefined;
    },
    { timeoutMs: 60_000, description: "the move task to finish" },
  );
const applications = async () =>
  (await readJobs(dynamodb, out(Outputs.jobsTableName), jobIds)).map((j) => j.applications);

describe("redrive with StartMessageMoveTask on the sqs-dlq-redrive stack", () => {
  beforeAll(async () => {
    await setFaultSwitch(dynamodb, out(Outputs.jobsTableName), true);
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: out(Outputs.queueUrl),
        Entries: jobIds.map((id, i) => ({
          Id: String(i),
          MessageBody: JSON.stringify({
            specversion: "1.0",
            id,
            source: "faults-test",
            type: "job.requested",
            data: { jobId: id, faultable: true },
          }),
        })),
      }),
    );
    await allDeadLettered();
  });

  it("RDV-04 and RDV-02: a redrive while the bug is unfixed sends every message back to the DLQ, one task at a time, nothing lost", async () => {
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: out(Outputs.dlqArn), MaxNumberOfMessagesPerSecond: 1 }),
    );
    expect(TaskHandle).toBeTruthy();
    // RDV-02: one active move task per queue.
    await expect(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: out(Outputs.dlqArn) })),
    ).rejects.toBeInstanceOf(UnsupportedOperation);
    expect(await settledTask()).toMatchObject({ Status: "COMPLETED", ApproximateNumberOfMessagesMoved: 3 });
    // The switch is still on: the worker fails them again and dead-letters them again.
    await allDeadLettered();
    expect(await applications()).toEqual([0, 0, 0]);
  });

  it("RDV-04: CancelMessageMoveTask stops a running redrive; what was not moved stays in the DLQ, what was moved comes back", async () => {
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: out(Outputs.dlqArn), MaxNumberOfMessagesPerSecond: 1 }),
    );
    await waitFor(async () => ((await latestTask())?.ApproximateNumberOfMessagesMoved ?? 0) >= 1);
    await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    const cancelled = await settledTask();
    expect(cancelled.Status).toBe("CANCELLED");
    const moved = cancelled.ApproximateNumberOfMessagesMoved ?? 0;
    expect(moved).toBeGreaterThanOrEqual(1);
    expect(moved).toBeLessThan(3);
    // Every message is in exactly one of the two queues: nothing lost.
    const [queue, dlq] = await Promise.all([depth(out(Outputs.queueUrl)), depth(out(Outputs.dlqUrl))]);
    expect(dlq.visible + dlq.inFlight + queue.visible + queue.inFlight).toBe(3);
    expect(dlq.visible).toBeGreaterThanOrEqual(3 - moved);
    await allDeadLettered();
    expect(await applications()).toEqual([0, 0, 0]);
  });

  it("RDV-01: after the fix, a move task reprocesses every dead-lettered job exactly once and empties the DLQ", async () => {
    await setFaultSwitch(dynamodb, out(Outputs.jobsTableName), false);
    await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: out(Outputs.dlqArn), MaxNumberOfMessagesPerSecond: 10 }),
    );
    expect(await settledTask()).toMatchObject({ Status: "COMPLETED", ApproximateNumberOfMessagesMoved: 3 });
    await waitFor(
      async () => (await applications()).length === 3 && (await applications()).every((n) => n > 0),
      {
        timeoutMs: 60_000,
        description: "every job applied",
      },
    );
    await waitFor(async () => {
      const [queue, dlq] = await Promise.all([depth(out(Outputs.queueUrl)), depth(out(Outputs.dlqUrl))]);
      return queue.visible + queue.inFlight + dlq.visible + dlq.inFlight === 0;
    });
    // Each job once, though it was delivered under new message IDs by every redrive (the idempotency
    // key is the CloudEvent id, not the SQS message ID).
    expect(await applications()).toEqual([1, 1, 1]);
  });
});
