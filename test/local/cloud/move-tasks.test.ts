import {
  CancelMessageMoveTaskCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  ReceiveMessageCommand,
  ResourceNotFoundException,
  SendMessageBatchCommand,
  SetQueueAttributesCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  UnsupportedOperation,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocal } from "../../../tools/local/index.ts";
import { userAppCloudAssembly } from "../../fixtures/user-app/synth-once.ts";
import { USER_STACKS } from "../../fixtures/user-app/user-app.ts";
import { waitFor } from "../../helpers/wait.ts";

/** SQS message move tasks on the embedded cloud, driven by the real AWS SDK SQS client. */
let cloud: LocalCloud;
let sqs: SQSClient;
interface Outputs {
  readonly OrdersUrl: string;
  readonly OrdersArn: string;
  readonly DeadLettersUrl: string;
  readonly DeadLettersArn: string;
  readonly ParkingUrl: string;
  readonly ParkingArn: string;
}
let out: Outputs;
beforeAll(async () => {
  cloud = await startLocal({ stack: USER_STACKS.orders, cdkOut: userAppCloudAssembly().cdkOut });
  out = cloud.outputs as unknown as Outputs;
  sqs = new SQSClient({
    region: cloud.region,
    endpoint: cloud.endpoints.sqs,
    credentials: cloud.credentials,
    useQueueUrlAsEndpoint: false,
  });
}, 120_000);
afterAll(async () => {
  sqs?.destroy();
  await cloud?.stop();
});

const depth = async (url: string) => {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages);
};
const tasks = async (sourceArn: string, max?: number) =>
  (
    await sqs.send(
      new ListMessageMoveTasksCommand({
        SourceArn: sourceArn,
        ...(max !== undefined ? { MaxResults: max } : {}),
      }),
    )
  ).Results ?? [];
const settled = (sourceArn: string) =>
  waitFor(
    async () => {
      const [latest] = await tasks(sourceArn, 1);
      return latest && !["RUNNING", "CANCELLING"].includes(latest.Status ?? "") ? latest : undefined;
    },
    { timeoutMs: 30_000, description: "the move task to finish" },
  );
const sendToDlq = async (bodies: readonly string[]) => {
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: out.DeadLettersUrl,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({
          Id: String(j),
          MessageBody: body,
          MessageAttributes: { reason: { DataType: "String", StringValue: `why-${body}` } },
        })),
      }),
    );
  }
};

describe("StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask", () => {
  it("refuses a source that is not a DLQ of an SQS queue, and unknown queues", async () => {
    await expect(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: out.OrdersArn })),
    ).rejects.toBeInstanceOf(UnsupportedOperation);
    await expect(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: `${out.OrdersArn}-missing` })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: out.DeadLettersArn, MaxNumberOfMessagesPerSecond: 501 }),
      ),
    ).rejects.toThrow(/MaxNumberOfMessagesPerSecond/);
  });

  it("moves dead-lettered messages back to the queue they came from, with new message IDs", async () => {
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: out.OrdersUrl,
        Entries: [
          { Id: "a", MessageBody: "reject-a" },
          { Id: "b", MessageBody: "reject-b" },
        ],
      }),
    );
    const originalIds = (sent.Successful ?? []).map((s) => s.MessageId);
    // The function rejects them; after maxReceiveCount (2) receives the redrive policy dead-letters them.
    await waitFor(async () => (await depth(out.DeadLettersUrl)) === 2, {
      timeoutMs: 40_000,
      description: "two dead-lettered messages",
    });
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: out.DeadLettersArn, MaxNumberOfMessagesPerSecond: 1 }),
    );
    expect(TaskHandle).toBeTruthy();
    await expect(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: out.DeadLettersArn })),
    ).rejects.toBeInstanceOf(UnsupportedOperation);
    const [running] = await tasks(out.DeadLettersArn, 1);
    expect(running).toMatchObject({
      TaskHandle,
      Status: "RUNNING",
      SourceArn: out.DeadLettersArn,
      MaxNumberOfMessagesPerSecond: 1,
      ApproximateNumberOfMessagesToMove: 2,
    });
    const done = await settled(out.DeadLettersArn);
    expect(done).toMatchObject({ Status: "COMPLETED", ApproximateNumberOfMessagesMoved: 2 });
    expect(done.TaskHandle).toBeUndefined();
    const moved = cloud.spy
      .events("sqs.send")
      .filter((e) => out.OrdersUrl.endsWith(`/${e.queueName}`) && !originalIds.includes(e.messageId));
    expect(moved.map((e) => e.body).sort()).toEqual(["reject-a", "reject-b"]);
  }, 90_000);

  it("moves to DestinationArn keeping message attributes, and cancels a running task", async () => {
    // Let the previous test's messages fail back into the DLQ and drain them to the parking queue first.
    await waitFor(async () => (await depth(out.DeadLettersUrl)) === 2, { timeoutMs: 40_000 });
    await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: out.DeadLettersArn, DestinationArn: out.ParkingArn }),
    );
    expect(await settled(out.DeadLettersArn)).toMatchObject({
      Status: "COMPLETED",
      DestinationArn: out.ParkingArn,
      ApproximateNumberOfMessagesMoved: 2,
    });
    await sendToDlq(Array.from({ length: 20 }, (_, i) => `parked-${i}`));
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: out.DeadLettersArn,
        DestinationArn: out.ParkingArn,
        MaxNumberOfMessagesPerSecond: 2,
      }),
    );
    await waitFor(
      async () => ((await tasks(out.DeadLettersArn, 1))[0]?.ApproximateNumberOfMessagesMoved ?? 0) >= 1,
    );
    const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    expect(cancelled.ApproximateNumberOfMessagesMoved).toBeGreaterThanOrEqual(1);
    const final: ListMessageMoveTasksResultEntry = await settled(out.DeadLettersArn);
    expect(final.Status).toBe("CANCELLED");
    const movedCount = final.ApproximateNumberOfMessagesMoved ?? 0;
    expect(movedCount).toBeLessThan(20);
    await expect(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }))).rejects.toBeInstanceOf(
      UnsupportedOperation,
    );
    // Nothing lost: what was not moved is still in the DLQ; what was moved is in the parking queue.
    await waitFor(async () => (await depth(out.DeadLettersUrl)) === 20 - movedCount);
    expect(await depth(out.ParkingUrl)).toBe(2 + movedCount);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: out.ParkingUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
      }),
    );
    const parked = Messages.find((m) => m.Body?.startsWith("parked-"));
    expect(parked?.MessageAttributes?.reason?.StringValue).toBe(`why-${parked?.Body}`);
    expect((await tasks(out.DeadLettersArn, 10)).map((t) => t.Status)).toEqual([
      "CANCELLED",
      "COMPLETED",
      "COMPLETED",
    ]);
    expect(await tasks(out.DeadLettersArn)).toHaveLength(1);
  }, 90_000);

  it("refuses a DLQ whose RedriveAllowPolicy denies every source", async () => {
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: out.DeadLettersUrl,
        Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: "denyAll" }) },
      }),
    );
    await expect(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: out.DeadLettersArn })),
    ).rejects.toBeInstanceOf(UnsupportedOperation);
  });
});
