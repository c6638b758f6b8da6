import { ListQueueTagsCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireLock, LOCK_TAG } from "../../../functions/shared/redrive/index.ts";
import { type Emulator, startEmulator } from "./fauxqs.ts";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

const tags = async (url: string) =>
  (await emu.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {};

describe("the redrive lock (a tag on the DLQ)", () => {
  it("refuses a second holder while the first holds it, and is gone once released", async () => {
    const { dlq } = await emu.pair();
    const first = await acquireLock(emu.sqs, dlq.url, { holder: "laptop A" });
    expect((await tags(dlq.url))[LOCK_TAG]).toMatch(new RegExp(`^${first.token} \\S+ laptop A$`));
    await expect(acquireLock(emu.sqs, dlq.url, { holder: "laptop B" })).rejects.toThrow(/laptop A/);
    await first.release();
    expect((await tags(dlq.url))[LOCK_TAG]).toBeUndefined();
    const second = await acquireLock(emu.sqs, dlq.url, { holder: "laptop B" });
    await second.release();
  });

  it("can be taken over once it expired (a crashed run never blocks the DLQ for good)", async () => {
    const { dlq } = await emu.pair();
    let clock = 1_000_000;
    const now = () => clock;
    await acquireLock(emu.sqs, dlq.url, { holder: "crashed", ttlMs: 60_000, now });
    clock += 61_000;
    const next = await acquireLock(emu.sqs, dlq.url, { holder: "next", ttlMs: 60_000, now });
    expect((await tags(dlq.url))[LOCK_TAG]).toContain(next.token);
  });

  it("renewal fails once another run has taken an expired lock over", async () => {
    const { dlq } = await emu.pair();
    let clock = 1_000_000;
    const now = () => clock;
    const slow = await acquireLock(emu.sqs, dlq.url, { holder: "slow", ttlMs: 1_000, now });
    clock += 2_000;
    await acquireLock(emu.sqs, dlq.url, { holder: "fast", ttlMs: 60_000, now });
    await expect(slow.renew()).rejects.toThrow(/fast/);
    // Releasing a lock that is no longer ours leaves the new holder's tag alone.
    await slow.release();
    expect((await tags(dlq.url))[LOCK_TAG]).toContain("fast");
  });
});
