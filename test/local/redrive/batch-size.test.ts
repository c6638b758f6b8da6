/**
 * SendMessageBatch allows 1 MiB for the whole call (body + attributes of every entry, as SQS counts them):
 * the mover must split by bytes, not only by 10 entries.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redrive } from "../../../functions/shared/redrive/index.ts";
import { clientFor } from "./consumers.ts";
import { type Emulator, startEmulator } from "./fauxqs.ts";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

const KiB = 1024;

describe("mover batches split by size", () => {
  it("moves ten 200 KiB messages (2 MB in one receive) in calls of at most 1 MiB", async () => {
    const { source, dlq } = await emu.pair();
    const client = clientFor(emu.endpoint);
    const batches: number[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "SendMessageBatchCommand") {
          const input = args.input as { Entries: Array<{ MessageBody: string }> };
          batches.push(input.Entries.reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody), 0));
        }
        return next(args);
      },
      { step: "initialize", name: "batchSizes" },
    );
    for (let i = 0; i < 10; i++) {
      await emu.sendAll(dlq.url, [
        {
          MessageBody: String(i).repeat(200 * KiB),
          MessageAttributes: { "error.type": { DataType: "String", StringValue: "RetriesExhausted" } },
        },
      ]);
    }
    try {
      const summary = await redrive({ sqs: client }, { from: dlq.url, waitTimeSeconds: 0, concurrency: 1 });
      expect(summary).toMatchObject({ moved: 10, failed: 0 });
      expect(summary.error).toBeUndefined();
      expect(batches.length).toBeGreaterThanOrEqual(2);
      expect(Math.max(...batches)).toBeLessThanOrEqual(1024 * KiB);
      const moved = await emu.drain(source.url);
      expect(moved.map((m) => m.Body?.[0]).sort()).toEqual([
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
      ]);
      expect((await emu.depth(dlq.url)).visible).toBe(0);
    } finally {
      client.destroy();
    }
  });

  it("leaves a message larger than the destination's MaximumMessageSize in the DLQ with its reason, and moves the rest", async () => {
    const dlq = await emu.createQueue("big-dlq");
    const small = await emu.createQueue("small-work", { MaximumMessageSize: String(256 * KiB) });
    await emu.sendAll(dlq.url, [
      { MessageBody: "x".repeat(300 * KiB) },
      { MessageBody: "ok-1" },
      { MessageBody: "ok-2" },
    ]);
    const summary = await redrive({ sqs: emu.sqs }, { from: dlq.url, to: small.url, waitTimeSeconds: 0 });
    expect(summary).toMatchObject({ moved: 2, failed: 1 });
    expect(summary.failures[0]?.reason).toMatch(/307200 bytes.*MaximumMessageSize 262144/);
    expect((await emu.depth(dlq.url)).visible).toBe(1);
  });
});
