import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "vite";

/** Where the browser tests' build of the dashboard goes (git-ignored). */
export const TEST_BUILD_DIR = fileURLToPath(new URL("../.dashboard-build", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../dashboard/vite.config.ts", import.meta.url));

/** Builds the dashboard as the relay serves it in production, into {@link TEST_BUILD_DIR}. */
export async function buildDashboard(outDir = TEST_BUILD_DIR): Promise<string> {
  await mkdir(outDir, { recursive: true });
  await build({
    configFile: CONFIG,
    logLevel: "warn",
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  return outDir;
}
