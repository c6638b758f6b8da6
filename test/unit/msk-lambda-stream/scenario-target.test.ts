/** The msk-lambda-stream scenario refuses a target without the local MSK service, before any traffic. */
import { describe, expect, it } from "vitest";
import {
  mskLambdaStream,
  runStreamScenario,
  StreamTargetError,
} from "../../../tools/local/scenarios/msk-lambda-stream/index.ts";
import { MskService } from "../../../tools/local/services/msk.ts";

import { DEPLOYED_TARGET } from "../../helpers/deployed-target.ts";

const deployed = DEPLOYED_TARGET;

describe("msk-lambda-stream on a target", () => {
  it("rejects a target without the MSK service with a StreamTargetError", async () => {
    await expect(runStreamScenario(deployed)).rejects.toBeInstanceOf(StreamTargetError);
    await expect(runStreamScenario({ ...deployed, localServices: [] })).rejects.toThrow(
      /needs the local MSK service; target aws has none/,
    );
  });

  it("the registry entry asks the local target for a fresh MSK service per run and is local-only", () => {
    const first = mskLambdaStream.local?.services?.() ?? [];
    const second = mskLambdaStream.local?.services?.() ?? [];
    expect(first).toHaveLength(1);
    expect(first[0]).toBeInstanceOf(MskService);
    expect(first[0]).not.toBe(second[0]);
    expect(mskLambdaStream.localOnly).toMatch(/LocalStack emulates MSK only in its paid tier/);
    expect(mskLambdaStream.defaultMessages).toBe(1000);
  });
});
