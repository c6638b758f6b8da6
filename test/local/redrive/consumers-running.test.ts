/**
 * RDV-04: redrive while the bug is unfixed and the consumers run. The poison messages come straight back
 * to the DLQ; the run must stop at the depth it planned with and move no message twice, and nothing is lost.
 */
import type { Message } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDRIVE_COUNT_ATTRIBUTE, redrive } from "../../../functions/shared/redrive/index.ts";
import { runRedrive } from "../../../functions/sqs-dlq-redrive/redrive-function.ts";
import { attachConsumer, clientFor, fakeDepth, type PoisonPath } from "./consumers.ts";
import { type Emulator, startEmulator } from "./fauxqs.ts";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

const isPoison = (m: Message) => (m.Body ?? "").includes("poison");
/** Before the fix the run never ends by itself: stop it well past what a correct run moves. */
const LOOP_GUARD = 40;

async function setup(path: PoisonPath, good: number, poison = 3) {
  const { source, dlq } = await emu.pair(false, path === "redrive-policy" ? 1 : 5);
  await emu.sendAll(dlq.url, [
    ...Array.from({ length: poison }, (_, i) => ({
      MessageBody: JSON.stringify({ id: `poison-${i}` }),
      MessageAttributes: {
        "error.type": { DataType: "String", StringValue: "SchemaViolation" },
        "error.reason": { DataType: "String", StringValue: "data.payload is required" },
      },
    })),
    // Distinct messages with one body: a body hash alone must not merge them.
    ...Array.from({ length: good }, () => ({ MessageBody: JSON.stringify({ id: "same-body" }) })),
  ]);
  const client = clientFor(emu.endpoint);
  const consumer = attachConsumer(client, {
    endpoint: emu.endpoint,
    sourceUrl: source.url,
    dlqUrl: dlq.url,
    isPoison,
    path,
  });
  const guard = new AbortController();
  const stop = () => {
    consumer.stop();
    client.destroy();
  };
  return { source, dlq, client, consumer, guard, stop };
}

async function dlqContents(url: string) {
  const messages = await emu.drain(url);
  return messages.map((m) => ({
    id: JSON.parse(m.Body ?? "{}").id as string,
    count: m.MessageAttributes?.[REDRIVE_COUNT_ATTRIBUTE]?.StringValue,
  }));
}

describe.each<PoisonPath>(["dlq-sender", "redrive-policy"])(
  "redrive while consumers send poison back to the DLQ (%s)",
  (path) => {
    it("stops at the depth it planned with: 3 poison messages are moved once each", async () => {
      const t = await setup(path, 0);
      try {
        const summary = await redrive(
          { sqs: t.client },
          {
            from: t.dlq.url,
            concurrency: 1,
            waitTimeSeconds: 0,
            signal: t.guard.signal,
            onProgress: (p) => {
              if (p.moved > LOOP_GUARD) t.guard.abort();
            },
          },
        );
        expect(summary).toMatchObject({ moved: 3, cancelled: false, plannedDepth: 3 });
        expect(summary.stopReason).toBe("planned-depth");
        expect(t.consumer.stats.returned).toBe(3);
        expect(await dlqContents(t.dlq.url)).toEqual([
          { id: "poison-0", count: "1" },
          { id: "poison-1", count: "1" },
          { id: "poison-2", count: "1" },
        ]);
        expect((await emu.depth(t.source.url)).visible).toBe(0);
      } finally {
        t.stop();
      }
    });

    it("never moves a message the run already moved, even when the planned depth is too high", async () => {
      const t = await setup(path, 7);
      // ApproximateNumberOfMessages is an estimate: here it says 100 for 10 messages.
      fakeDepth(t.client, t.dlq.url, { visible: 100, inFlight: 0 });
      try {
        const summary = await redrive(
          { sqs: t.client },
          {
            from: t.dlq.url,
            concurrency: 1,
            waitTimeSeconds: 0,
            signal: t.guard.signal,
            onProgress: (p) => {
              if (p.moved > LOOP_GUARD) t.guard.abort();
            },
          },
        );
        expect(summary).toMatchObject({
          moved: 10,
          cancelled: false,
          stopReason: "drained",
          skippedBy: { filter: 0, alreadyMoved: 3 },
        });
        expect(summary.skips.filter((s) => /moved by this run/.test(s.reason))).toHaveLength(3);
        expect(t.consumer.stats.processed).toBe(7);
        // Nothing lost: the poison is back in the DLQ (visible again after the run), moved once.
        expect((await dlqContents(t.dlq.url)).map((m) => m.count)).toEqual(["1", "1", "1"]);
      } finally {
        t.stop();
      }
    });
  },
);

describe("the redrive function while consumers run (shares the mover)", () => {
  it("moves each poison message once and returns instead of looping until its timeout", async () => {
    const t = await setup("dlq-sender", 2);
    let sends = 0;
    t.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "SendMessageBatchCommand" && ++sends > LOOP_GUARD) t.guard.abort();
        return next(args);
      },
      { step: "initialize", name: "loopGuard" },
    );
    try {
      const response = await runRedrive(
        t.client,
        { dlqUrl: t.dlq.url, queueUrl: t.source.url },
        {},
        t.guard.signal,
      );
      expect(response).toMatchObject({ status: "done", summary: { moved: 5, cancelled: false } });
      expect((await dlqContents(t.dlq.url)).map((m) => m.id).sort()).toEqual([
        "poison-0",
        "poison-1",
        "poison-2",
      ]);
    } finally {
      t.stop();
    }
  });
});
