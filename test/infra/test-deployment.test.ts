import type { Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { SnsSqsFanoutStack } from "../../stacks/sns-sqs-fanout-stack.js";
import { SqsDlqRedriveStack } from "../../stacks/sqs-dlq-redrive-stack.js";
import {
  TEST_DEPLOYMENT_CONTEXT,
  TEST_DEPLOYMENT_SETTINGS,
  TestDeploymentContextError,
} from "../../stacks/test-deployment.js";
import { createTestApp } from "../helpers/app.js";

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

function synth(make: (app: ReturnType<typeof createTestApp>) => Stack, context: Record<string, unknown>) {
  return Template.fromStack(make(createTestApp(context))).toJSON() as { Resources: Resources };
}

/** Every leaf path (`LogicalId.Properties.A.B`) whose value differs between two templates. */
function differences(a: unknown, b: unknown, path = ""): string[] {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) =>
      differences(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        path ? `${path}.${key}` : key,
      ),
    );
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
}

const STACKS = {
  SnsSqsFanoutStack: (app: ReturnType<typeof createTestApp>) => new SnsSqsFanoutStack(app, "S"),
  SqsDlqRedriveStack: (app: ReturnType<typeof createTestApp>) => new SqsDlqRedriveStack(app, "S"),
};
const on = { [TEST_DEPLOYMENT_CONTEXT]: "true" };
const s = TEST_DEPLOYMENT_SETTINGS;

describe("test-deployment context", () => {
  it.each(Object.entries(STACKS))("%s: false or absent synthesizes the production template", (_, make) => {
    const production = synth(make, {});
    expect(synth(make, { [TEST_DEPLOYMENT_CONTEXT]: "false" })).toEqual(production);
    expect(synth(make, { [TEST_DEPLOYMENT_CONTEXT]: false })).toEqual(production);
    // The production values the test deployment must never leak into.
    const queues = Object.values(production.Resources).filter(
      (r) => r.Type === "AWS::SQS::Queue" && r.Properties?.RedrivePolicy,
    );
    expect(queues.length).toBeGreaterThan(0);
    for (const queue of queues) expect(queue.Properties?.VisibilityTimeout).toBe(180);
  });

  it("sns-sqs-fanout: changes only the consumers' timeouts and their queues' visibility timeouts", () => {
    const production = synth(STACKS.SnsSqsFanoutStack, {});
    const test = synth(STACKS.SnsSqsFanoutStack, on);
    const changed = differences(production.Resources, test.Resources);
    const byType = (type: string) =>
      Object.entries(production.Resources)
        .filter(([, r]) => r.Type === type)
        .map(([id]) => id);
    const consumers = byType("AWS::Lambda::Function").filter((id) =>
      /Orders.*(billing|shipping|audit)/i.test(id),
    );
    const consumedQueues = byType("AWS::SQS::Queue").filter(
      (id) => production.Resources[id]?.Properties?.RedrivePolicy !== undefined,
    );
    expect(consumers).toHaveLength(3);
    expect(consumedQueues).toHaveLength(3);
    expect(changed.sort()).toEqual(
      [
        ...consumers.map((id) => `${id}.Properties.Timeout`),
        ...consumedQueues.map((id) => `${id}.Properties.VisibilityTimeout`),
      ].sort(),
    );
    for (const id of consumers)
      expect(test.Resources[id]?.Properties?.Timeout).toBe(s.consumerTimeoutSeconds);
    for (const id of consumedQueues)
      expect(test.Resources[id]?.Properties?.VisibilityTimeout).toBe(s.visibilityTimeoutSeconds);
    // The construct validation (visibility timeout ≥ 6 × function timeout) still holds.
    expect(s.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * s.consumerTimeoutSeconds);
  });

  it("sqs-dlq-redrive: changes only the worker's timeout and backoff, and the queue's visibility timeout", () => {
    const production = synth(STACKS.SqsDlqRedriveStack, {});
    const test = synth(STACKS.SqsDlqRedriveStack, on);
    const changed = differences(production.Resources, test.Resources).map((path) =>
      path.replace(/^[A-Za-z0-9]+\./, ""),
    );
    expect(changed.sort()).toEqual(
      [
        // The base stays 1 s (the example's own); only the cap shrinks.
        "Properties.Environment.Variables.BACKOFF_MAX_SECONDS",
        "Properties.Timeout",
        "Properties.VisibilityTimeout",
      ].sort(),
    );
    const resources = Object.values(test.Resources);
    const worker = resources.find(
      (r) =>
        r.Type === "AWS::Lambda::Function" &&
        JSON.stringify(r.Properties?.Environment).includes("BACKOFF_BASE_SECONDS"),
    );
    expect(worker?.Properties?.Timeout).toBe(s.consumerTimeoutSeconds);
    expect(worker?.Properties?.Environment).toMatchObject({
      Variables: {
        BACKOFF_BASE_SECONDS: String(s.backoffBaseSeconds),
        BACKOFF_MAX_SECONDS: String(s.backoffMaxSeconds),
      },
    });
    const queue = resources.find((r) => r.Type === "AWS::SQS::Queue" && r.Properties?.RedrivePolicy);
    expect(queue?.Properties?.VisibilityTimeout).toBe(s.visibilityTimeoutSeconds);
  });

  it("rejects a value other than true or false", () => {
    expect(() => synth(STACKS.SnsSqsFanoutStack, { [TEST_DEPLOYMENT_CONTEXT]: "yes" })).toThrow(
      TestDeploymentContextError,
    );
  });
});
