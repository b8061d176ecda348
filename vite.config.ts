/**
 * Root Vite configuration: the Vitest projects for every package. The dashboard's own build
 * (`npm run build -w dashboard`) is in `dashboard/vite.config.ts`; its test project extends it.
 */
import { defineConfig } from "vitest/config";

const nodePackages = ["shared-model", "agent", "relay", "test", "bench", "scripts"] as const;
/** Tests that drive Chromium against a whole running system (test/browser, test/e2e). */
const BROWSER_TESTS = ["browser/**/*.test.ts", "e2e/**/*.test.ts"];

export default defineConfig({
  test: {
    reporters: ["default", "./test/support/summary-reporter.ts"],
    projects: [
      ...nodePackages.map((name) => ({
        test: {
          name,
          root: `./${name}`,
          include: ["**/*.test.ts"],
          exclude: ["**/node_modules/**", "**/dist/**", ...(name === "test" ? BROWSER_TESTS : [])],
          environment: "node" as const,
          // A budget against hangs, not a measure: relays, agents and Chromium from source share
          // two cores with whatever else CI runs, and a test that takes 10 s here may take 40.
          testTimeout: 60_000,
        },
      })),
      {
        test: {
          name: "browser",
          root: "./test",
          include: BROWSER_TESTS,
          environment: "node",
          testTimeout: 60_000,
          // After every other project, one file at a time: a relay, an agent and Chromium on a
          // machine that the rest of the suite is not also loading (the agent's load gate
          // watches the whole machine).
          sequence: { groupOrder: 1 },
          fileParallelism: false,
        },
      },
      {
        extends: "./dashboard/vite.config.ts",
        test: {
          name: "dashboard",
          root: "./dashboard",
          include: ["src/**/*.test.{ts,tsx}"],
          environment: "jsdom",
          setupFiles: ["./src/testing/setup.ts"],
          testTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
    ],
  },
});
