import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acquireLock,
  REDRIVE_COUNT_ATTRIBUTE,
  RedriveInputError,
  redrive,
} from "../../../functions/shared/redrive/index.ts";
import { type Emulator, startEmulator } from "./fauxqs.ts";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

const jobs = (
  n: number,
  extra: (i: number) => Record<string, { DataType: string; StringValue: string }> = () => ({}),
) =>
  Array.from({ length: n }, (_, i) => ({
    MessageBody: JSON.stringify({ id: `job-${i}` }),
    MessageAttributes: {
      tenant: { DataType: "String", StringValue: `t${i}` },
      "error.type": { DataType: "String", StringValue: i % 2 ? "timeout" : "schema" },
      ...extra(i),
    },
  }));

describe("redrive with the own mover (fauxqs has no StartMessageMoveTask)", () => {
  it("moves every message back to the discovered source queue, body and attributes intact (stale error.* dropped), redrive-count + 1", async () => {
    const { source, dlq } = await emu.pair();
    await emu.sendAll(
      dlq.url,
      jobs(
        25,
        (i): Record<string, { DataType: string; StringValue: string }> =>
          i === 3 ? { [REDRIVE_COUNT_ATTRIBUTE]: { DataType: "Number", StringValue: "2" } } : {},
      ),
    );
    const summary = await redrive({ sqs: emu.sqs }, { from: dlq.arn, waitTimeSeconds: 0 });
    expect(summary).toMatchObject({
      strategy: "mover",
      moved: 25,
      failed: 0,
      to: source.url,
      cancelled: false,
    });
    expect(await emu.depth(dlq.url)).toEqual({ visible: 0, inFlight: 0 });
    const moved = await emu.drain(source.url);
    expect(moved.map((m) => JSON.parse(m.Body ?? "{}").id).sort()).toEqual(
      Array.from({ length: 25 }, (_, i) => `job-${i}`).sort(),
    );
    for (const m of moved) {
      const id = JSON.parse(m.Body ?? "{}").id as string;
      const i = Number(id.slice(4));
      expect(m.MessageAttributes?.tenant?.StringValue).toBe(`t${i}`);
      expect(m.MessageAttributes?.["error.type"]).toBeUndefined();
      expect(m.MessageAttributes?.[REDRIVE_COUNT_ATTRIBUTE]).toEqual({
        DataType: "Number",
        StringValue: i === 3 ? "3" : "1",
      });
    }
  });

  it("keeps FIFO group and deduplication ids and the order within each group", async () => {
    const { dlq } = await emu.pair(true);
    const other = await emu.createQueue("other.fifo", { FifoQueue: "true" });
    const entries = Array.from({ length: 12 }, (_, i) => ({
      MessageBody: `m${i}`,
      MessageGroupId: `g${i % 3}`,
      MessageDeduplicationId: `d${i}`,
    }));
    await emu.sendAll(dlq.url, entries);
    const summary = await redrive({ sqs: emu.sqs }, { from: dlq.url, to: other.url, waitTimeSeconds: 0 });
    expect(summary.moved).toBe(12);
    const moved = await emu.drain(other.url, true);
    expect(moved).toHaveLength(12);
    for (const m of moved) {
      const i = Number(m.Body?.slice(1));
      expect(m.Attributes?.MessageGroupId).toBe(`g${i % 3}`);
      expect(m.Attributes?.MessageDeduplicationId).toBe(`d${i}`);
    }
    for (const group of ["g0", "g1", "g2"]) {
      const order = moved
        .filter((m) => m.Attributes?.MessageGroupId === group)
        .map((m) => Number(m.Body?.slice(1)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it("defers FIFO messages still inside the source queue's 5-minute deduplication window, leaving them in the DLQ", async () => {
    const { source, dlq } = await emu.pair(true);
    await emu.sendAll(dlq.url, [{ MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d" }]);
    const summary = await redrive({ sqs: emu.sqs }, { from: dlq.url, waitTimeSeconds: 0 });
    expect(summary).toMatchObject({ moved: 0, deferred: 1 });
    expect(summary.failures[0]?.reason).toMatch(/deduplication window/);
    expect((await emu.depth(dlq.url)).visible).toBe(1);
    expect((await emu.depth(source.url)).visible).toBe(0);
  });

  it("--filter moves only matching messages and leaves the rest visible in the DLQ", async () => {
    const { source, dlq } = await emu.pair();
    await emu.sendAll(dlq.url, jobs(10));
    const summary = await redrive(
      { sqs: emu.sqs },
      { from: dlq.url, filters: ["attr:error.type=timeout"], waitTimeSeconds: 0 },
    );
    expect(summary).toMatchObject({
      moved: 5,
      matched: 5,
      skipped: 5,
      skippedBy: { filter: 5, alreadyMoved: 0 },
    });
    expect(summary.skips).toHaveLength(5);
    expect(summary.skips.every((s) => s.reason === "did not match --filter")).toBe(true);
    expect((await emu.depth(dlq.url)).visible).toBe(5);
    const moved = await emu.drain(source.url);
    // The odd jobs had error.type=timeout (dropped on the way back, as every stale error.* attribute).
    expect(moved.map((m) => Number(JSON.parse(m.Body ?? "{}").id.slice(4)) % 2)).toEqual([1, 1, 1, 1, 1]);
  });

  it("--max moves exactly N", async () => {
    const { source, dlq } = await emu.pair();
    await emu.sendAll(dlq.url, jobs(23));
    const summary = await redrive({ sqs: emu.sqs }, { from: dlq.url, max: 7, waitTimeSeconds: 0 });
    expect(summary.moved).toBe(7);
    expect((await emu.depth(source.url)).visible).toBe(7);
    expect((await emu.depth(dlq.url)).visible).toBe(16);
  });

  it("--dry-run counts and moves nothing", async () => {
    const { source, dlq } = await emu.pair();
    await emu.sendAll(dlq.url, jobs(14));
    const summary = await redrive(
      { sqs: emu.sqs },
      { from: dlq.url, dryRun: true, filters: ["body:job-1"], waitTimeSeconds: 0 },
    );
    // job-1, job-10 … job-13
    expect(summary).toMatchObject({ dryRun: true, matched: 5, moved: 0 });
    expect((await emu.depth(source.url)).visible).toBe(0);
    expect((await emu.depth(dlq.url)).visible).toBe(14);
  });

  it("stops cleanly when aborted: every message is in exactly one of the two queues", async () => {
    const { source, dlq } = await emu.pair();
    await emu.sendAll(dlq.url, jobs(60));
    const controller = new AbortController();
    const summary = await redrive(
      { sqs: emu.sqs },
      {
        from: dlq.url,
        concurrency: 1,
        waitTimeSeconds: 0,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.moved >= 20) controller.abort();
        },
      },
    );
    expect(summary.cancelled).toBe(true);
    expect(summary.moved).toBeGreaterThanOrEqual(20);
    expect(summary.moved).toBeLessThan(60);
    const inSource = (await emu.depth(source.url)).visible;
    const inDlq = (await emu.depth(dlq.url)).visible;
    expect(inSource).toBe(summary.moved);
    expect(inSource + inDlq).toBe(60);
  });

  it("redrives an SNS subscription DLQ to the subscribed queue", async () => {
    const { CreateTopicCommand, SubscribeCommand } = await import("@aws-sdk/client-sns");
    const queue = await emu.createQueue("subscriber");
    const subDlq = await emu.createQueue("subscriber-sub-dlq");
    const { TopicArn } = await emu.sns.send(new CreateTopicCommand({ Name: "orders" }));
    await emu.sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: "sqs",
        Endpoint: queue.arn,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: subDlq.arn }) },
      }),
    );
    await emu.sendAll(subDlq.url, jobs(3));
    const summary = await redrive({ sqs: emu.sqs, sns: emu.sns }, { from: subDlq.url, waitTimeSeconds: 0 });
    expect(summary).toMatchObject({ strategy: "mover", moved: 3, to: queue.url });
    expect(await emu.depth(subDlq.url)).toEqual({ visible: 0, inFlight: 0 });
    const moved = await emu.drain(queue.url);
    expect(moved.map((m) => m.Body).sort()).toEqual(jobs(3).map((j) => j.MessageBody));
    expect(moved.map((m) => m.MessageAttributes?.tenant?.StringValue).sort()).toEqual(["t0", "t1", "t2"]);
  });
});

describe("bad input: a clear error and nothing moved", () => {
  it("unknown queue", async () => {
    await expect(
      redrive({ sqs: emu.sqs }, { from: "arn:aws:sqs:us-east-1:000000000000:no-such-dlq" }),
    ).rejects.toThrow(/--from: unknown queue arn:aws:sqs:us-east-1:000000000000:no-such-dlq/);
  });

  it("a FIFO DLQ to a standard queue", async () => {
    const { dlq } = await emu.pair(true);
    const standard = await emu.createQueue("plain-target");
    await emu.sendAll(dlq.url, [{ MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d" }]);
    await expect(redrive({ sqs: emu.sqs }, { from: dlq.url, to: standard.url })).rejects.toThrow(
      /FIFO DLQ .* standard queue/,
    );
    expect((await emu.depth(dlq.url)).visible).toBe(1);
    expect((await emu.depth(standard.url)).visible).toBe(0);
  });

  it("a standard DLQ to a FIFO queue (RDV-05: same type required)", async () => {
    const { dlq } = await emu.pair();
    const fifo = await emu.createQueue("fifo-target.fifo", { FifoQueue: "true" });
    await emu.sendAll(dlq.url, [{ MessageBody: "x" }]);
    await expect(redrive({ sqs: emu.sqs }, { from: dlq.url, to: fifo.url })).rejects.toThrow(
      /standard DLQ .* FIFO queue: its messages have no MessageGroupId/,
    );
    expect((await emu.depth(dlq.url)).visible).toBe(1);
    expect((await emu.depth(fifo.url)).visible).toBe(0);
  });

  it("nothing to do: an empty DLQ", async () => {
    const { dlq } = await emu.pair();
    const error = await redrive({ sqs: emu.sqs }, { from: dlq.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedriveInputError);
    expect((error as Error).message).toMatch(/nothing to redrive/);
  });

  it("a second concurrent redrive of the same DLQ", async () => {
    const { source, dlq } = await emu.pair();
    await emu.sendAll(dlq.url, jobs(4));
    const first = await acquireLock(emu.sqs, dlq.url, { holder: "first run" });
    try {
      await expect(redrive({ sqs: emu.sqs }, { from: dlq.url })).rejects.toThrow(
        /another redrive of .* is running \(first run/,
      );
      expect((await emu.depth(dlq.url)).visible).toBe(4);
      expect((await emu.depth(source.url)).visible).toBe(0);
    } finally {
      await first.release();
    }
    // Once released, the redrive runs.
    expect((await redrive({ sqs: emu.sqs }, { from: dlq.url, waitTimeSeconds: 0 })).moved).toBe(4);
  });

  it("a DLQ with no source and no --to", async () => {
    const orphan = await emu.createQueue("orphan-dlq");
    await emu.sendAll(orphan.url, jobs(1));
    await expect(redrive({ sqs: emu.sqs, sns: emu.sns }, { from: orphan.url })).rejects.toThrow(/pass --to/);
    expect((await emu.depth(orphan.url)).visible).toBe(1);
  });
});
