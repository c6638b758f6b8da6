import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  ensureSynthesized,
  loadAssembly,
  sourceHash,
  staleReason,
} from "../../../tools/local/cloud-assembly.ts";

const root = mkdtempSync(join(tmpdir(), "local-assembly-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, "stacks"));
writeFileSync(join(root, "stacks", "app.ts"), "// v1");
writeFileSync(join(root, "package-lock.json"), "{}");
const cdkOut = join(root, "cdk.out");
mkdirSync(cdkOut);

describe("cloud assembly freshness", () => {
  it("is stale without a template, without a recorded hash, and after a source change", async () => {
    expect(staleReason("S", cdkOut, root)).toMatch(/no S.template.json/);
    writeFileSync(join(cdkOut, "S.template.json"), JSON.stringify({ Resources: {} }));
    expect(staleReason("S", cdkOut, root)).toMatch(/no source hash/);
    writeFileSync(join(cdkOut, "S.local-source-hash"), sourceHash(root));
    expect(staleReason("S", cdkOut, root)).toBeUndefined();
    await expect(ensureSynthesized({ stack: "S", cdkOut, mode: "auto", root })).resolves.toEqual({
      synthesized: false,
      reason: "up to date",
    });
    writeFileSync(join(root, "stacks", "app.ts"), "// v2");
    expect(staleReason("S", cdkOut, root)).toBe("sources changed since the last synth");
  });

  it("never synthesizes in `never` mode and names the missing stack", async () => {
    await expect(ensureSynthesized({ stack: "Nope", cdkOut, mode: "never", root })).rejects.toThrow(
      /no Nope.template.json/,
    );
    expect(() => loadAssembly(cdkOut, "Nope")).toThrow(/stack Nope is not in .* \(found: S\)/);
  });

  it("maps asset object keys to directories from the assets manifest", () => {
    writeFileSync(
      join(cdkOut, "S.assets.json"),
      JSON.stringify({
        files: {
          abc: {
            source: { path: "asset.abc", packaging: "zip" },
            destinations: { d: { objectKey: "abc.zip" } },
          },
        },
      }),
    );
    expect(loadAssembly(cdkOut, "S").assets.get("abc.zip")).toBe("asset.abc");
  });
});
