/**
 * Root Vite configuration: the Vitest projects for every package. The dashboard's build settings
 * join here with the dashboard issue.
 */
import { defineConfig } from "vitest/config";

const nodePackages = ["shared-model", "agent", "relay", "test", "bench"] as const;

export default defineConfig({
  test: {
    reporters: ["default", "./test/support/summary-reporter.ts"],
    projects: nodePackages.map((name) => ({
      test: {
        name,
        root: `./${name}`,
        include: ["**/*.test.ts"],
        exclude: ["**/node_modules/**", "**/dist/**"],
        environment: "node",
        testTimeout: 30_000,
      },
    })),
  },
});
