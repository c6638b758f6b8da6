import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudEvent } from "../../../../functions/shared/cloudevents.js";
import { createEffectRecorder } from "../../../../functions/sns-sqs-fanout/effects.js";
import { readEffects } from "../../../../functions/sns-sqs-fanout/effects-reader.js";
import { buildEvents } from "../../../../tools/local/scenarios/sns-sqs-fanout/events.js";
import { judgeFanout } from "../../../../tools/local/scenarios/sns-sqs-fanout/judge.js";
import {
  createEffectsTable,
  type Emulator,
  emulatorClientConfig,
  startDynalite,
} from "../../../helpers/aws-emulators.js";

let dynalite: Emulator;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  dynalite = await startDynalite();
  dynamodb = new DynamoDBClient(emulatorClientConfig(dynalite.endpoint));
  await createEffectsTable(dynamodb, "effects");
});

afterAll(async () => {
  dynamodb?.destroy();
  await dynalite?.stop();
});

const recorder = (subscriber: string) =>
  createEffectRecorder({ client: dynamodb, tableName: "effects", subscriber });

describe("the effect write measures a second application instead of hiding it", () => {
  it("a second application the idempotency guard let through is not applied again, and the reader and the judge report it as a duplicate", async () => {
    // One order.created event: billing and audit must apply it once each.
    const [published] = buildEvents("bypass", 1);
    if (!published) throw new Error("no event");
    const event = { specversion: "1.0", source: "orders-service", ...published } as unknown as CloudEvent;
    const billing = recorder("billing");
    expect(await billing(event)).toEqual({ applied: true });
    expect(await recorder("audit")(event)).toEqual({ applied: true });
    // The guard is bypassed (an expired or unsaved idempotency record): the same event reaches the
    // effect write again, as a new attempt.
    expect(await billing(event)).toEqual({ applied: false });

    const effects = await readEffects(dynamodb, "effects", [
      { subscriber: "billing", eventId: event.id },
      { subscriber: "audit", eventId: event.id },
    ]);
    const bySubscriber = new Map(effects.map((e) => [e.subscriber, e]));
    expect(bySubscriber.get("billing")).toMatchObject({ applications: 1, suppressedDuplicates: 1 });
    expect(bySubscriber.get("audit")).toMatchObject({ applications: 1, suppressedDuplicates: 0 });

    const judgement = judgeFanout({
      events: [published],
      duplicateIds: [],
      malformed: 0,
      publishFailures: 0,
      faultInjection: { billing: "", shipping: "", audit: "" },
      publishedAt: new Map([[published.id, 0]]),
      effects,
      deadLetters: [],
    });
    expect(judgement.counts.duplicates).toBe(1);
    expect(judgement.details.subscribers.find((s) => s.name === "billing")).toMatchObject({
      delivered: 1,
      effectsApplied: 1,
      duplicates: 1,
    });
    expect(judgement.problems).toEqual([
      "1 effects applied more than once or stopped only by the effect write's condition (suppressedDuplicates)",
    ]);
  });

  it("counts each suppressed attempt once, and a third application as a second suppressed one", async () => {
    const event = { id: "third", type: "order.created" } as unknown as CloudEvent;
    const shipping = recorder("shipping");
    await shipping(event);
    await shipping(event);
    await shipping(event);
    const [effect] = await readEffects(dynamodb, "effects", [{ subscriber: "shipping", eventId: "third" }]);
    expect(effect).toMatchObject({ applications: 1, suppressedDuplicates: 2 });
  });
});
