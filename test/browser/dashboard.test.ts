/**
 * The dashboard in Debian's Chromium against a real relay and a real agent on loopback
 * (issue 6): sign in, see the device, open it, its CPU chart draws.
 */
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserProfile, launchProfile } from "../support/browser.js";
import { buildDashboard } from "../support/dashboard-build.js";
import { type OutpostSystem, startOutpostSystem } from "../support/outpost-system.js";

const ARTIFACTS = fileURLToPath(new URL("../artifacts", import.meta.url));

let system: OutpostSystem;
let alice: BrowserProfile;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  system = await startOutpostSystem(await buildDashboard());
  alice = await launchProfile();
}, 180_000);

afterAll(async () => {
  await alice?.close();
  await system?.stop();
});

/** Opens the one-click sign-in link, as `npm start` prints it. */
async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${system.relayUrl}/?token=${token}`);
  await page.getByRole("heading", { name: "Fleet" }).waitFor({ timeout: 30_000 });
}

/** Non-blank pixels in a chart's canvas: a drawn line, not just a cleared surface. */
function inkedPixels(page: Page, metric: string): Promise<number> {
  return page.evaluate((name) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`[data-metric="${name}"] canvas`);
    const context = canvas?.getContext("2d");
    if (!canvas || !context) return 0;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) {
      // The series stroke is blue; axes and grid are grey.
      const [r, b, a] = [data[i] ?? 0, data[i + 2] ?? 0, data[i + 3] ?? 0];
      if (a > 0 && b > 150 && r < 120) inked += 1;
    }
    return inked;
  }, metric);
}

describe("the dashboard", () => {
  it("signs in, lists the agent's device, opens it, and draws its CPU chart", async () => {
    const page = await alice.context.newPage();
    await signIn(page, system.tokens.alice);
    const row = page.locator(`tr[data-device="${system.deviceId}"]`);
    await row.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => row.locator("td.col-online").textContent(), { timeout: 40_000 })
      .toBe("online");
    await page.screenshot({ path: `${ARTIFACTS}/fleet.png`, fullPage: true });

    await row.getByRole("link").click();
    await page.getByRole("heading", { name: "Telemetry" }).waitFor();
    await page.locator('[data-metric="cpu"][data-drawn]').waitFor({ timeout: 30_000 });
    expect(await inkedPixels(page, "cpu")).toBeGreaterThan(20);
    await page.screenshot({ path: `${ARTIFACTS}/device.png`, fullPage: true });
    await page.close();
  }, 120_000);
});
