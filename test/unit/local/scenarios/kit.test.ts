import type { LambdaClient } from "@aws-sdk/client-lambda";
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { bodyMentions, readDeadLetters } from "../../../../tools/local/scenarios/kit/dlq.ts";
import { FunctionInvokeError, invokeJson } from "../../../../tools/local/scenarios/kit/invoke.ts";
import { waitUntil } from "../../../../tools/local/scenarios/kit/wait.ts";

/**
 * A queue that answers receives with at most 10 visible messages, oldest first (the order that hid a
 * run's entries behind 10 older ones), holds received messages invisible and honours visibility
 * changes and deletes by receipt handle.
 */
function fakeDlq(bodies: readonly string[]) {
  const messages = bodies.map((body, i) => ({
    id: `m-${i}`,
    body,
    visible: true,
    deleted: false,
    receipts: 0,
  }));
  const sqs = {
    send: async (command: unknown) => {
      if (command instanceof ReceiveMessageCommand) {
        const batch = messages.filter((m) => m.visible && !m.deleted).slice(0, 10);
        for (const m of batch) {
          m.visible = false;
          m.receipts++;
        }
        return {
          Messages: batch.map(
            (m): Message => ({
              MessageId: m.id,
              ReceiptHandle: `${m.id}#${m.receipts}`,
              Body: m.body,
              MessageAttributes: { "error.reason": { DataType: "String", StringValue: `reason ${m.id}` } },
            }),
          ),
        };
      }
      const byHandle = (handle?: string) => messages.find((m) => m.id === handle?.split("#")[0]);
      if (command instanceof ChangeMessageVisibilityBatchCommand) {
        for (const e of command.input.Entries ?? []) {
          const m = byHandle(e.ReceiptHandle);
          if (m && e.VisibilityTimeout === 0) m.visible = true;
        }
        return {};
      }
      if (command instanceof DeleteMessageBatchCommand) {
        for (const e of command.input.Entries ?? []) {
          const m = byHandle(e.ReceiptHandle);
          if (m) m.deleted = true;
        }
        return {};
      }
      throw new Error(`unexpected command ${String(command)}`);
    },
  };
  return { sqs: sqs as unknown as SQSClient, messages };
}

describe("scenario kit", () => {
  const older = Array.from({ length: 25 }, (_, i) => `{"older":${i}}`);
  const ours = ["run-7 a", "run-7 b", "run-7 c"];

  it("reads every entry of this run behind 25 older ones, and leaves them all visible", async () => {
    const { sqs, messages } = fakeDlq([...older, ...ours]);
    const read = await readDeadLetters(sqs, "dlq", { isOurs: bodyMentions("run-7"), waitTimeSeconds: 0 });
    expect(read.map((d) => d.body)).toEqual(ours);
    expect(read[0]?.reason).toBe("reason m-25");
    expect(messages.every((m) => m.visible && !m.deleted && m.receipts === 1)).toBe(true);
  });

  it("deletes only this run's entries when asked to consume them", async () => {
    const { sqs, messages } = fakeDlq([...ours.slice(0, 1), ...older, ...ours.slice(1)]);
    const read = await readDeadLetters(sqs, "dlq", { isOurs: bodyMentions("run-7"), consume: true });
    expect(read).toHaveLength(3);
    expect(messages.filter((m) => m.deleted).map((m) => m.body)).toEqual(ours);
    expect(messages.filter((m) => !m.deleted).every((m) => m.visible)).toBe(true);
  });

  it("fails an invocation whose response carries FunctionError, and parses a good one", async () => {
    const lambda = (response: { FunctionError?: string; Payload: Uint8Array }) =>
      ({ send: async () => response }) as unknown as LambdaClient;
    const failed = invokeJson(
      lambda({ FunctionError: "Unhandled", Payload: Buffer.from('{"errorMessage":"boom"}') }),
      "Publisher",
      {},
    );
    await expect(failed).rejects.toBeInstanceOf(FunctionInvokeError);
    await expect(failed).rejects.toThrow('Publisher failed (Unhandled): {"errorMessage":"boom"}');
    await expect(invokeJson(lambda({ Payload: Buffer.from('{"ok":1}') }), "Publisher", {})).resolves.toEqual({
      ok: 1,
    });
  });

  it("waits until a condition holds, or says it timed out", async () => {
    let calls = 0;
    expect(await waitUntil(() => ++calls === 3, { timeoutMs: 5_000, intervalMs: 1 })).toBe(true);
    expect(calls).toBe(3);
    expect(await waitUntil(() => false, { timeoutMs: 20, intervalMs: 5 })).toBe(false);
  });
});
