import { describe, expect, it } from "vitest";
import {
  formatBytes,
  InputError,
  parseDurationHours,
  parseInteger,
  parseRate,
  parseSize,
} from "../../../tools/cost/units.ts";

describe("parseRate", () => {
  it.each([
    ["100/s", 100],
    ["100", 100],
    ["6000/min", 100],
    ["360000/h", 100],
    ["8640000/day", 100],
    ["2.628e8/month", 100],
    ["0.5 / s", 0.5],
  ])("reads %s as %d messages per second", (raw, expected) => {
    expect(parseRate(raw)).toBeCloseTo(expected, 9);
  });

  it.each([
    ["0/s", /--rate: "0\/s" must be greater than zero/],
    ["-5/s", /--rate: "-5\/s" must be greater than zero/],
    ["10/fortnight", /--rate: unknown rate unit "\/fortnight" .*\/s, \/min, \/h, \/day or \/month/],
    ["fast", /--rate: cannot read "fast"/],
  ])("rejects %s naming the field and what is allowed", (raw, message) => {
    expect(() => parseRate(raw)).toThrow(InputError);
    expect(() => parseRate(raw)).toThrow(message);
  });
});

describe("parseSize", () => {
  it.each([
    ["1KB", 1_000],
    ["1KiB", 1_024],
    ["64 KiB", 65_536],
    ["256B", 256],
    ["1MiB", 1_048_576],
    ["1.5KB", 1_500],
    ["300 B", 300],
  ])("reads %s as %d bytes", (raw, bytes) => {
    expect(parseSize(raw)).toBe(bytes);
  });

  it("rejects an unknown unit, naming the allowed ones", () => {
    expect(() => parseSize("1XB")).toThrow(
      /--size: unknown size unit "XB" \(.*B, KB, KiB, MB, MiB, GB or GiB/,
    );
    expect(() => parseSize("0KB")).toThrow(/--size: "0KB" must be greater than zero/);
  });

  it("requires a unit: a bare 1 is not silently one byte", () => {
    expect(() => parseSize("1")).toThrow(InputError);
    expect(() => parseSize("1")).toThrow(/--size: "1" needs a unit: 1B for bytes, 1KB for kilobytes/);
  });
});

describe("parseDurationHours and parseInteger", () => {
  it("reads retention in hours", () => {
    expect(parseDurationHours("24h")).toBe(24);
    expect(parseDurationHours("7d")).toBe(168);
    expect(parseDurationHours("90min")).toBeCloseTo(1.5, 9);
    expect(() => parseDurationHours("3 fortnights")).toThrow(/--retention: unknown duration unit/);
  });

  it("rejects fractions and out-of-range integers", () => {
    expect(parseInteger("3", "--fan-out", 1, 1000)).toBe(3);
    expect(() => parseInteger("2.5", "--fan-out", 1, 1000)).toThrow(
      /--fan-out: "2.5" must be a whole number from 1 to 1000/,
    );
    expect(() => parseInteger("0", "--fan-out", 1, 1000)).toThrow(/from 1 to 1000/);
  });

  it("formats sizes the way people write them", () => {
    expect(formatBytes(1_000)).toBe("1 KB");
    expect(formatBytes(1_024)).toBe("1 KiB");
    expect(formatBytes(300)).toBe("300 B");
  });
});
