/**
 * `npm run bench`: runs every `bench/*.bench.ts` in its own fresh Node process, one after another,
 * so a benchmark's warm-up, memory and JIT state never leak into the next one.
 * Pass names to run a subset: `npm run bench -- kafka cost`.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mainThreadNodeFlags } from "../tools/local/worker-heap.ts";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(", ") || "bench/*.bench.ts"}`);
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  // The same main-thread young generation as the npm scripts that run the local cloud.
  const result = spawnSync(
    process.execPath,
    [...mainThreadNodeFlags(), "--import", "tsx", join(here, file)],
    {
      stdio: "inherit",
    },
  );
  if (result.status !== 0) {
    failed++;
    console.error(`!!! ${file} exited with ${result.status ?? result.signal}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
