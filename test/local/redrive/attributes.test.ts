/**
 * Attribute room: SQS allows 10 message attributes. The project's DLQ sender keeps 8 original attributes and
 * adds `error.type` and `error.reason`; the redrive must still move such an entry (it drops the stale
 * `error.*` attributes, which describe the previous failure), and no DLQ entry may be one it refuses.
 */
import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqsDlqSender, dlqMessageAttributes } from "../../../functions/shared/dlq-sender.js";
import { PermanentError } from "../../../functions/shared/errors.js";
import { REDRIVE_COUNT_ATTRIBUTE, redrive } from "../../../functions/shared/redrive/index.ts";
import { toRecord } from "./consumers.ts";
import { type Emulator, startEmulator } from "./fauxqs.ts";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

const originals = (n: number, prefix = "attr"): Record<string, MessageAttributeValue> =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`${prefix}${i}`, { DataType: "String", StringValue: `v${i}` }]),
  );

describe("redriving entries with 10 message attributes", () => {
  it("moves a DLQ sender's entry (8 originals + error.type + error.reason): error.* dropped, redrive-count added", async () => {
    const { source, dlq } = await emu.pair();
    // Exactly what the consumer's DLQ sender writes for a record with 9 original attributes.
    const record = toRecord({ MessageId: "m-1", Body: "job", MessageAttributes: originals(9) });
    const attributes = dlqMessageAttributes(record, new PermanentError("SchemaViolation", "bad payload"));
    expect(Object.keys(attributes)).toHaveLength(10);
    await emu.sendAll(dlq.url, [{ MessageBody: "job", MessageAttributes: attributes }]);

    const summary = await redrive({ sqs: emu.sqs }, { from: dlq.url, waitTimeSeconds: 0 });
    expect(summary).toMatchObject({ moved: 1, failed: 0 });
    const [moved] = await emu.drain(source.url);
    const names = Object.keys(moved?.MessageAttributes ?? {}).sort();
    expect(names).toEqual([...Object.keys(originals(8)), REDRIVE_COUNT_ATTRIBUTE].sort());
    expect(moved?.MessageAttributes?.[REDRIVE_COUNT_ATTRIBUTE]?.StringValue).toBe("1");
  });

  it("moves an entry with 10 original attributes (dead-lettered by the RedrivePolicy) and says it could not count it", async () => {
    const { source, dlq } = await emu.pair();
    await emu.sendAll(dlq.url, [{ MessageBody: "job", MessageAttributes: originals(10) }]);
    const summary = await redrive({ sqs: emu.sqs }, { from: dlq.url, waitTimeSeconds: 0 });
    expect(summary).toMatchObject({ moved: 1, failed: 0 });
    expect(summary.warnings).toEqual([
      { messageId: expect.any(String), reason: expect.stringMatching(/without redrive-count/) },
    ]);
    const [moved] = await emu.drain(source.url);
    expect(Object.keys(moved?.MessageAttributes ?? {}).sort()).toEqual(Object.keys(originals(10)).sort());
  });

  it("keeps a redrive-count that is already there (10 attributes including it)", async () => {
    const { source, dlq } = await emu.pair();
    await emu.sendAll(dlq.url, [
      {
        MessageBody: "job",
        MessageAttributes: {
          ...originals(7),
          "error.type": { DataType: "String", StringValue: "RetriesExhausted" },
          "error.reason": { DataType: "String", StringValue: "timeout" },
          [REDRIVE_COUNT_ATTRIBUTE]: { DataType: "Number", StringValue: "4" },
        },
      },
    ]);
    expect((await redrive({ sqs: emu.sqs }, { from: dlq.url, waitTimeSeconds: 0 })).moved).toBe(1);
    const [moved] = await emu.drain(source.url);
    expect(moved?.MessageAttributes?.[REDRIVE_COUNT_ATTRIBUTE]?.StringValue).toBe("5");
    expect(moved?.MessageAttributes?.["error.type"]).toBeUndefined();
  });

  it("moves a DLQ sender's copy of a message at the source queue's maximum size (the error.* attributes made it larger)", async () => {
    const dlq = await emu.createQueue("max-dlq", { MaximumMessageSize: String(1024 * 1024) });
    const source = await emu.createQueue("max-work", {
      MaximumMessageSize: String(256 * 1024),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
    });
    const body = "x".repeat(256 * 1024 - 20);
    const attributes = { tenant: { DataType: "String", StringValue: "acme" } }; // 6 + 6 + 4 bytes
    await emu.sendAll(source.url, [{ MessageBody: body, MessageAttributes: attributes }]);
    const [received] = await emu.drain(source.url, true);
    if (!received) throw new Error("no message");
    await createSqsDlqSender({ sqs: emu.sqs, queueUrl: dlq.url })(
      toRecord(received),
      new PermanentError("Oversize", "the body is larger than the consumer accepts"),
    );

    const summary = await redrive({ sqs: emu.sqs }, { from: dlq.url, waitTimeSeconds: 0 });
    expect(summary).toMatchObject({ moved: 1, failed: 0 });
    expect(summary.warnings[0]?.reason).toMatch(/without redrive-count: .* MaximumMessageSize 262144/);
    const [moved] = await emu.drain(source.url);
    expect(moved?.Body).toBe(body);
    expect(Object.keys(moved?.MessageAttributes ?? {})).toEqual(["tenant"]);
  });
});
