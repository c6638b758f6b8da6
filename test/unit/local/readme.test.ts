import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NOT_EMULATED, SEMANTIC_GAPS } from "../../../tools/local/parity.ts";

const readme = readFileSync(
  join(import.meta.dirname, "..", "..", "..", "tools", "local", "README.md"),
  "utf8",
);

describe("tools/local/README.md parity table", () => {
  it("lists every resource type the embedded cloud accepts as a no-op", () => {
    const missing = NOT_EMULATED.map((e) => e.type).filter((type) => {
      const name = type.split("::")[2];
      return !readme.includes(type) && !readme.includes(`\`${name}\``);
    });
    expect(missing).toEqual([]);
  });

  it("states every semantic gap", () => {
    for (const gap of SEMANTIC_GAPS) {
      const words = gap
        .split(/[\s:;,()]+/)
        .filter((w) => w.length > 6)
        .slice(0, 3);
      for (const word of words) expect(readme).toContain(word);
    }
  });
});
