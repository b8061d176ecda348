import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Debian's Chromium, which `.ci/run` installs (no browser download, ever). */
export const CHROMIUM = process.env.OUTPOST_CHROMIUM ?? "/usr/bin/chromium";

/** The flags this machine needs: no sandbox as root, and no background calls to the internet. */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A browser profile of its own: one admin's browser, with its own IndexedDB and service worker. */
export interface BrowserProfile {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Starts Chromium on a fresh profile folder (a persistent context, so the service worker and
 * IndexedDB behave as in a real browser that is closed and reopened). `bypassCSP` ignores the
 * relay's Content-Security-Policy, for a test that must see whether injected script would run
 * without it.
 */
export async function launchProfile(
  options: { downloads?: string; bypassCSP?: boolean } = {},
): Promise<BrowserProfile> {
  const profile = await mkdtemp(join(tmpdir(), "outpost-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: FLAGS,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1366, height: 900 },
    bypassCSP: options.bypassCSP ?? false,
    ...(options.downloads ? { downloadsPath: options.downloads } : {}),
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
