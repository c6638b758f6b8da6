// Adds package-lock entries for optional platform packages that the npm registry mirror of the
// build machine does not serve (Biome's non-Linux CLIs). npm then omits them from the lock, and
// `npm ci` rejects that lock as out of sync (npm/cli#9846). The entries carry only name, version
// and platform constraints, so npm skips them on non-matching platforms and, where they match,
// fetches them from the registry by version. Run after `npm install` changes the lock:
//   node .ci/complete-lockfile.mjs
import { readFileSync, writeFileSync } from "node:fs";

const PLATFORMS = {
  "@biomejs/cli-win32-x64": { os: ["win32"], cpu: ["x64"] },
  "@biomejs/cli-win32-arm64": { os: ["win32"], cpu: ["arm64"] },
  "@biomejs/cli-darwin-x64": { os: ["darwin"], cpu: ["x64"] },
  "@biomejs/cli-darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "@biomejs/cli-linux-x64-musl": { os: ["linux"], cpu: ["x64"], libc: ["musl"] },
  "@biomejs/cli-linux-arm64-musl": { os: ["linux"], cpu: ["arm64"], libc: ["musl"] },
  "@biomejs/cli-android-x64": { os: ["android"], cpu: ["x64"] },
  "@biomejs/cli-android-arm64": { os: ["android"], cpu: ["arm64"] },
};

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const biome = lock.packages["node_modules/@biomejs/biome"];
let added = 0;
for (const [name, platform] of Object.entries(PLATFORMS)) {
  const key = `node_modules/${name}`;
  const version = biome?.optionalDependencies?.[name];
  if (!version || lock.packages[key]) continue;
  lock.packages[key] = {
    version,
    ...platform,
    dev: true,
    license: "MIT OR Apache-2.0",
    optional: true,
    engines: { node: ">=14.21.3" },
  };
  added++;
}
writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional platform entries`);
