import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FANOUT_SUBSCRIBER_NAMES, SnsSqsFanoutOutputs } from "../../stacks/sns-sqs-fanout-outputs.ts";
import { PATTERNS } from "../../tools/local/patterns.ts";
import { queueDepth, totalDepth } from "../../tools/local/scenarios/kit/queues.ts";
import { type FanoutLedger, runFanoutScenario } from "../../tools/local/scenarios/sns-sqs-fanout/scenario.ts";
import { localTarget } from "../../tools/local/targets/local.ts";

/**
 * The sns-sqs-fanout scenario with every fault on the embedded cloud, from the real synthesized
 * SnsSqsFanoutStack and its bundled handlers: 200 events, 1 % malformed (published straight to the
 * topic), 5 % transient consumer failures (FAULT_INJECTION), 2 % duplicate publishes.
 */
describe("sns-sqs-fanout scenario with faults on the embedded cloud", () => {
  let target: Awaited<ReturnType<typeof localTarget>>;
  let ledger: FanoutLedger;

  beforeAll(async () => {
    target = await localTarget({
      stack: "SnsSqsFanoutStack",
      environment: PATTERNS["sns-sqs-fanout"]?.faultEnvironment,
    });
    ledger = await runFanoutScenario(target, { events: 200, faults: true });
  });
  afterAll(async () => {
    await target?.stop();
  });

  it("reports no problem", () => {
    expect(ledger.problems).toEqual([]);
    expect(ledger.ok).toBe(true);
  });

  it("applies each valid event's effect exactly once per matching subscriber, despite duplicate publishes and retries", () => {
    expect(ledger.details.sent).toEqual({
      events: 200,
      malformed: 2,
      duplicatePublishes: 4,
      publishFailures: 0,
    });
    const by = Object.fromEntries(ledger.details.subscribers.map((s) => [s.name, s]));
    // 4:3:2:1 mix of created, paid, shipped, cancelled: billing gets order.created, shipping status=paid.
    expect(by.billing).toMatchObject({
      expected: 80,
      delivered: 80,
      effectsApplied: 80,
      duplicates: 0,
      lost: 0,
    });
    expect(by.shipping).toMatchObject({
      expected: 60,
      delivered: 60,
      effectsApplied: 60,
      duplicates: 0,
      lost: 0,
    });
    expect(by.audit).toMatchObject({
      expected: 200,
      delivered: 200,
      effectsApplied: 200,
      duplicates: 0,
      lost: 0,
    });
  });

  it("retried the transient failures the consumers injected", () => {
    expect(ledger.details.faultInjection).toBe("transient=0.05");
    const injected = ledger.details.subscribers.reduce((n, s) => n + s.transientInjected, 0);
    expect(injected).toBeGreaterThan(0);
    // Each injected failure shows up as a record reported in a partial batch response, then retried
    // (the embedded cloud's spy shows it; the ledger predicted it from FAULT_INJECTION).
    const retriedRecords = target.cloud.spy
      .filter("esm.batch", (b) => b.outcome === "partial")
      .reduce((n, b) => n + b.failedMessageIds.length, 0);
    // At least every injected failure; more only if a batch outlived the visibility timeout on a
    // loaded machine and a redelivery met the idempotency record still in progress.
    expect(retriedRecords).toBeGreaterThanOrEqual(injected);
  });

  it("dead-letters the malformed events in the billing and audit DLQs with reasons, and never delivers them to shipping", () => {
    expect(ledger.details.dlq).toHaveLength(4);
    expect(ledger.details.dlq.map((d) => d.subscriber).sort()).toEqual([
      "audit",
      "audit",
      "billing",
      "billing",
    ]);
    for (const entry of ledger.details.dlq) {
      expect(entry.source).toBe("queue");
      expect(entry.errorType).not.toBe("");
      expect(entry.reason).toMatch(/JSON/);
    }
  });

  it("removes its own DLQ entries at the end, so runs against one deployment do not pile them up", async () => {
    const sqs = new SQSClient({ ...target.clientConfig("sqs"), useQueueUrlAsEndpoint: false });
    try {
      const urls = FANOUT_SUBSCRIBER_NAMES.flatMap((s) => [
        target.outputs[SnsSqsFanoutOutputs.subscribers[s].dlqUrl] ?? "",
        target.outputs[SnsSqsFanoutOutputs.subscribers[s].subscriptionDlqUrl] ?? "",
      ]);
      const depths = await Promise.all(urls.map((url) => queueDepth(sqs, url)));
      expect(depths.map(totalDepth)).toEqual(urls.map(() => 0));
    } finally {
      sqs.destroy();
    }
  });

  it("delivers nothing a filter policy drops", () => {
    expect(ledger.counts.unexpected).toBe(0);
  });

  it("measures latency for every delivery", () => {
    expect(ledger.latencyMs.samples).toBe(340);
    expect(ledger.latencyMs.p50).toBeLessThanOrEqual(ledger.latencyMs.p95);
    expect(ledger.latencyMs.p95).toBeLessThanOrEqual(ledger.latencyMs.p99);
  });
});
