import { Duration, Stack, Token } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { idempotencyExpirySeconds } from "../../patterns/shared/idempotency-window.js";
import { createTestApp } from "../helpers/app.js";

describe("idempotencyExpirySeconds", () => {
  it("adds the queue's and the DLQ's retention", () => {
    expect(idempotencyExpirySeconds(Duration.days(4), Duration.days(14))).toBe(1_555_200);
    expect(idempotencyExpirySeconds(Duration.minutes(1), Duration.minutes(2))).toBe(180);
  });

  it("outlasts the DLQ age alarm's day: a redrive after a day is not applied twice", () => {
    expect(idempotencyExpirySeconds(Duration.days(4), Duration.days(14))).toBeGreaterThan(
      Duration.days(1).toSeconds() + Duration.days(4).toSeconds(),
    );
  });

  it("takes the largest possible window (14 + 14 days) for a deploy-time retention", () => {
    const stack = new Stack(createTestApp(), "Tokens");
    const token = Token.asNumber(stack.resolve({ Ref: "Retention" }));
    expect(idempotencyExpirySeconds(Duration.seconds(token), Duration.days(14))).toBe(28 * 86_400);
  });
});
