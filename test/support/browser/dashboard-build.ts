import { fileURLToPath } from "node:url";
import { buildDashboard as build } from "../../../dashboard/build/build-dashboard.js";

/** Where the browser tests' build of the dashboard goes (git-ignored). */
export const TEST_BUILD_DIR = fileURLToPath(new URL("../../.dashboard-build", import.meta.url));

/** Builds the dashboard for the browser tests, into {@link TEST_BUILD_DIR}. */
export function buildDashboard(outDir = TEST_BUILD_DIR): Promise<string> {
  return build(outDir);
}
