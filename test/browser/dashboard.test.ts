/**
 * The dashboard in Debian's Chromium against a real relay and a real agent on loopback
 * (issue 6). One system for the whole file, the tests in order: sign in and see the device and
 * its chart; work offline across a reload; two admins offline at once; exports.
 */
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { CommandId } from "@outpost/shared-model";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserProfile, launchProfile } from "../support/browser.js";
import { buildDashboard } from "../support/dashboard-build.js";
import {
  commandItem,
  commandStatus,
  connectionLabel,
  enqueueFromDevicePage,
  networkBack,
  openDevice,
  pendingLabel,
  signIn as signInAt,
  untilServiceWorkerControls,
} from "../support/dashboard-page.js";
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

const signIn = (page: Page, token: string) => signInAt(page, system.relayUrl, token);

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

  it("works offline: enqueues and edits, reopens from the service worker, and syncs on reconnect", async () => {
    const page = await alice.context.newPage();
    await signIn(page, system.tokens.alice);
    await untilServiceWorkerControls(page);
    await openDevice(page, system.deviceId);

    await system.stopRelay();
    await expect.poll(() => connectionLabel(page), { timeout: 20_000 }).toBe("Offline");
    const commandId = await enqueueFromDevicePage(page, "Collect inventory");
    await page.locator("#asset-assignee").fill("dana");
    await page.locator("#asset-assignee").press("Tab");
    // "saving…" until the edit is in IndexedDB, then counted as not yet on the relay.
    await expect.poll(() => pendingLabel(page)).toBe("1 not on relay");
    expect(await page.locator("#asset-assignee").inputValue()).toBe("dana");
    expect(await page.getByTestId("doc-sync-state").textContent()).toBe(
      "changes only in this browser",
    );

    // The relay, which serves the app, is down: the service worker opens it.
    await page.reload();
    await page.getByRole("heading", { name: "Commands" }).waitFor({ timeout: 30_000 });
    expect(await connectionLabel(page)).not.toMatch(/Online|Syncing/);
    expect(await commandStatus(page, commandId)).toBe("pending");
    expect(await page.locator("#asset-assignee").inputValue()).toBe("dana");
    expect(await pendingLabel(page)).toBe("1 not on relay");
    await page.screenshot({ path: `${ARTIFACTS}/device-offline.png`, fullPage: true });

    await system.startRelay();
    await networkBack(page);
    await expect.poll(() => connectionLabel(page), { timeout: 30_000 }).toMatch(/Online|Syncing/);
    // The agent, reconnecting on its own backoff, runs it; the relay stores the admin's edits.
    await expect
      .poll(() => commandStatus(page, commandId), { timeout: 90_000 })
      .toBe("succeeded")
      .catch(async (error: Error) => {
        const log = (system.agent()?.lines ?? []).map((line) => line.msg).slice(-30);
        const device = await system.deviceHandle();
        const seen = JSON.stringify(device.doc().commands[commandId as CommandId] ?? "not there");
        throw new Error(
          `${error.message}\npending: ${await pendingLabel(page)}; relay-side: ${seen}; agent log:\n${log.join("\n")}`,
        );
      });
    await expect.poll(() => pendingLabel(page), { timeout: 30_000 }).toBe("all stored");
    await commandItem(page, commandId).getByRole("button", { name: "inventory.collect" }).click();
    expect(await commandItem(page, commandId).locator("ol.events").textContent()).toContain(
      "succeeded",
    );
    await page.close();
  }, 240_000);
});
