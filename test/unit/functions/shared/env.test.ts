import { describe, expect, it } from "vitest";
import {
  booleanEnv,
  ConfigError,
  listEnv,
  oneOfEnv,
  optionalEnv,
  readEnv,
} from "../../../../functions/shared/env.js";

describe("readEnv", () => {
  it("returns the named variables", () => {
    expect(readEnv(["A", "B"], { A: "1", B: "2", C: "3" })).toEqual({ A: "1", B: "2" });
  });

  it("throws one error naming every missing or empty variable", () => {
    expect(() => readEnv(["A", "B", "C"], { B: "x", C: "" })).toThrow(
      new ConfigError("missing required environment variable(s): A, C"),
    );
  });
});

describe("typed variables", () => {
  it("reads booleans spelled true/false and rejects anything else, naming the variable", () => {
    expect(booleanEnv("RAW", { RAW: "true" })).toBe(true);
    expect(booleanEnv("RAW", { RAW: "false" })).toBe(false);
    expect(() => booleanEnv("RAW", { RAW: "yes" })).toThrow(/RAW must be "true" or "false", got "yes"/);
    expect(() => booleanEnv("RAW", {})).toThrow(/RAW/);
  });

  it("reads optional and enumerated variables", () => {
    expect(optionalEnv("X", { X: "" })).toBeUndefined();
    expect(optionalEnv("X", { X: "v" })).toBe("v");
    expect(oneOfEnv("MODE", ["a", "b"], { MODE: "b" })).toBe("b");
    expect(() => oneOfEnv("MODE", ["a", "b"], { MODE: "c" })).toThrow(/MODE must be one of a, b, got "c"/);
  });

  it("reads comma-separated lists, refusing one that lists nothing", () => {
    expect(listEnv("TYPES", { TYPES: " a, b ,,c " })).toEqual(["a", "b", "c"]);
    expect(() => listEnv("TYPES", { TYPES: " , " })).toThrow(/TYPES must list at least one value/);
    expect(() => listEnv("TYPES", {})).toThrow(ConfigError);
  });
});
