import { defineConfig } from "vitest/config";

/**
 * Three projects, run together by `npm test`:
 * - unit: handlers and pure libraries (fast, no network);
 * - infra: CDK `Template` assertions and cdk-nag packs (synth in memory, esbuild bundling);
 * - local: patterns and tools end to end on the embedded local cloud and local brokers.
 */
export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 20_000 } },
      {
        test: {
          name: "infra",
          include: ["test/infra/**/*.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "local",
          include: ["test/local/**/*.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
