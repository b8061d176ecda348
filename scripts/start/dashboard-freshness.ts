import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const DASHBOARD = fileURLToPath(new URL("../../dashboard", import.meta.url));
/** What the build reads: a change to any of these makes the built dashboard stale. */
const SOURCES = [
  "src",
  "build",
  "index.html",
  "vite.config.ts",
  "package.json",
  "../shared-model/src",
].map((path) => join(DASHBOARD, path));

/** True when `dist` is missing or older than a file the dashboard is built from. */
export async function dashboardIsStale(dist: string): Promise<boolean> {
  const built = await stat(join(dist, "index.html")).catch(() => undefined);
  if (built === undefined) return true;
  for (const source of SOURCES) {
    if ((await newestChange(source)) > built.mtimeMs) return true;
  }
  return false;
}

async function newestChange(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) {
    newest = Math.max(newest, await newestChange(join(path, entry)));
  }
  return newest;
}
