import type { SQSRecord } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { PermanentError, RetryableError } from "../../../functions/shared/errors.js";
import type { RecordContext } from "../../../functions/shared/sqs-consumer.js";
import { backoffSeconds, withRetryPolicy } from "../../../functions/sqs-dlq-redrive/backoff.js";
import { cloudEvent, sqsRecord } from "../../helpers/events.js";

const config = { baseSeconds: 2, maxSeconds: 60 };

describe("backoffSeconds", () => {
  it("doubles per receive between half and all of the cap (equal jitter)", () => {
    expect([1, 2, 3, 4].map((n) => backoffSeconds(n, config, () => 0))).toEqual([1, 2, 4, 8]);
    expect([1, 2, 3, 4].map((n) => backoffSeconds(n, config, () => 0.999999))).toEqual([2, 4, 8, 16]);
  });
  it("never exceeds the configured maximum", () => {
    expect(backoffSeconds(20, config, () => 0.999999)).toBe(60);
    expect(backoffSeconds(20, config, () => 0)).toBe(30);
  });
  it("never exceeds SQS's 12-hour visibility limit, whatever the config", () => {
    expect(backoffSeconds(40, { baseSeconds: 3600, maxSeconds: 10 ** 9 }, () => 0.999999)).toBe(43_200);
  });
  it("is at least one second", () => {
    expect(backoffSeconds(1, { baseSeconds: 1, maxSeconds: 1 }, () => 0)).toBe(1);
  });
});

function context(receiveCount: number): RecordContext {
  return {
    record: sqsRecord({ body: "{}", receiveCount }),
    logger: { info() {}, warn() {} } as unknown as RecordContext["logger"],
  };
}
const event = cloudEvent({ type: "job.requested", data: { jobId: "j1" } }) as never;

describe("withRetryPolicy", () => {
  const setup = (handle: () => Promise<void>) => {
    const delay = vi.fn(async (_record: SQSRecord, _seconds: number) => undefined);
    const onRetry = vi.fn(async () => undefined);
    const wrapped = withRetryPolicy(handle, {
      maxReceiveCount: 3,
      backoff: config,
      delay,
      onRetry,
      random: () => 0,
      clock: () => 1_000,
    });
    return { wrapped, delay, onRetry };
  };

  it("on a retryable failure sets the backoff delay for this receive and rethrows", async () => {
    const { wrapped, delay, onRetry } = setup(async () => {
      throw new RetryableError("dependency down");
    });
    const ctx = context(2);
    await expect(wrapped(event, ctx)).rejects.toThrow("dependency down");
    expect(delay).toHaveBeenCalledWith(ctx.record, 2);
    expect(onRetry).toHaveBeenCalledWith(event, {
      receiveCount: 2,
      delaySeconds: 2,
      error: "dependency down",
      delayedAt: 1_000,
      delayApplied: true,
    });
  });

  it("on the last allowed receive turns the failure into PermanentError RetriesExhausted, without a delay", async () => {
    const { wrapped, delay } = setup(async () => {
      throw new Error("still down");
    });
    const error = await wrapped(event, context(3)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({
      type: "RetriesExhausted",
      reason: expect.stringMatching(/all 3 receives.*still down/),
    });
    expect(delay).not.toHaveBeenCalled();
  });

  it("passes permanent errors through untouched", async () => {
    const original = new PermanentError("SchemaViolation", "bad");
    const { wrapped, delay } = setup(async () => {
      throw original;
    });
    await expect(wrapped(event, context(1))).rejects.toBe(original);
    expect(delay).not.toHaveBeenCalled();
  });

  it("still fails the record (so SQS retries it) when the visibility change fails", async () => {
    const onDelayError = vi.fn();
    const onRetry = vi.fn(async () => undefined);
    const wrapped = withRetryPolicy(
      async () => {
        throw new RetryableError("down");
      },
      {
        maxReceiveCount: 3,
        backoff: config,
        delay: async () => {
          throw new Error("ReceiptHandleIsInvalid");
        },
        onDelayError,
        onRetry,
      },
    );
    await expect(wrapped(event, context(1))).rejects.toThrow("down");
    expect(onDelayError).toHaveBeenCalledOnce();
    expect(onRetry).toHaveBeenCalledWith(event, expect.objectContaining({ delayApplied: false }));
  });

  it("does nothing extra on success", async () => {
    const { wrapped, delay } = setup(async () => undefined);
    await expect(wrapped(event, context(1))).resolves.toBeUndefined();
    expect(delay).not.toHaveBeenCalled();
  });
});
