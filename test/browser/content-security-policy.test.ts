/**
 * The real dashboard, built as in production and served by a real relay, runs
 * in Chromium under the relay's Content-Security-Policy without a single violation, through the
 * fleet page, a device page with its uPlot charts, and a reload through the service worker. The
 * policy does block what an injected script would try (inline scripts and styles), and no other
 * site can frame the dashboard.
 */

import { type OutpostSystem, startOutpostSystem } from "@outpost/test-support";
import {
  type BrowserProfile,
  buildDashboard,
  launchProfile,
  openDevice,
  signIn,
  untilServiceWorkerControls,
} from "@outpost/test-support/browser";
import type { ConsoleMessage, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** A `securitypolicyviolation` event, as the page saw it. */
interface Violation {
  directive: string;
  blocked: string;
  sample: string;
  source: string;
}

declare global {
  interface Window {
    __cspViolations?: Violation[];
  }
}

let system: OutpostSystem;
let profile: BrowserProfile;

beforeAll(async () => {
  system = await startOutpostSystem(await buildDashboard());
  profile = await launchProfile();
  // Before any page script runs, on every page of the profile (CDP's init scripts are not
  // subject to the page's policy).
  await profile.context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__cspViolations?.push({
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        sample: event.sample,
        source: `${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`,
      });
    });
  });
}, 180_000);

afterAll(async () => {
  await profile?.close();
  await system?.stop();
});

/** Console lines in which Chromium reports a refused resource or script. */
function collectCspConsoleErrors(page: Page): string[] {
  const lines: string[] = [];
  page.on("console", (message: ConsoleMessage) => {
    const text = message.text();
    // The eval probes (see isEvalProbe) fail inside a try, and Chromium logs nothing for them.
    if (/Content Security Policy|Refused to/i.test(text)) lines.push(text);
  });
  return lines;
}

/**
 * Two libraries probe whether eval works (`try { Function("") } catch { … }`) and, refused, take
 * their interpreted path: cbor-x (automerge-repo's wire codec, at load) and zod 4 (shared-model's
 * validation, before compiling a schema). Keeping eval refused is the point of the policy; those
 * refusals are the probes answered as intended, and everything they guard is checked working here.
 */
const isEvalProbe = (violation: Violation) =>
  violation.directive === "script-src" && violation.blocked === "eval";

/** Violations the page saw, without the eval probes. */
const violations = async (page: Page) =>
  (await page.evaluate(() => window.__cspViolations ?? [])).filter(
    (violation) => !isEvalProbe(violation),
  );

describe("the dashboard under the relay's Content-Security-Policy", () => {
  it("renders the fleet, a device and its charts, and reloads offline-ready, with no violation", async () => {
    const page = await profile.context.newPage();
    const consoleErrors = collectCspConsoleErrors(page);
    const first = await page.goto(system.relayUrl);
    expect(first?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");

    await signIn(page, system.relayUrl, system.tokens.alice);
    await page.locator(`tr[data-device="${system.deviceId}"]`).waitFor({ timeout: 30_000 });
    await openDevice(page, system.deviceId);
    await page.getByRole("heading", { name: "Telemetry" }).waitFor();
    await page.locator('[data-metric="cpu"][data-drawn]').waitFor({ timeout: 30_000 });
    expect(await violations(page)).toEqual([]);

    // Again with the service worker between the page and the relay.
    await untilServiceWorkerControls(page);
    await page.reload();
    await page.getByRole("heading", { name: "Commands" }).waitFor({ timeout: 30_000 });
    await page.locator('[data-metric="cpu"][data-drawn]').waitFor({ timeout: 30_000 });
    expect(await violations(page)).toEqual([]);
    expect(consoleErrors).toEqual([]);

    // The collector works, and the policy stops what injected markup would try.
    await page.evaluate(() => {
      const host = document.createElement("div");
      host.innerHTML = '<p style="color: red">styled</p>';
      document.body.append(host);
      const script = document.createElement("script");
      script.textContent = "window.__injected = true";
      document.body.append(script);
    });
    await expect
      .poll(async () => (await violations(page)).map((violation) => violation.directive).sort())
      .toEqual(["script-src-elem", "style-src-attr"]);
    expect(await page.evaluate(() => (window as { __injected?: boolean }).__injected)).toBe(
      undefined,
    );
    await page.close();
  }, 180_000);

  it("cannot be framed by another page", async () => {
    const page = await profile.context.newPage();
    const consoleErrors = collectCspConsoleErrors(page);
    await page.setContent(`<iframe src="${system.relayUrl}/"></iframe>`);
    await expect
      .poll(() => consoleErrors.join("\n"), { timeout: 20_000 })
      .toContain("frame-ancestors 'none'");
    const framed = page.frames().find((frame) => frame !== page.mainFrame());
    expect(await framed?.locator("#app").count()).toBe(0);
    await page.close();
  }, 60_000);
});
