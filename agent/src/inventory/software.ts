import { readFile } from "node:fs/promises";
import type { Inventory } from "@outpost/shared-model";

/** How many packages the inventory names; the count covers all of them. */
export const SOFTWARE_SAMPLE_SIZE = 25;

/** Where package managers keep their database, read without spawning anything. */
export interface SoftwareSources {
  /** Debian and Ubuntu's `/var/lib/dpkg/status`. */
  dpkgStatus: string;
}

/** The real locations. */
export const SYSTEM_SOFTWARE_SOURCES: SoftwareSources = { dpkgStatus: "/var/lib/dpkg/status" };

/**
 * The installed-software summary "where cheap": on Debian-like systems the package database is one
 * text file, so the agent counts installed packages and names the first few alphabetically. Where
 * no such file exists (other platforms for now) the summary is empty rather than a slow scan.
 */
export async function summarizeSoftware(
  sources: SoftwareSources = SYSTEM_SOFTWARE_SOURCES,
): Promise<Inventory["software"]> {
  let status: string;
  try {
    status = await readFile(sources.dpkgStatus, "utf8");
  } catch {
    return { count: 0, sample: [] };
  }
  const installed = parseDpkgStatus(status).sort((a, b) => (a.name < b.name ? -1 : 1));
  return { count: installed.length, sample: installed.slice(0, SOFTWARE_SAMPLE_SIZE) };
}

/** Installed packages in a dpkg status file (stanzas with `Status: install ok installed`). */
export function parseDpkgStatus(status: string): { name: string; version: string }[] {
  const packages: { name: string; version: string }[] = [];
  for (const stanza of status.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, "m").exec(stanza)?.[1]?.trim();
    const name = field("Package");
    const version = field("Version");
    if (name && version && field("Status")?.endsWith(" installed"))
      packages.push({ name, version });
  }
  return packages;
}
