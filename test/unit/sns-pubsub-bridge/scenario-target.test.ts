/** The bridge scenario refuses a target without the local Pub/Sub service, before any traffic. */
import { describe, expect, it } from "vitest";
import {
  BridgeTargetError,
  runBridgeScenario,
  snsPubsubBridge,
} from "../../../tools/local/scenarios/sns-pubsub-bridge/index.ts";
import { PubsubLocalService } from "../../../tools/local/services/pubsub.ts";

import { DEPLOYED_TARGET } from "../../helpers/deployed-target.ts";

const deployed = DEPLOYED_TARGET;

describe("sns-pubsub-bridge on a target", () => {
  it("rejects a target without the Pub/Sub service with a BridgeTargetError", async () => {
    await expect(runBridgeScenario(deployed)).rejects.toBeInstanceOf(BridgeTargetError);
    await expect(runBridgeScenario({ ...deployed, localServices: [] })).rejects.toThrow(
      /needs the local Pub\/Sub service; target aws has none/,
    );
  });

  it("the registry entry asks the local target for a fresh Pub/Sub service per run and is local-only", () => {
    const first = snsPubsubBridge.local?.services?.() ?? [];
    const second = snsPubsubBridge.local?.services?.() ?? [];
    expect(first).toHaveLength(1);
    expect(first[0]).toBeInstanceOf(PubsubLocalService);
    expect(first[0]).not.toBe(second[0]);
    expect(snsPubsubBridge.local?.visibilityTimeoutSeconds).toBe(15);
    expect(snsPubsubBridge.localOnly).toMatch(/Google Cloud project/);
  });
});
