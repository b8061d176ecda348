/**
 * Root Vite configuration: the Vitest projects for every package. The dashboard's own build
 * (`npm run build -w dashboard`) is in `dashboard/vite.config.ts`; its test project extends it.
 */
import { defineConfig } from "vitest/config";

const nodePackages = ["shared-model", "agent", "relay", "test", "bench"] as const;

export default defineConfig({
  test: {
    reporters: ["default", "./test/support/summary-reporter.ts"],
    projects: [
      ...nodePackages.map((name) => ({
        test: {
          name,
          root: `./${name}`,
          include: ["**/*.test.ts"],
          exclude: ["**/node_modules/**", "**/dist/**"],
          environment: "node" as const,
          testTimeout: 30_000,
        },
      })),
      {
        extends: "./dashboard/vite.config.ts",
        test: {
          name: "dashboard",
          root: "./dashboard",
          include: ["src/**/*.test.{ts,tsx}"],
          environment: "jsdom",
          setupFiles: ["./src/testing/setup.ts"],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
