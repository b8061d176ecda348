/**
 * Hostile input from devices reaches admins safely. A device controls its hostname, its inventory,
 * its commands' facts and outcomes, its audit trail, its metrics' names and whatever else it writes
 * into its documents. Two real agents on a real relay write script-injection payloads into all of
 * it (hostile-payloads.ts, hostile-device.ts, hostile-records.ts): one everywhere, one only in
 * the hostname it enrolls with, which the fleet shows where the inventory has none. Chromium opens
 * the fleet, both devices' pages with every command, chart and audit entry, and every export.
 *
 * Once with the relay's Content-Security-Policy ignored, so that markup that slipped through would
 * run: nothing runs, no injected element or attribute is in the page, no payload's request is
 * made, no dialog opens (hostile-checks.ts), and every payload is on the page as text. CSV exports
 * neutralise every formula the device wrote; JSON keeps it exactly. Once under the policy: no
 * violation either. One system for the file, the tests in order: the exports stop the hostile
 * agent, so that a CSV and its JSON hold the same samples.
 */
import type { Agent } from "@outpost/agent";
import { Cleanup } from "@outpost/shared-model/testing";
import { startFleet, type TestFleet } from "@outpost/test-support";
import { buildDashboard, openDevice, signIn } from "@outpost/test-support/browser";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectInert,
  exportBoth,
  missingFrom,
  shownText,
  type Watch,
  watchedProfile,
} from "./hostile-checks.js";
import {
  hostileCollector,
  hostileSoftware,
  hostileSystem,
  systemWithoutHostname,
} from "./hostile-device.js";
import { PayloadBook } from "./hostile-payloads.js";
import { FORGED_COMMAND_COUNT, FORGED_COMMANDS, writeHostileRecords } from "./hostile-records.js";

/** Generous: two agents, a relay and Chromium share a loaded 2-core machine. */
const UNTIL_SHOWN = { timeout: 60_000 };

/**
 * Fields the device writes that the dashboard does not show (yet); the checks for injected markup
 * and script cover them all the same, and will when a page starts showing them.
 */
const NOT_SHOWN = new Set([
  "enrollment.hostname", // the inventory's hostname is shown instead
  "inventory.os.platform",
  "inventory.software.name",
  "inventory.software.version",
  "commands.id", // in attributes and the first 12 characters of a dependency's label
  "commands.signature",
  "facts.blocked.dependency", // the log says why it is blocked, not by which ID
  "asset.lifecycle", // in the fleet; the asset form offers only the lifecycles it knows
  "signers.keyId",
  "signers.admin",
  "signers.publicKey",
  "signers.signature",
  "policy.signature",
  "asset.updatedBy",
  "deviceDoc.deviceId",
]);

const cleanup = new Cleanup();
const book = new PayloadBook();
let fleet: TestFleet;
/** Writes payloads everywhere it can. */
let hostile: Agent;
/** Enrolls with a payload for its hostname and reports no hostname in its inventory. */
let enrolledOnly: Agent;

beforeAll(async () => {
  fleet = await startFleet(cleanup, { dashboardDirectory: await buildDashboard() });
  const folder = await cleanup.tempFolder("hostile-software");
  hostile = await fleet.startAgent({
    dataDirectory: await cleanup.tempFolder("hostile-agent"),
    hostname: book.of("enrollment.hostname", { compact: true }),
    system: hostileSystem(book),
    software: await hostileSoftware(book, folder),
    collectors: [hostileCollector(book)],
    sampleIntervalS: 1,
  });
  enrolledOnly = await fleet.startAgent({
    dataDirectory: await cleanup.tempFolder("enrolled-only-agent"),
    hostname: book.of("enrolledOnly.enrollment.hostname", { compact: true, lead: "=" }),
    system: systemWithoutHostname(),
  });
  await writeHostileRecords(hostile, book);
}, 180_000);

afterAll(() => cleanup.release({ ignoreFailures: true }));

/** The fleet with every column shown, once both devices' documents are loaded. */
async function showFleet(page: Page): Promise<void> {
  await signIn(page, fleet.relayUrl, fleet.adminToken);
  const hostname = (agent: Agent) =>
    page.locator(`tr[data-device="${agent.deviceId}"] td.col-hostname a`).textContent();
  await expect.poll(() => hostname(hostile), UNTIL_SHOWN).toBe(book.of("inventory.hostname"));
  await expect
    .poll(() => hostname(enrolledOnly), UNTIL_SHOWN)
    .toBe(book.of("enrolledOnly.enrollment.hostname"));
  await page.locator("details.columns summary").click();
  const hidden = page.locator("details.columns input[type=checkbox]:not(:checked):not(:disabled)");
  while ((await hidden.count()) > 0) await hidden.first().check();
}

/** The hostile device's page with every command opened, its charts drawn and its audit loaded. */
async function showHostileDevice(page: Page): Promise<void> {
  // Through the fleet, so the page is shown afresh (commands closed, no form open).
  await page.evaluate(() => {
    location.hash = "#/";
  });
  await page.getByRole("heading", { name: "Fleet" }).waitFor();
  await openDevice(page, hostile.deviceId);
  await expect
    .poll(() => page.locator("li.command").count(), UNTIL_SHOWN)
    .toBe(FORGED_COMMAND_COUNT);
  for (const toggle of await page.locator("li.command .command-head > button.link").all())
    await toggle.click();
  await page.getByRole("button", { name: "Enqueue a command" }).click();
  await expect.poll(() => page.locator(".chart-canvas[data-drawn]").count(), UNTIL_SHOWN).toBe(2);
  // The device's two entries, and the agent's own about the policy it refused.
  await expect
    .poll(() => page.locator("table.audit tbody tr").count(), UNTIL_SHOWN)
    .toBeGreaterThanOrEqual(3);
}

describe("device-written text in the dashboard", () => {
  let page: Page;
  let watch: Watch;

  beforeAll(async () => {
    const watched = await watchedProfile(cleanup, true);
    watch = watched.watch;
    page = await watched.profile.context.newPage();
  }, 60_000);

  it("the fleet shows hostnames, inventory and asset text as text, and runs none of it", async () => {
    await showFleet(page);
    const asset = hostile.device.doc().asset;
    const inventory = hostile.device.doc().inventory;
    expect(
      missingFrom(await shownText(page), [
        book.of("inventory.hostname"),
        book.of("enrolledOnly.enrollment.hostname"),
        `${inventory?.os.distro} ${inventory?.os.release}`.trim(),
        `${inventory?.hardware.manufacturer} ${inventory?.hardware.model}`.trim(),
        asset.assignee,
        asset.location,
        asset.lifecycle,
      ]),
    ).toEqual([]);
    await expectInert(page, watch, book);
  }, 180_000);

  it("a device's page shows everything it wrote as text, and runs none of it", async () => {
    await showHostileDevice(page);
    const expected = book
      .entries()
      .filter(([field]) => !NOT_SHOWN.has(field) && !field.startsWith("enrolledOnly."));
    await expectInert(page, watch, book);
    const text = await shownText(page);
    const missing = expected.filter(([, payload]) => missingFrom(text, [payload]).length > 0);
    expect(missing.map(([field]) => field)).toEqual([]);
    // uPlot writes each series' label into its legend.
    const legends = (await page.locator(".u-legend").allTextContents()).join("\n");
    expect(legends).toContain(`${book.of("telemetry.metric")} (${book.of("telemetry.unit")})`);

    await openDevice(page, enrolledOnly.deviceId);
    await expect
      .poll(() => page.locator("#device-title").textContent(), UNTIL_SHOWN)
      .toBe(book.of("enrolledOnly.enrollment.hostname"));
    await expectInert(page, watch, book);
  }, 180_000);

  it("CSV exports neutralise every formula the device wrote; JSON keeps its text exactly", async () => {
    // A still device, so that the CSV and the JSON of an export hold the same samples.
    await hostile.stop();
    const leads = new Set<string>();
    await showHostileDevice(page);
    const telemetry = await exportBoth(page, "telemetry", leads);
    expect(telemetry.names).toEqual([
      `${hostile.deviceId}-telemetry-1h.csv`,
      `${hostile.deviceId}-telemetry-1h.json`,
    ]);
    const metric = book.of("telemetry.metric");
    const unit = book.of("telemetry.unit");
    expect(telemetry.csv[0]).toContain(`'${metric} (${unit})`);
    expect(telemetry.json.units[metric]).toBe(unit);
    const column = telemetry.csv[0]?.indexOf(`'${metric} (${unit})`) ?? -1;
    expect(new Set(telemetry.csv.slice(1).map((row) => row[column]))).toEqual(new Set(["-5"]));
    expect(new Set(telemetry.json.rows.map((row) => row[metric]))).toEqual(new Set([-5]));

    const commands = await exportBoth(page, "commands", leads);
    expect(commands.names).toEqual([
      `${hostile.deviceId}-commands.csv`,
      `${hostile.deviceId}-commands.json`,
    ]);
    expect(new Set(commands.json.rows.map((row) => row.deviceId))).toEqual(
      new Set([hostile.deviceId]),
    );
    const rejected = commands.json.rows.find((row) => row.commandId === FORGED_COMMANDS.rejected);
    expect(rejected).toMatchObject({
      kind: book.of("commands.rejected.kind"),
      createdBy: book.of("commands.rejected.createdBy"),
      reason: book.of("facts.rejected.reason"),
    });

    const audit = await exportBoth(page, "audit", leads);
    expect(audit.json.rows).toContainEqual(
      expect.objectContaining({
        actor: book.of("audit.actor"),
        action: book.of("audit.action"),
        detail: book.of("audit.detail"),
      }),
    );

    await showFleet(page);
    // Columns that follow the clock could change between the two downloads.
    for (const label of ["Online", "Last sample", "Since sync"])
      await page
        .locator("details.columns label", { hasText: label })
        .getByRole("checkbox")
        .uncheck();
    const fleetExport = await exportBoth(page, "fleet", leads);
    expect(fleetExport.json.rows).toContainEqual(
      expect.objectContaining({
        deviceId: enrolledOnly.deviceId,
        hostname: book.of("enrolledOnly.enrollment.hostname"),
      }),
    );
    expect(fleetExport.json.rows).toContainEqual(
      expect.objectContaining({
        deviceId: hostile.deviceId,
        hostname: book.of("inventory.hostname"),
        assignee: hostile.device.doc().asset.assignee,
        location: book.of("asset.location"),
      }),
    );
    // Between them, the exports met every character that starts a formula.
    expect([...leads].sort()).toEqual(["\t", "\r", "+", "-", "=", "@"].sort());
    await expectInert(page, watch, book);
  }, 240_000);
});

describe("under the relay's Content-Security-Policy", () => {
  it("the same pages raise no violation, and nothing runs", async () => {
    const { profile, watch } = await watchedProfile(cleanup, false);
    const page = await profile.context.newPage();
    await showFleet(page);
    await expectInert(page, watch, book);
    await showHostileDevice(page);
    await expectInert(page, watch, book);
    await openDevice(page, enrolledOnly.deviceId);
    await expectInert(page, watch, book);
    const violations = await page.evaluate(
      () => (window as unknown as { __cspViolations: string[] }).__cspViolations,
    );
    // cbor-x and zod probe whether eval works and take their interpreted path when refused
    // (content-security-policy.test.ts); anything else is markup the page should not hold.
    expect(violations.filter((line) => !line.startsWith("script-src eval"))).toEqual([]);
    expect(watch.consoleCsp).toEqual([]);
  }, 240_000);
});
