import type { SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { planRedrive, type RedriveProgress, redrive } from "../../../functions/shared/redrive/index.ts";

const DLQ_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs-dlq";
const DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:jobs-dlq";
const SOURCE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs";
const SOURCE_ARN = "arn:aws:sqs:us-east-1:123456789012:jobs";

interface Task {
  TaskHandle: string;
  Status: string;
  SourceArn: string;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
}

/**
 * A stand-in for SQS that implements the move-task API (fauxqs does not): each ListMessageMoveTasks call
 * advances the running task by 4 messages, as a server-side task would between polls.
 */
class MoveTaskSqs {
  readonly calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  readonly tasks: Task[] = [];
  tags: Record<string, string> = {};
  constructor(
    private readonly depth = 10,
    private readonly supported = true,
    private readonly sources: readonly string[] = [SOURCE_URL],
  ) {}

  async send(command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> {
    const name = command.constructor.name.replace(/Command$/, "");
    const input = command.input;
    this.calls.push({ name, input });
    switch (name) {
      case "GetQueueAttributes": {
        const dlq = input.QueueUrl === DLQ_URL;
        return {
          Attributes: {
            QueueArn: dlq ? DLQ_ARN : SOURCE_ARN,
            ApproximateNumberOfMessages: String(dlq ? this.depth : 0),
            ApproximateNumberOfMessagesNotVisible: "0",
          },
        };
      }
      case "GetQueueUrl":
        return { QueueUrl: input.QueueName === "jobs-dlq" ? DLQ_URL : SOURCE_URL };
      case "ListDeadLetterSourceQueues":
        return { queueUrls: [...this.sources] };
      case "ListQueueTags":
        return { Tags: this.tags };
      case "TagQueue":
        this.tags = { ...this.tags, ...(input.Tags as Record<string, string>) };
        return {};
      case "UntagQueue":
        this.tags = {};
        return {};
      case "ListMessageMoveTasks": {
        if (!this.supported) throw Object.assign(new Error("Unknown action"), { name: "InvalidAction" });
        for (const task of this.tasks) {
          if (task.Status === "RUNNING") {
            task.ApproximateNumberOfMessagesMoved = Math.min(
              task.ApproximateNumberOfMessagesToMove,
              task.ApproximateNumberOfMessagesMoved + 4,
            );
            if (task.ApproximateNumberOfMessagesMoved === task.ApproximateNumberOfMessagesToMove) {
              task.Status = "COMPLETED";
            }
          } else if (task.Status === "CANCELLING") task.Status = "CANCELLED";
        }
        return { Results: [...this.tasks].reverse().map((t) => ({ ...t })) };
      }
      case "StartMessageMoveTask": {
        const task: Task = {
          TaskHandle: `handle-${this.tasks.length}`,
          Status: "RUNNING",
          SourceArn: String(input.SourceArn),
          ApproximateNumberOfMessagesMoved: 0,
          ApproximateNumberOfMessagesToMove: this.depth,
        };
        this.tasks.push(task);
        return { TaskHandle: task.TaskHandle };
      }
      case "CancelMessageMoveTask": {
        const task = this.tasks.find((t) => t.TaskHandle === input.TaskHandle);
        if (task) task.Status = "CANCELLING";
        return { ApproximateNumberOfMessagesMoved: task?.ApproximateNumberOfMessagesMoved };
      }
      default:
        throw new Error(`unexpected call ${name}`);
    }
  }

  get client(): SQSClient {
    return this as unknown as SQSClient;
  }
  called(name: string) {
    return this.calls.filter((c) => c.name === name);
  }
}

describe("redrive with SQS's StartMessageMoveTask", () => {
  it("starts a task on the DLQ, reports progress from ListMessageMoveTasks, and releases its lock", async () => {
    const sqs = new MoveTaskSqs(10);
    const seen: RedriveProgress[] = [];
    const summary = await redrive(
      { sqs: sqs.client },
      { from: DLQ_URL, ratePerSecond: 50, pollIntervalMs: 1, onProgress: (p) => seen.push(p) },
    );
    expect(summary).toMatchObject({
      strategy: "move-task",
      moved: 10,
      taskStatus: "COMPLETED",
      cancelled: false,
    });
    // The single source queue is named: messages a consumer sent to the DLQ itself have no recorded source.
    expect(sqs.called("StartMessageMoveTask").map((c) => c.input)).toEqual([
      { SourceArn: DLQ_ARN, DestinationArn: SOURCE_ARN, MaxNumberOfMessagesPerSecond: 50 },
    ]);
    expect(seen.map((p) => p.moved)).toEqual([4, 8, 10]);
    expect(sqs.called("TagQueue")).toHaveLength(1);
    expect(sqs.tags).toEqual({});
  });

  it("cancels its task when aborted (Ctrl-C) and waits for SQS to stop it", async () => {
    const sqs = new MoveTaskSqs(100);
    const controller = new AbortController();
    const summary = await redrive(
      { sqs: sqs.client },
      {
        from: DLQ_ARN,
        pollIntervalMs: 1,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.moved >= 8) controller.abort();
        },
      },
    );
    expect(sqs.called("CancelMessageMoveTask").map((c) => c.input)).toEqual([{ TaskHandle: "handle-0" }]);
    expect(summary).toMatchObject({ cancelled: true, taskStatus: "CANCELLED" });
    expect(summary.moved).toBeLessThan(100);
  });

  it("refuses to start while another move task of the DLQ is running", async () => {
    const sqs = new MoveTaskSqs(10);
    sqs.tasks.push({
      TaskHandle: "other",
      Status: "RUNNING",
      SourceArn: DLQ_ARN,
      ApproximateNumberOfMessagesMoved: 0,
      ApproximateNumberOfMessagesToMove: 1000,
    });
    await expect(redrive({ sqs: sqs.client }, { from: DLQ_URL })).rejects.toThrow(
      /another redrive .* is running/,
    );
    expect(sqs.called("StartMessageMoveTask")).toHaveLength(0);
    expect(sqs.called("TagQueue")).toHaveLength(0);
  });

  it.each([
    [{ filters: ["attr:error.type=timeout"] }, /--filter/],
    [{ max: 5 }, /--max/],
    [{ dryRun: true }, /--dry-run/],
    [{ ratePerSecond: 800 }, /--rate above 500/],
  ])("uses the own mover for %j", async (extra, why) => {
    const sqs = new MoveTaskSqs(10);
    const plan = await planRedrive({ sqs: sqs.client }, { from: DLQ_URL, ...extra });
    expect(plan.strategy).toBe("mover");
    expect(plan.why).toMatch(why);
  });

  it("never starts a move task for a DLQ no SQS queue names (an SNS subscription DLQ): the own mover re-sends (RDV-03)", async () => {
    const sqs = new MoveTaskSqs(10, true, []);
    const plan = await planRedrive({ sqs: sqs.client }, { from: DLQ_URL, to: SOURCE_URL });
    expect(plan).toMatchObject({
      strategy: "mover",
      why: expect.stringMatching(/not the DLQ of an SQS queue/),
      destination: { arn: SOURCE_ARN },
    });
    await expect(
      planRedrive({ sqs: sqs.client }, { from: DLQ_URL, to: SOURCE_URL, strategy: "move-task" }),
    ).rejects.toThrow(/--strategy move-task is not possible here: not the DLQ of an SQS queue/);
    expect(sqs.called("StartMessageMoveTask")).toHaveLength(0);
  });

  it("falls back to the own mover when the endpoint lacks the API, and says why", async () => {
    const sqs = new MoveTaskSqs(10, false);
    const plan = await planRedrive({ sqs: sqs.client }, { from: DLQ_URL });
    expect(plan).toMatchObject({ strategy: "mover", why: expect.stringMatching(/no StartMessageMoveTask/) });
    await expect(planRedrive({ sqs: sqs.client }, { from: DLQ_URL, strategy: "move-task" })).rejects.toThrow(
      /--strategy move-task is not possible here/,
    );
  });

  it.each([
    [{ max: 0 }, /--max 0: allowed is a positive integer/],
    [{ max: 1.5 }, /--max 1.5/],
    [{ ratePerSecond: -1 }, /--rate -1/],
  ])("rejects %j before any call", async (extra, message) => {
    const sqs = new MoveTaskSqs(10);
    await expect(redrive({ sqs: sqs.client }, { from: DLQ_URL, ...extra })).rejects.toThrow(message);
    expect(sqs.calls).toHaveLength(0);
  });
});
