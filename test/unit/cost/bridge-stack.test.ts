import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GIB, TIB } from "../../../tools/cost/constants.ts";
import { estimateOne } from "../../../tools/cost/estimate.ts";
import { stackAlternatives } from "../../../tools/cost/stack/stack-kind.ts";
import { readTemplate } from "../../../tools/cost/stack/template.ts";
import { resolveWorkload } from "../../../tools/cost/workload.ts";
import { cost, FIXTURES, MONTH_S, prices } from "./prices.ts";

/** A copy of `cdk.out/SnsPubsubBridgeStack.template.json` as synthesized on 2026-12-01. */
const model = readTemplate(
  "SnsPubsubBridgeStack",
  JSON.parse(readFileSync(join(FIXTURES, "sns-pubsub-bridge.template.json"), "utf8")),
);
const [alt] = stackAlternatives(model);
const n = 100 * MONTH_S; // 262,800,000 messages each way at 100/s

describe("pricing SnsPubsubBridgeStack", () => {
  const e = estimateOne(alt as never, resolveWorkload({ messagesPerSecond: 100 }), prices);

  it("is recognised as the bridge by its forwarder and push receiver", () => {
    expect(alt?.id).toBe("stack:SnsPubsubBridgeStack");
    expect(e.lineItems.some((l) => l.component === "BridgeForwardQueue: SQS sends (by SNS)")).toBe(true);
  });

  it("prices the Pub/Sub side: 1,250 B per message (1 KB + 250 B ce-* attributes)", () => {
    expect(cost(e, "AWS → Google: Pub/Sub publish throughput")).toBeCloseTo(((n * 1_250) / TIB) * 40, 6); // $11.95
    // 3 subscriptions (--fan-out), pulls of 10: 12,500 B per request, above the 1,000 B minimum.
    expect(cost(e, "AWS → Google: Pub/Sub delivery throughput")).toBeCloseTo(((3 * n * 1_250) / TIB) * 40, 6);
    expect(cost(e, "Google → AWS: Pub/Sub push delivery throughput")).toBeCloseTo(
      ((n * 1_250) / TIB) * 40,
      6,
    );
  });

  it("prices the bytes leaving AWS and leaving Google Cloud", () => {
    // 1,250 B per message + 200 B per publish request (one message per publish) = 1,450 B, $0.09/GB.
    expect(cost(e, "data transfer out of AWS")).toBeCloseTo(((n * 1_450) / GIB) * 0.09, 6); // $31.94
    // push: ⌈1,000 × 4/3⌉ = 1,334 B base64 + 250 + 1,500 = 3,084 B, $0.12/GiB (UNVERIFIED).
    expect(cost(e, "data transfer out of Google Cloud")).toBeCloseTo(((n * 3_084) / GIB) * 0.12, 6); // $90.58
    expect(e.unverified.length).toBeGreaterThan(0);
  });

  it("prices the receiver: idempotency writes from its table and the SNS publish", () => {
    expect(cost(e, "push receiver: idempotency writes")).toBeCloseTo((n * 2 * 0.625) / 1e6, 6); // $328.50
    expect(cost(e, "Google → AWS: SNS publish")).toBeCloseTo((n * 0.5) / 1e6, 6); // $131.40
  });

  it("drops the inbound side with --inbound-ratio 0", () => {
    const out = estimateOne(
      alt as never,
      resolveWorkload({ messagesPerSecond: 100, bridgeInboundRatio: 0 }),
      prices,
    );
    expect(cost(out, "Google → AWS")).toBe(0);
    expect(cost(out, "AWS → Google: Pub/Sub publish throughput")).toBeCloseTo(((n * 1_250) / TIB) * 40, 6);
  });
});
