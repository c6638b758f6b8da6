import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isFaultInjected, parseFaultInjection } from "../../../../functions/shared/fault-injection.js";

describe("parseFaultInjection", () => {
  it("is off when unset or empty", () => {
    expect(parseFaultInjection(undefined)).toEqual({ transientRate: 0 });
    expect(parseFaultInjection(" ")).toEqual({ transientRate: 0 });
  });

  it("reads transient=<rate>", () => {
    expect(parseFaultInjection("transient=0.05")).toEqual({ transientRate: 0.05 });
  });

  it.each(["transient=2", "transient=-0.1", "transient=abc", "transient=", "latency=5", "transient"])(
    "rejects %s with a message naming the allowed form",
    (spec) => {
      expect(() => parseFaultInjection(spec)).toThrow(/FAULT_INJECTION/);
    },
  );
});

describe("isFaultInjected", () => {
  it("follows SHA-256(subscriber:eventId) so a scenario can predict the hit events", () => {
    const ids = Array.from({ length: 200 }, (_, i) => `evt-${i}`);
    for (const id of ids) {
      const expected = createHash("sha256").update(`billing:${id}`).digest().readUInt32BE(0) / 2 ** 32 < 0.3;
      expect(isFaultInjected("billing", id, 0.3)).toBe(expected);
    }
  });

  it("hits about the requested fraction, differently per subscriber", () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `evt-${i}`);
    const billing = ids.filter((id) => isFaultInjected("billing", id, 0.05));
    const audit = ids.filter((id) => isFaultInjected("audit", id, 0.05));
    expect(billing.length / ids.length).toBeGreaterThan(0.04);
    expect(billing.length / ids.length).toBeLessThan(0.06);
    expect(billing).not.toEqual(audit);
  });

  it("never fires at rate 0 and always at rate 1", () => {
    expect(isFaultInjected("billing", "x", 0)).toBe(false);
    expect(isFaultInjected("billing", "x", 1)).toBe(true);
  });
});
