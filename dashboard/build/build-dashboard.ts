import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "vite";

/** Where the relay serves the dashboard from by default (`npm run build -w dashboard`). */
export const DASHBOARD_DIST = fileURLToPath(new URL("../dist", import.meta.url));
const CONFIG = fileURLToPath(new URL("../vite.config.ts", import.meta.url));

/**
 * Builds the dashboard as the relay serves it in production, into `outDir`. Vitest runs with
 * NODE_ENV=test, under which Vite builds a development bundle (no service worker, Solid's dev
 * build): the build runs with NODE_ENV=production, as `npm run build -w dashboard` does.
 */
export async function buildDashboard(outDir = DASHBOARD_DIST): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      configFile: CONFIG,
      mode: "production",
      logLevel: "warn",
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return outDir;
}
