/**
 * Device administration in Debian's Chromium against a real relay on loopback
 * (docs/OPERATIONS.md, "Devices"): an admin adds a device from the Enrollment page, and a real
 * agent enrolls with the one-time token its install command carries and shows up in the fleet;
 * revoked from its page, its websocket is closed and its token refused, and the fleet marks it;
 * removed, it leaves the fleet view. A re-enrollment of a known device ID with the shared secret
 * waits on the Enrollment page until the admin approves it; then the requester takes the ID.
 */
import type { Agent } from "@outpost/agent";
import { type DeviceListing, parseDeviceId } from "@outpost/shared-model";
import { cleanupAfterAll, eventually } from "@outpost/shared-model/testing";
import { startFleet, type TestFleet } from "@outpost/test-support";
import {
  type BrowserProfile,
  buildDashboard,
  launchProfile,
  openDevice,
  signIn,
} from "@outpost/test-support/browser";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";

/** How long a check waits for the page (a render, a sync, a relay's answer). */
const UNTIL_SHOWN = { timeout: 30_000 };

const cleanup = cleanupAfterAll({ ignoreFailures: true });
let fleet: TestFleet;
let profile: BrowserProfile;

beforeAll(async () => {
  fleet = await startFleet(cleanup, { dashboardDirectory: await buildDashboard() });
  profile = cleanup.add(await launchProfile(), (browser) => browser.close());
}, 240_000);

/** The relay's own view of a device (admin HTTP), as `GET /v1/devices` lists it. */
async function relaysView(deviceId: string): Promise<DeviceListing | undefined> {
  const response = await fetch(`${fleet.relayUrl}/v1/devices`, {
    headers: { authorization: `Bearer ${fleet.adminToken}` },
  });
  const { devices } = (await response.json()) as { devices: DeviceListing[] };
  return devices.find((device) => device.deviceId === deviceId);
}

/** The HTTP status the relay answers a token with (`/v1/session`): 200, or 401 once refused. */
async function tokenStatus(token: string): Promise<number> {
  const response = await fetch(`${fleet.relayUrl}/v1/session`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.arrayBuffer();
  return response.status;
}

/** An in-process agent in a folder of its own; `options` say how it enrolls. */
async function startAgent(
  name: string,
  options: Omit<Parameters<TestFleet["startAgent"]>[0], "dataDirectory">,
) {
  return fleet.startAgent({ ...options, dataDirectory: await cleanup.tempFolder(`agent-${name}`) });
}

async function untilConnected(agent: Agent, what: string): Promise<void> {
  await eventually(() => agent.link.state?.kind === "connected", what, 60_000);
}

async function navigateTo(page: Page, link: string, heading: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: link }).click();
  await page.getByRole("heading", { name: heading, exact: true }).waitFor(UNTIL_SHOWN);
}

const fleetRow = (page: Page, deviceId: string) => page.locator(`tr[data-device="${deviceId}"]`);

/** Clicks `action` on the device page's Access card, then the same in its confirmation. */
async function confirmAccessAction(page: Page, action: string): Promise<string> {
  await page.locator(".device-access").getByRole("button", { name: action }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: action }).click();
  await page.getByTestId("access-done").waitFor(UNTIL_SHOWN);
  return (await page.getByTestId("access-done").textContent()) ?? "";
}

describe("device administration in the dashboard", () => {
  it("adds a device whose agent enrolls with the install command's token, revokes it, removes it", async () => {
    const page = await profile.context.newPage();
    await signIn(page, fleet.relayUrl, fleet.adminToken);
    await navigateTo(page, "Enrollment", "Enrollment");
    await page.getByRole("button", { name: "Add a device" }).click();
    await page.getByLabel("Valid for").selectOption({ label: "1 hour" });
    await page.getByRole("button", { name: "Create" }).click();
    const shell = (await page.getByTestId("install-shell").textContent(UNTIL_SHOWN)) ?? "";
    const flag = (name: string) => new RegExp(`--${name} '([^']+)'`).exec(shell)?.[1];
    expect(flag("relay")).toBe(fleet.relayUrl);
    expect(flag("root-fingerprint")).toBe(fleet.root.fleet);
    expect(await page.getByTestId("token-fingerprint").textContent()).toBe(fleet.root.fleet);
    const token = flag("token") as string;
    expect(token).toMatch(/^opt_/);
    expect(await page.getByTestId("install-powershell").textContent()).toContain(
      `-Token '${token}'`,
    );
    await page.getByRole("button", { name: "Done" }).click();

    // The device runs the command: an agent with that token (and no shared secret) enrolls.
    const agent = await startAgent("token", {
      enrollmentSecret: undefined,
      enrollmentToken: token,
      rootKeyFingerprint: flag("root-fingerprint"),
      hostname: "onboarded-laptop",
    });
    await untilConnected(agent, "the agent enrolling with the token");
    const deviceId = agent.deviceId;
    const deviceToken = agent.link.credentials?.deviceToken as string;
    expect(await tokenStatus(deviceToken)).toBe(200);
    expect(await relaysView(deviceId)).toMatchObject({
      status: "active",
      hostname: "onboarded-laptop",
      connected: true,
    });
    await navigateTo(page, "Fleet", "Fleet");
    await fleetRow(page, deviceId).waitFor(UNTIL_SHOWN);
    expect(await fleetRow(page, deviceId).getByTestId("revoked-badge").count()).toBe(0);
    await navigateTo(page, "Enrollment", "Enrollment");
    await expect
      .poll(
        () => page.locator('tr[data-testid="enrollment-token"]').first().getAttribute("data-state"),
        UNTIL_SHOWN,
      )
      .toBe("used");

    // Revoked from its page: its websocket is closed and its token refused, at once.
    await openDevice(page, deviceId);
    expect(await confirmAccessAction(page, "Revoke device")).toMatch(/^Revoked /);
    expect(await relaysView(deviceId)).toMatchObject({ status: "revoked", connected: false });
    expect(await tokenStatus(deviceToken)).toBe(401);
    await eventually(
      () => agent.link.state?.kind === "unauthorized",
      "the agent told its token is refused",
      30_000,
    );
    await page.getByTestId("device-revoked").waitFor(UNTIL_SHOWN);
    await navigateTo(page, "Fleet", "Fleet");
    await fleetRow(page, deviceId).getByTestId("revoked-badge").waitFor(UNTIL_SHOWN);
    expect(await fleetRow(page, deviceId).getByTestId("revoked-badge").textContent()).toMatch(
      /^Revoked \d{4}-\d\d-\d\d \d\d:\d\d$/,
    );

    // Removed: gone from the fleet view; its documents wait on the relay's disk for a purge.
    await openDevice(page, deviceId);
    expect(await confirmAccessAction(page, "Remove device")).toContain(
      `outpost-relay device purge ${deviceId}`,
    );
    expect(await relaysView(deviceId)).toMatchObject({ status: "removed" });
    await navigateTo(page, "Fleet", "Fleet");
    await fleetRow(page, deviceId).waitFor({ state: "detached", ...UNTIL_SHOWN });
    await page.close();
  }, 240_000);

  it("approves on the Enrollment page a re-enrollment of a known ID with the shared secret", async () => {
    const deviceId = parseDeviceId("desk-12");
    const enrolled = await startAgent("desk", { deviceId, hostname: "desk-12" });
    await untilConnected(enrolled, "the first desk-12 enrolling");
    // The same ID from another machine, with the secret: it waits for an admin.
    const reinstalled = await startAgent("desk-again", { deviceId, hostname: "desk-12-new" });
    await eventually(
      () => reinstalled.link.enrollment.kind === "waiting-for-approval",
      "the second desk-12 waiting for an admin",
      30_000,
    );
    expect(reinstalled.link.state).toBeUndefined();
    expect(enrolled.link.state?.kind).toBe("connected");

    const page = await profile.context.newPage();
    await signIn(page, fleet.relayUrl, fleet.adminToken);
    await navigateTo(page, "Enrollment", "Enrollment");
    const request = page
      .locator('tr[data-testid="pending-request"]')
      .filter({ hasText: "desk-12-new" });
    await request.waitFor(UNTIL_SHOWN);
    expect(await request.textContent()).toContain(
      "desk-12 is connected now: most likely not the machine asking.",
    );
    await request.getByRole("button", { name: /^Approve/ }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Approve" }).click();
    await page.getByTestId("enrollment-done").waitFor(UNTIL_SHOWN);

    // The requester collects its token and takes the ID; the device it replaces is cut off.
    await untilConnected(reinstalled, "the approved desk-12 connecting");
    await eventually(
      () => enrolled.link.state?.kind === "unauthorized",
      "the replaced desk-12 told its token is refused",
      30_000,
    );
    expect(await relaysView(deviceId)).toMatchObject({
      status: "active",
      hostname: "desk-12-new",
      deviceDocUrl: reinstalled.device.url,
    });
    // Its new DeviceDoc is the one the fleet opens.
    await openDevice(page, deviceId);
    expect(await page.getByTestId("device-revoked").count()).toBe(0);
    await page.close();
  }, 180_000);
});
