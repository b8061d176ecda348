/**
 * Revoking and removing a device from its page, against a real relay (in a child process, on
 * loopback): each behind a confirmation that says what it does, the relay's refusals in its words,
 * and nothing possible without the relay.
 */
import { cleanupAfterAll } from "@outpost/shared-model/testing";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DevicesClient, makeDevicesClient } from "../enrollment/devices-client.js";
import { type ComponentTestRelay, startComponentTestRelay } from "../testing/test-relay.js";
import { formatTime } from "../ui/format.js";
import { DeviceAccess } from "./DeviceAccess.js";
import { makeDeviceAccessActions } from "./device-access-actions.js";

const resources = cleanupAfterAll();
let relay: ComponentTestRelay;
let client: DevicesClient;

beforeAll(async () => {
  relay = await startComponentTestRelay(resources);
  client = makeDevicesClient({ relayUrl: relay.relayUrl, token: relay.adminToken });
}, 60_000);

afterEach(() => {
  cleanup();
});

/** Enrolls `deviceId` and returns its device token. */
async function enrolled(deviceId: string): Promise<string> {
  const answer = await relay.enroll({ deviceId, hostname: `${deviceId}.example` });
  expect(answer.status).toBe(200);
  return answer.body.deviceToken as string;
}

/** Whether the relay still takes the device's token. */
async function tokenAccepted(token: string): Promise<boolean> {
  const response = await fetch(`${relay.relayUrl}/v1/session`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.arrayBuffer();
  return response.status === 200;
}

const statusOf = async (deviceId: string) =>
  (await client.devices()).find((device) => device.deviceId === deviceId)?.status;

/** The panel for `deviceId`, with what the FleetDoc would say in signals the test sets. */
function renderAccess(deviceId: string, unavailable?: string) {
  const [revokedAt, setRevokedAt] = createSignal<number>();
  const [inFleet, setInFleet] = createSignal(true);
  render(() => (
    <DeviceAccess
      deviceId={deviceId}
      hostname={`${deviceId}.example`}
      revokedAt={revokedAt()}
      inFleet={inFleet()}
      actions={makeDeviceAccessActions(client)}
      unavailable={unavailable}
    />
  ));
  return { setRevokedAt, setInFleet };
}

const button = (name: string) => screen.getByRole("button", { name }) as HTMLButtonElement;
const dialog = () => screen.getByRole("alertdialog");
/** The dialog's own button (the page's has the same name). */
const dialogButton = (name: string) => within(dialog()).getByRole("button", { name });

describe("DeviceAccess", () => {
  it("revokes a device once the admin confirms what it does: its token is refused at once", async () => {
    const token = await enrolled("laptop-a");
    const fleet = renderAccess("laptop-a");
    expect(screen.getByTestId("access-state").textContent).toContain("may connect");

    fireEvent.click(button("Revoke device"));
    expect(dialog().textContent).toContain("Revoke laptop-a.example?");
    expect(dialog().textContent).toContain("closes its connections now and refuses its token");
    expect(dialog().textContent).toContain("stays in the fleet, marked revoked");
    expect(document.activeElement?.textContent).toBe("Cancel");
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(await statusOf("laptop-a")).toBe("active");

    fireEvent.click(button("Revoke device"));
    fireEvent.click(dialogButton("Revoke device"));
    expect((await screen.findByTestId("access-done")).textContent).toMatch(
      /^Revoked laptop-a: the relay closed its connections and refuses its token/,
    );
    expect(await statusOf("laptop-a")).toBe("revoked");
    expect(await tokenAccepted(token)).toBe(false);

    // The FleetDoc says so next: the badge, and revoking again is no longer offered.
    const at = Date.UTC(2026, 11, 1, 9, 30);
    fleet.setRevokedAt(at);
    expect(screen.getByTestId("access-state").textContent).toContain(`Revoked ${formatTime(at)}`);
    expect(screen.queryByRole("button", { name: "Revoke device" })).toBeNull();
  });

  it("removes a device and says how its documents (its DeviceDoc) are purged", async () => {
    await enrolled("laptop-b");
    const fleet = renderAccess("laptop-b");
    fireEvent.click(button("Remove device"));
    expect(dialog().textContent).toContain("Remove laptop-b.example from the fleet?");
    expect(dialog().textContent).toContain("outpost-relay device purge laptop-b");
    fireEvent.click(dialogButton("Remove device"));
    expect((await screen.findByTestId("access-done")).textContent).toContain(
      `Removed laptop-b from the fleet. Its 1 document(s) stay on the relay's disk until an operator runs "outpost-relay device purge laptop-b" with the relay stopped.`,
    );
    expect(await statusOf("laptop-b")).toBe("removed");
    // The FleetDoc drops it: the outcome stays, with the way back, and nothing more to do.
    fleet.setInFleet(false);
    expect(screen.getByTestId("access-state").textContent).toBe("Removed from the fleet.");
    expect(screen.getByRole("link", { name: "Back to the fleet" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: /device$/ })).toBeNull();
  });

  it("shows the relay's refusal in its words", async () => {
    await enrolled("laptop-c");
    await client.remove("laptop-c");
    renderAccess("laptop-c");
    fireEvent.click(button("Remove device"));
    fireEvent.click(dialogButton("Remove device"));
    // Removing again is a no-op on the relay; revoking a removed device is refused.
    expect((await screen.findByTestId("access-done")).textContent).toMatch(/^Removed laptop-c/);
    cleanup();
    renderAccess("laptop-c");
    fireEvent.click(button("Revoke device"));
    fireEvent.click(dialogButton("Revoke device"));
    expect((await screen.findByTestId("access-error")).textContent).toBe(
      "Revoking laptop-c: device laptop-c was removed; only a purge is left to do (outpost-relay device purge laptop-c, relay stopped)",
    );
  });

  it("is disabled, with the reason, while the relay cannot be asked", async () => {
    await enrolled("laptop-d");
    renderAccess("laptop-d", "Offline (relay down): this needs the relay");
    expect(button("Revoke device").disabled).toBe(true);
    expect(button("Remove device").disabled).toBe(true);
    expect(screen.getByTestId("access-unavailable").textContent).toBe(
      "Offline (relay down): this needs the relay",
    );
    expect(await statusOf("laptop-d")).toBe("active");
  });
});
