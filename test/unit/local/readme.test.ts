import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtInServices, registryOf } from "../../../tools/local/services/index.ts";

const readme = readFileSync(
  join(import.meta.dirname, "..", "..", "..", "tools", "local", "README.md"),
  "utf8",
);
const registry = registryOf(builtInServices().services);

describe("tools/local/README.md parity table", () => {
  it("lists every resource type the built-in services emulate, and every documented no-op", () => {
    const rows = registry.parity();
    expect(rows.filter((r) => r.emulated).length).toBeGreaterThan(0);
    const missing = rows
      .map((r) => r.type)
      .filter((type) => {
        const name = type.split("::")[2];
        return !readme.includes(`\`${type}\``) && !readme.includes(`\`${name}\``);
      });
    expect(missing).toEqual([]);
  });

  it("states every semantic gap", () => {
    for (const gap of registry.gaps()) {
      const words = gap
        .split(/[\s:;,()]+/)
        .filter((w) => w.length > 6)
        .slice(0, 3);
      for (const word of words) expect(readme).toContain(word);
    }
  });
});
