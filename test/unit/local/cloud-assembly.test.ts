import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  ensureSynthesized,
  loadAssembly,
  recordSynthesis,
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
    expect(staleReason("S", cdkOut, root)).toMatch(/did not synthesize this template/);
    recordSynthesis("S", cdkOut, root);
    expect(staleReason("S", cdkOut, root)).toBeUndefined();
    await expect(ensureSynthesized({ stack: "S", cdkOut, mode: "auto", root })).resolves.toEqual({
      synthesized: false,
      reason: "up to date",
    });
    writeFileSync(join(root, "stacks", "app.ts"), "// v2");
    expect(staleReason("S", cdkOut, root)).toBe("sources changed since the last synth");
    writeFileSync(join(root, "stacks", "app.ts"), "// v1");
    expect(staleReason("S", cdkOut, root)).toBeUndefined();
  });

  it("detects a template or asset it did not synthesize, with unchanged sources", () => {
    const out = join(root, "cdk.out.detect");
    mkdirSync(join(out, "asset.abc"), { recursive: true });
    const template = { Resources: { F: { Type: "AWS::Lambda::Function", Properties: { Environment: {} } } } };
    writeFileSync(join(out, "S.template.json"), JSON.stringify(template));
    writeFileSync(
      join(out, "S.assets.json"),
      JSON.stringify({
        files: {
          abc: {
            source: { path: "asset.abc", packaging: "zip" },
            destinations: { d: { objectKey: "abc.zip" } },
          },
          tpl: {
            source: { path: "S.template.json", packaging: "file" },
            destinations: { d: { objectKey: "t.json" } },
          },
        },
      }),
    );
    writeFileSync(join(out, "asset.abc", "index.mjs"), "export const handler = () => {};");
    recordSynthesis("S", out, root);
    expect(staleReason("S", out, root)).toBeUndefined();
    const afterSomeoneElse = /changed since the local cloud synthesized them/;
    // A deploy with faults into the same directory: the same sources, another template.
    const faulty = {
      Resources: {
        F: {
          Type: "AWS::Lambda::Function",
          Properties: { Environment: { Variables: { FAULT_INJECTION: "transient=0.05" } } },
        },
      },
    };
    writeFileSync(join(out, "S.template.json"), JSON.stringify(faulty));
    expect(staleReason("S", out, root)).toMatch(afterSomeoneElse);
    writeFileSync(join(out, "S.template.json"), JSON.stringify(template));
    expect(staleReason("S", out, root)).toBeUndefined();
    // A bootstrap synthesizes without bundling: the asset directory is gone.
    rmSync(join(out, "asset.abc"), { recursive: true });
    expect(staleReason("S", out, root)).toMatch(afterSomeoneElse);
    mkdirSync(join(out, "asset.abc"));
    writeFileSync(join(out, "asset.abc", "index.mjs"), "export const handler = () => 1;");
    expect(staleReason("S", out, root)).toMatch(afterSomeoneElse);
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
