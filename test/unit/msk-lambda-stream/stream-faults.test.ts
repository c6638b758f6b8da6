import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { parseStreamFaults, streamFaultHook } from "../../../functions/msk-lambda-stream/stream-faults.ts";
import type { CloudEvent } from "../../../functions/shared/cloudevents.ts";
import { RetryableError } from "../../../functions/shared/errors.ts";

/** A DynamoDB client whose conditional puts succeed once per key. */
function markerStore(): DynamoDBClient {
  const keys = new Set<string>();
  return {
    send: async (command: { input: { Item: { pk: { S: string } } } }) => {
      const pk = command.input.Item.pk.S;
      if (keys.has(pk)) throw new ConditionalCheckFailedException({ message: "exists", $metadata: {} });
      keys.add(pk);
      return {};
    },
  } as unknown as DynamoDBClient;
}

const event = (id: string, type = "order.updated") => ({ id, type }) as CloudEvent;

describe("parseStreamFaults", () => {
  it("parses every kind and rejects unknown ones at cold start", () => {
    expect(parseStreamFaults(undefined)).toEqual({ transientRate: 0 });
    expect(parseStreamFaults("transient=0.1,timeout-type=order.slow,stuck-type=order.stuck")).toEqual({
      transientRate: 0.1,
      timeoutType: "order.slow",
      stuckType: "order.stuck",
    });
    expect(() => parseStreamFaults("transient=2")).toThrow(/\[0, 1\]/);
    expect(() => parseStreamFaults("explode=1")).toThrow(/unsupported/);
  });
});

describe("streamFaultHook", () => {
  it("fails a transient event on its first attempt only", async () => {
    const hook = streamFaultHook({ transientRate: 1 }, markerStore(), "t", () => 0);
    await expect(hook(event("a"))).rejects.toBeInstanceOf(RetryableError);
    await expect(hook(event("a"))).resolves.toBeUndefined();
  });

  it("always fails a stuck event", async () => {
    const hook = streamFaultHook({ transientRate: 0, stuckType: "order.stuck" }, markerStore(), "t", () => 0);
    await expect(hook(event("s", "order.stuck"))).rejects.toBeInstanceOf(RetryableError);
    await expect(hook(event("s", "order.stuck"))).rejects.toBeInstanceOf(RetryableError);
    await expect(hook(event("u"))).resolves.toBeUndefined();
  });

  it("holds a timeout event past the remaining time on its first attempt only", async () => {
    let remaining = 0;
    const hook = streamFaultHook(
      { transientRate: 0, timeoutType: "order.slow" },
      markerStore(),
      "t",
      () => remaining,
    );
    remaining = -990; // waits remaining + 1 s = 10 ms
    const first = await Promise.race([
      hook(event("x", "order.slow")).then(() => "returned"),
      new Promise((r) => setTimeout(() => r("still waiting"), 1)),
    ]);
    expect(first).toBe("still waiting");
    await expect(hook(event("x", "order.slow"))).resolves.toBeUndefined();
  });
});
