import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { estimate, estimateOne } from "../../../tools/cost/estimate.ts";
import { stackAlternative, stackSubscribers } from "../../../tools/cost/stack/stack-alternative.ts";
import { readTemplate, referencedId } from "../../../tools/cost/stack/template.ts";
import { resolveWorkload } from "../../../tools/cost/workload.ts";
import { cost, FIXTURES, MONTH_S, prices } from "./prices.ts";

const template = JSON.parse(readFileSync(join(FIXTURES, "fanout-fixture.template.json"), "utf8"));
const model = readTemplate("FanoutFixture", template);

describe("reading a synthesized template", () => {
  it("resolves Ref and Fn::GetAtt to logical ids", () => {
    expect(referencedId({ Ref: "A" })).toBe("A");
    expect(referencedId({ "Fn::GetAtt": ["B", "Arn"] })).toBe("B");
    expect(referencedId({ "Fn::GetAtt": "C.Arn" })).toBe("C");
    expect(referencedId("literal")).toBeUndefined();
  });

  it("finds topics, queues with their DLQs, filtered subscriptions, functions, mappings, tables, state machines", () => {
    expect(model.topics).toEqual([{ id: "OrdersTopic3D8D1B2A", fifo: false }]);
    expect(model.queues).toHaveLength(9);
    expect(model.queues.filter((q) => q.deadLetterQueueId)).toHaveLength(3);
    const billing = model.subscriptions.find((s) => s.queueId === "BillingQueueA1B2C3D4");
    expect(billing).toMatchObject({
      protocol: "sqs",
      topicId: "OrdersTopic3D8D1B2A",
      filterPolicy: { type: ["order.created"] },
      filterPolicyScope: "MessageAttributes",
      rawDelivery: true,
    });
    expect(model.subscriptions.find((s) => s.queueId === "ShippingQueueA1B2C3D4")?.filterPolicyScope).toBe(
      "MessageBody",
    );
    expect(model.subscriptions.find((s) => s.queueId === "AuditQueueA1B2C3D4")).toMatchObject({
      rawDelivery: false,
    });
    expect(model.functions.find((f) => f.id === "BillingFunction1F2E3D4C")).toMatchObject({
      memoryMb: 512,
      arch: "arm64",
      timeoutSeconds: 30,
    });
    expect(model.eventSourceMappings.find((m) => m.sourceId === "AuditQueueA1B2C3D4")).toMatchObject({
      batchSize: 25,
      batchWindowSeconds: 5,
      reportBatchItemFailures: true,
    });
    expect(model.tables.map((t) => t.billingMode)).toEqual(["PAY_PER_REQUEST", "PAY_PER_REQUEST"]);
    expect(model.stateMachines).toMatchObject([
      { id: "SagaStateMachine1A2B3C4D", type: "STANDARD", states: 3 },
    ]);
  });

  it("rejects something that is not a template", () => {
    expect(() => readTemplate("X", { foo: 1 })).toThrow(/--stack: X is not a CloudFormation template/);
  });
});

describe("pricing the stack", () => {
  it("derives each subscriber from its subscription, function and mapping, with the filter as an explicit assumption", () => {
    const subs = stackSubscribers(model, { match: { billing: 0.25 } });
    expect(subs.map((s) => s.subscriber)).toEqual([
      {
        name: "billing",
        matchFraction: 0.25,
        bodyFilter: false,
        rawDelivery: true,
        batchSize: 10,
        batchWindowSeconds: 0,
        lambdaMemoryMb: 512,
        lambdaArch: "arm64",
        idempotencyWritesPerMessage: 3, // idempotency table 2 + effects table 1
      },
      expect.objectContaining({ name: "shipping", matchFraction: 1, bodyFilter: true }),
      expect.objectContaining({ name: "audit", matchFraction: 1, rawDelivery: false, batchSize: 25 }),
    ]);
    const notes = subs.flatMap((s) => s.notes).join("\n");
    expect(notes).toMatch(/billing: filter policy .* ASSUMED to match 25 % of messages \(--match\)/);
    expect(notes).toMatch(
      /shipping: filter policy .* ASSUMED to match 100 % of messages \(default; set --match shipping=/,
    );
  });

  it("prices billing's share of traffic and flags the unverified body-filtering price", () => {
    const alt = stackAlternative(model, { match: { billing: 0.25, shipping: 0.5 } });
    const e = estimateOne(alt, resolveWorkload({ messagesPerSecond: 10 }), prices);
    // billing gets 25 % of 26.28 M messages: 6.57 M SQS sends × $0.40/M.
    expect(cost(e, "billing: SQS sends")).toBeCloseTo(0.25 * 10 * MONTH_S * 0.4e-6, 6);
    // Idempotency (2) + effect (1) writes per processed message: 6.57 M × 3 × $0.625/M.
    expect(cost(e, "billing: idempotency writes")).toBeCloseTo(0.25 * 10 * MONTH_S * 3 * 0.625e-6, 6);
    // Audit has raw delivery off: 1,000 B + 1,024 B envelope is still one 64 KiB chunk.
    expect(cost(e, "audit: SQS sends")).toBeCloseTo(10 * MONTH_S * 0.4e-6, 6);
    expect(e.unverified.join(" ")).toMatch(/sns.payloadFiltering/);
    expect(e.warnings.join(" ")).toMatch(/state machine SagaStateMachine1A2B3C4D \(STANDARD, 3 states\)/);
    expect(e.id).toBe("stack:FanoutFixture");
  });

  it("prices the stack next to the alternatives", () => {
    const all = estimate({ messagesPerSecond: 100 }, prices, {
      alternatives: ["sns-sqs-lambda", "kafka-ec2"],
      extra: [stackAlternative(model)],
    });
    expect(all.map((e) => e.id)).toEqual(["stack:FanoutFixture", "sns-sqs-lambda", "kafka-ec2"]);
  });

  it("names an unknown --match subscriber", () => {
    expect(() => stackSubscribers(model, { match: { invoicing: 0.5 } })).toThrow(
      /--match: no subscriber "invoicing" in FanoutFixture \(subscribers: billing, shipping, audit\)/,
    );
  });
});
