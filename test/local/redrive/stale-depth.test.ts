/**
 * ApproximateNumberOfMessages is eventually consistent: it may say 0 (and "3 in flight") while the
 * messages are visible. The redrive must look (receive) before it refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedriveInputError, redrive } from "../../../functions/shared/redrive/index.ts";
import { runRedrive } from "../../../functions/sqs-dlq-redrive/redrive-function.ts";
import { clientFor, fakeDepth } from "./consumers.ts";
import { type Emulator, startEmulator } from "./fauxqs.ts";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

describe("a stale ApproximateNumberOfMessages", () => {
  it("receives before refusing: 3 visible messages reported as '0 visible, 3 in flight' are moved", async () => {
    const { source, dlq } = await emu.pair();
    await emu.sendAll(dlq.url, [{ MessageBody: "a" }, { MessageBody: "b" }, { MessageBody: "c" }]);
    const client = clientFor(emu.endpoint);
    fakeDepth(client, dlq.url, { visible: 0, inFlight: 3 });
    try {
      const summary = await redrive({ sqs: client }, { from: dlq.url, waitTimeSeconds: 0 });
      expect(summary).toMatchObject({ moved: 3, plannedDepth: 3 });
      expect((await emu.depth(source.url)).visible).toBe(3);
      expect((await emu.depth(dlq.url)).visible).toBe(0);
    } finally {
      client.destroy();
    }
  });

  it("the redrive function does not answer nothing-to-do on a stale zero", async () => {
    const { source, dlq } = await emu.pair();
    await emu.sendAll(dlq.url, [{ MessageBody: "a" }]);
    const client = clientFor(emu.endpoint);
    fakeDepth(client, dlq.url, { visible: 0, inFlight: 0 });
    try {
      const response = await runRedrive(client, { dlqUrl: dlq.url, queueUrl: source.url }, {});
      expect(response).toMatchObject({ status: "done", summary: { moved: 1 } });
    } finally {
      client.destroy();
    }
  });

  it("still refuses when the probe finds nothing, and leaves in-flight messages alone", async () => {
    const { dlq } = await emu.pair();
    await emu.sendAll(dlq.url, [{ MessageBody: "a" }]);
    await emu.drain(dlq.url); // in flight for 60 s: someone else is reading it
    const error = await redrive({ sqs: emu.sqs }, { from: dlq.url, waitTimeSeconds: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(RedriveInputError);
    expect((error as Error).message).toMatch(/nothing to redrive: .* no visible messages \(1 in flight/);
    expect(await emu.depth(dlq.url)).toEqual({ visible: 0, inFlight: 1 });
  });
});
