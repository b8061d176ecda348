/**
 * The dashboard in Debian's Chromium against a real relay and a real agent on loopback
 * One system for the whole file, the tests in order: sign in and see the device and
 * its chart; work offline across a reload; two admins offline at once; exports.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import {
  type AuditEntry,
  type CommandId,
  type DeviceDoc,
  fold,
  liveCommands,
  readRange,
  type TelemetryDayDoc,
  type TelemetryRange,
  toPlain,
} from "@outpost/shared-model";
import { readReplica } from "@outpost/shared-model/storage";
import { type OutpostSystem, startOutpostSystem } from "@outpost/test-support";
import {
  type BrowserProfile,
  buildDashboard,
  commandItem,
  commandStatus,
  connectionLabel,
  enqueueFromDevicePage,
  launchProfile,
  localDateTime,
  networkBack,
  openDevice,
  pendingLabel,
  signIn as signInAt,
  untilServiceWorkerControls,
} from "@outpost/test-support/browser";
import Papa from "papaparse";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ARTIFACTS = fileURLToPath(new URL("../artifacts", import.meta.url));
/**
 * How long a check waits for the page to show what it should (an IndexedDB save or load, a
 * render). Generous: Chromium, a relay and an agent on a loaded 2-core machine can take seconds
 * over what takes milliseconds on a laptop, and only a failing check waits this long.
 */
const UNTIL_SHOWN = { timeout: 30_000 };

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

    // At tablet width the table keeps its essential columns.
    await page.setViewportSize({ width: 820, height: 1180 });
    expect(await page.locator("th.optional").first().isVisible()).toBe(false);
    expect(await page.getByRole("button", { name: "Pending" }).isVisible()).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/fleet-tablet.png` });
    await page.setViewportSize({ width: 1366, height: 900 });

    // Keyboard: a row takes focus, Enter opens the device.
    await row.locator("td.col-health").click();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Telemetry" }).waitFor();
    await page.locator('[data-metric="cpu"][data-drawn]').waitFor({ timeout: 30_000 });
    // The chart is live: a line too short to count yet grows with the agent's next samples.
    await expect.poll(() => inkedPixels(page, "cpu"), UNTIL_SHOWN).toBeGreaterThan(20);
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
    await expect.poll(() => pendingLabel(page), UNTIL_SHOWN).toBe("1 not on relay");
    expect(await page.locator("#asset-assignee").inputValue()).toBe("dana");
    await expect
      .poll(() => page.getByTestId("doc-sync-state").textContent(), UNTIL_SHOWN)
      .toBe("changes only in this browser");

    // The relay, which serves the app, is down: the service worker opens it.
    await page.reload();
    await page.getByRole("heading", { name: "Commands" }).waitFor({ timeout: 30_000 });
    expect(await connectionLabel(page)).not.toMatch(/Online|Syncing/);
    // The heading is there before everything is read back from IndexedDB.
    await expect.poll(() => commandStatus(page, commandId), UNTIL_SHOWN).toBe("pending");
    await expect.poll(() => page.locator("#asset-assignee").inputValue(), UNTIL_SHOWN).toBe("dana");
    await expect.poll(() => pendingLabel(page), UNTIL_SHOWN).toBe("1 not on relay");
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
    await expect
      .poll(() => commandItem(page, commandId).locator("ol.events").textContent(), UNTIL_SHOWN)
      .toContain("succeeded");
    await page.close();
  }, 240_000);

  it("two admins offline cancel and reprioritize the same command; both then agree and see the conflict", async () => {
    const bob = await launchProfile();
    try {
      const alicePage = await alice.context.newPage();
      await signIn(alicePage, system.tokens.alice);
      await openDevice(alicePage, system.deviceId);
      const bobPage = await bob.context.newPage();
      await signIn(bobPage, system.tokens.bob);
      await openDevice(bobPage, system.deviceId);
      // Held until tomorrow, so it is still waiting when the cancel arrives.
      const commandId = await enqueueFromDevicePage(alicePage, "Collect inventory", {
        notBefore: localDateTime(Date.now() + 86_400_000),
      });
      await commandItem(bobPage, commandId).waitFor({ timeout: 30_000 });

      await system.stopRelay();
      await expect.poll(() => connectionLabel(alicePage), { timeout: 20_000 }).toBe("Offline");
      await expect.poll(() => connectionLabel(bobPage), { timeout: 20_000 }).toBe("Offline");
      const priorityOf = (page: Page) => commandItem(page, commandId).getByLabel(/^Priority of /);
      await priorityOf(alicePage).selectOption("8");
      await commandItem(alicePage, commandId).getByRole("button", { name: "Cancel" }).click();
      await priorityOf(bobPage).selectOption("2");

      await system.startRelay();
      await networkBack(alicePage);
      await networkBack(bobPage);
      for (const page of [alicePage, bobPage]) {
        await expect
          .poll(() => commandStatus(page, commandId), { timeout: 60_000 })
          .toBe("cancelled");
        await commandItem(page, commandId)
          .getByTestId("priority-conflict")
          .waitFor({ timeout: 30_000 });
      }
      const seen = async (page: Page) => ({
        status: await commandStatus(page, commandId),
        priority: await priorityOf(page).inputValue(),
        conflict: await commandItem(page, commandId).getByTestId("priority-conflict").textContent(),
      });
      const aliceSees = await seen(alicePage);
      expect(aliceSees).toEqual(await seen(bobPage));
      expect(aliceSees.conflict).toContain("admin:alice to 8");
      expect(aliceSees.conflict).toContain("admin:bob to 2");
      await alicePage.screenshot({ path: `${ARTIFACTS}/conflict.png`, fullPage: true });
      await alicePage.close();
    } finally {
      await bob.close();
    }
  }, 240_000);

  it("exports telemetry, commands, audit trail and fleet as CSV (and JSON) that match the documents", async () => {
    // A still device, so the documents and the exports describe the same moment. Once the agent
    // has stopped, what the relay holds is final (nothing else writes the device's telemetry or
    // command facts), and a stopped relay has all of it on disk, where it is read exactly.
    await system.stopAgent();
    const deviceDocUrl = (await system.deviceHandle()).url;
    await system.stopRelay();
    const final = await documentsOnRelayDisk(system.relayData, deviceDocUrl);
    await system.startRelay();
    const everySample = final.samples;

    const page = await alice.context.newPage();
    await signIn(page, system.tokens.alice);
    await openDevice(page, system.deviceId);
    // This browser's replica starts from what IndexedDB kept of earlier visits and catches up
    // with the relay from there. The audit trail reads its day documents once, when it is
    // shown, so it is shown again until it holds the final trail; the telemetry and the
    // commands follow the documents as they arrive.
    await expect
      .poll(() => auditShownAfresh(page, system.deviceId), { timeout: 60_000 })
      .toEqual(final.auditDetails);
    await expect
      .poll(() => telemetryAndCommandsShown(page), { timeout: 60_000 })
      .toEqual({
        samples: everySample.t.length,
        everyDayHere: true,
        commandStates: final.commandStates,
      });

    const telemetry = await downloadCsv(page, "Export telemetry CSV");
    expect(telemetry.header.slice(0, 3)).toEqual(["device", "time (UTC)", "unix (s)"]);
    expect(telemetry.header).toContain("cpu (%)");
    expect(telemetry.header).toContain("memory (MiB)");
    expect(telemetry.rows.map((row) => Number(row[2]))).toEqual(Array.from(everySample.t));
    const cpuColumn = telemetry.header.indexOf("cpu (%)");
    expect(
      telemetry.rows.map((row) => (row[cpuColumn] === "" ? null : Number(row[cpuColumn]))),
    ).toEqual(
      Array.from(everySample.series.cpu ?? [], (value) => (Number.isNaN(value) ? null : value)),
    );
    const telemetryJson = await downloadJson(page, "Export telemetry", "JSON");
    expect(telemetryJson.rowCount).toBe(everySample.t.length);
    expect(telemetryJson.units).toMatchObject({ cpu: "%", memory: "MiB" });

    const commands = await downloadCsv(page, "Export commands CSV");
    expect(commands.rows.map((row) => [row[1], row[7]]).sort()).toEqual(final.commandStates);

    const audit = await downloadCsv(page, "Export audit CSV");
    expect(audit.header).toEqual(["device", "at (UTC)", "actor", "action", "detail"]);
    expect(audit.rows.map((row) => row[4]).sort()).toEqual(final.auditDetails);

    await page.goto(`${system.relayUrl}/#/`);
    await page.locator(`tr[data-device="${system.deviceId}"]`).waitFor();
    const fleet = await downloadCsv(page, "Export fleet CSV");
    expect(fleet.header.slice(0, 3)).toEqual(["Device", "Device ID", "Health"]);
    expect(fleet.rows).toHaveLength(1);
    expect(fleet.rows[0]?.[1]).toBe(system.deviceId);
    expect(fleet.rows[0]?.[fleet.header.indexOf("Assignee")]).toBe("dana");
    await page.close();
    await system.startAgent();
  }, 180_000);

  it("warns before signing out with changes the relay has not stored, then signs out every tab and deletes them", async () => {
    const page = await alice.context.newPage();
    await signIn(page, system.tokens.alice);
    const otherTab = await alice.context.newPage();
    await otherTab.goto(`${system.relayUrl}/#/`);
    await otherTab.getByRole("heading", { name: "Fleet" }).waitFor();
    await openDevice(page, system.deviceId);
    await system.stopRelay();
    await expect.poll(() => connectionLabel(page), { timeout: 20_000 }).toBe("Offline");
    await page.locator("#asset-notes").fill("screen cracked");
    await page.locator("#asset-notes").press("Tab");
    await expect.poll(() => pendingLabel(page), UNTIL_SHOWN).toBe("1 not on relay");
    // The fleet marks the device whose document holds the unsynced change.
    await page.evaluate(() => {
      location.hash = "#/";
    });
    await page.locator(`tr[data-device="${system.deviceId}"] .badge.local`).waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    const warning = page.getByRole("alertdialog", { name: "Sign out and lose unsynced changes?" });
    await warning.waitFor();
    expect(await warning.textContent()).toContain(
      "1 document(s) hold changes the relay has not stored",
    );
    await warning.getByRole("button", { name: "Stay signed in" }).click();
    await warning.waitFor({ state: "detached" });

    await system.startRelay();
    await networkBack(page);
    await expect.poll(() => pendingLabel(page), { timeout: 60_000 }).toBe("all stored");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Admin token").waitFor();
    await otherTab.getByLabel("Admin token").waitFor();
    expect(await page.evaluate(() => localStorage.getItem("outpost.session"))).toBeNull();
    // The other tab held the database open when the sign-out asked to delete it: it goes once
    // that tab has closed its replica, which finishes after its sign-in form shows.
    const outpostDatabases = () =>
      page.evaluate(async () =>
        (await indexedDB.databases())
          .map((database) => database.name)
          .filter((name) => name?.startsWith("outpost:")),
      );
    await expect.poll(outpostDatabases, UNTIL_SHOWN).toEqual([]);
    await otherTab.close();
    await page.close();
  }, 180_000);
});

/** What the agent's documents hold, as the export test compares them with the page. */
interface FinalDocuments {
  /** Every sample of every day document. */
  samples: TelemetryRange;
  /** Each command's ID and status, sorted. */
  commandStates: string[][];
  /** The detail of every audit entry of every day, sorted. */
  auditDetails: string[];
}

/**
 * The device document and its day documents as a stopped relay's disk holds them, read through
 * a fresh read-only store as a restarted relay would.
 */
async function documentsOnRelayDisk(
  relayData: string,
  deviceDocUrl: AutomergeUrl,
): Promise<FinalDocuments> {
  return readReplica(join(relayData, "documents"), async (repo) => {
    const device = (await repo.find<DeviceDoc>(deviceDocUrl)).doc();
    const days = await Promise.all(
      Object.values(device.telemetry).map(async (entry) =>
        (await repo.find<TelemetryDayDoc>(entry.url as AutomergeUrl)).doc(),
      ),
    );
    return {
      samples: readRange(days, 0, Date.now() + 60_000),
      commandStates: liveCommands(device.commands)
        .map(([, command]) => command)
        .map((command) => [command.spec.id, fold(command.spec, command.events).status])
        .sort(),
      auditDetails: days
        .flatMap((day) => toPlain<AuditEntry[]>(day.audit).map((e) => e.detail))
        .sort(),
    };
  });
}

/**
 * Shows the device page anew (to the fleet and back, in the same page and replica), waits for
 * its audit trail to load, and returns the detail of every entry it lists, sorted.
 */
async function auditShownAfresh(page: Page, deviceId: string): Promise<string[]> {
  await page.evaluate(() => {
    location.hash = "#/";
  });
  await page.getByRole("heading", { name: "Fleet" }).waitFor();
  await page.evaluate((id) => {
    location.hash = `#/device/${encodeURIComponent(id)}`;
  }, deviceId);
  await page.getByRole("heading", { name: "Commands" }).waitFor();
  await page.getByText("Loading the audit trail…").waitFor({ state: "detached" });
  return (await page.locator("table.audit tbody td:nth-child(4)").allTextContents()).sort();
}

/**
 * What the device page shows now: the samples its telemetry summary counts, whether every day
 * of the range is in this browser, and each command's ID and status (sorted).
 */
async function telemetryAndCommandsShown(
  page: Page,
): Promise<{ samples: number | undefined; everyDayHere: boolean; commandStates: string[][] }> {
  const [summary] = await page.getByTestId("telemetry-summary").allTextContents();
  const commandStates = await page
    .locator("li.command")
    .evaluateAll((items) =>
      items.map((item) => [item.getAttribute("data-command"), item.getAttribute("data-status")]),
    );
  return {
    // "1,234 samples, 09:00 to 10:00": the count, whatever the browser's digit grouping.
    samples:
      summary === undefined ? undefined : Number(summary.split(" samples")[0]?.replace(/\D/g, "")),
    everyDayHere: summary !== undefined && !summary.includes("not in this browser yet"),
    commandStates: commandStates.map((pair) => pair.map(String)).sort(),
  };
}

/** Clicks an export button and parses the CSV it downloads: header, then rows. */
async function downloadCsv(
  page: Page,
  button: string,
): Promise<{ header: string[]; rows: string[][] }> {
  const text = await download(page, button);
  const parsed = Papa.parse<string[]>(text.trimEnd(), { skipEmptyLines: false });
  expect(parsed.errors).toEqual([]);
  const [header = [], ...rows] = parsed.data;
  return { header, rows };
}

/** Clicks the JSON button of the export group named `group` and parses what it downloads. */
async function downloadJson(
  page: Page,
  group: string,
  button: string,
): Promise<{ rowCount: number; units: Record<string, string>; rows: unknown[] }> {
  const fieldset = page.getByRole("group", { name: group });
  return JSON.parse(await download(fieldset, button));
}

async function download(scope: Page | Locator, button: string): Promise<string> {
  const page = "page" in scope ? scope.page() : scope;
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    scope.getByRole("button", { name: button, exact: true }).click(),
  ]);
  return readFile(await file.path(), "utf8");
}
