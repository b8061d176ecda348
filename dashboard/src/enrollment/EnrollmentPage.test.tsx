/**
 * The Enrollment page against a real relay (in a child process, on loopback): "Add a device"
 * makes a token whose install command enrolls a device once; a token not used yet is revoked; a
 * re-enrollment request is shown with what to weigh, approved (the requester collects its token)
 * or denied; and without the relay nothing can be done, and the page says why.
 */
import { cleanupAfterAll } from "@outpost/shared-model/testing";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type ComponentTestRelay, startComponentTestRelay } from "../testing/test-relay.js";
import { formatTime } from "../ui/format.js";
import { type DevicesClient, makeDevicesClient } from "./devices-client.js";
import { EnrollmentPage } from "./EnrollmentPage.js";

const resources = cleanupAfterAll();
let relay: ComponentTestRelay;
let client: DevicesClient;
let fleetRoot: string;

beforeAll(async () => {
  relay = await startComponentTestRelay(resources);
  client = makeDevicesClient({ relayUrl: relay.relayUrl, token: relay.adminToken });
  const session = await fetch(`${relay.relayUrl}/v1/session`, {
    headers: { authorization: `Bearer ${relay.adminToken}` },
  });
  fleetRoot = ((await session.json()) as { trust: { fleet: string } }).trust.fleet;
}, 60_000);

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function renderPage(relayUnavailable?: string): void {
  render(() => <EnrollmentPage client={client} relayUnavailable={relayUnavailable} />);
}

const tokenRow = (tokenId: string) =>
  document.querySelector(
    `tr[data-testid="enrollment-token"][data-token-id="${tokenId}"]`,
  ) as HTMLElement | null;
const requestRow = (requestId: string) =>
  document.querySelector(
    `tr[data-testid="pending-request"][data-request-id="${requestId}"]`,
  ) as HTMLElement | null;

describe("EnrollmentPage: Add a device", () => {
  it("makes a token for a device ID whose install command enrolls it, once", async () => {
    const copied: string[] = [];
    vi.stubGlobal("navigator", {
      ...navigator,
      clipboard: { writeText: async (text: string) => void copied.push(text) },
    });
    renderPage();
    fireEvent.click(screen.getByRole("button", { name: "Add a device" }));
    const dialog = screen.getByRole("dialog", { name: "Add a device" });
    fireEvent.input(within(dialog).getByLabelText("Device ID (optional)"), {
      target: { value: "kiosk-7" },
    });
    fireEvent.change(within(dialog).getByLabelText("Valid for"), { target: { value: "1h" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Create" }));

    const shell = (await screen.findByTestId("install-shell")).textContent ?? "";
    const token = /--token '(opt_[^']+)'/.exec(shell)?.[1] as string;
    expect(shell).toMatch(/^curl -fsSL '.*\/v1\/agent\/install\.sh' \| sudo sh -s -- --relay /);
    expect(shell).toContain(`--root-fingerprint '${fleetRoot}'`);
    expect(shell).toContain("--device-id 'kiosk-7'");
    const powershell = screen.getByTestId("install-powershell").textContent ?? "";
    expect(powershell).toContain(`-Token '${token}'`);
    expect(powershell).toContain(`-RootFingerprint '${fleetRoot}'`);
    expect(screen.getByTestId("token-fingerprint").textContent).toBe(fleetRoot);
    expect(screen.getByRole("link", { name: "agent bundle" }).getAttribute("href")).toBe(
      `${relay.relayUrl}/v1/agent/bundle`,
    );
    const tokenId = screen.getByTestId("issued-token").dataset.tokenId as string;
    const listed = (await client.enrollmentTokens()).find((t) => t.tokenId === tokenId);
    expect(listed).toMatchObject({ deviceId: "kiosk-7", createdBy: "admin:alice" });
    expect(listed?.expiresAt).toBeGreaterThan(Date.now() + 3_500_000);
    expect(listed?.expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(screen.getByTestId("token-expiry").textContent).toBe(formatTime(listed?.expiresAt));

    fireEvent.click(screen.getByRole("button", { name: "Copy the Linux and macOS command" }));
    await screen.findByText("Copied");
    expect(copied).toEqual([shell]);

    // The device runs the command: the token enrolls kiosk-7, once.
    const enrolled = await relay.enroll({
      deviceId: "kiosk-7",
      hostname: "kiosk-7",
      enrollmentToken: token,
    });
    expect(enrolled.status).toBe(200);
    const again = await relay.enroll({
      deviceId: "kiosk-7",
      hostname: "kiosk-7",
      enrollmentToken: token,
    });
    expect(again.status).toBe(403);

    fireEvent.click(screen.getByRole("button", { name: "Done" }));
    await vi.waitFor(() => expect(tokenRow(tokenId)?.dataset.state).toBe("used"));
    expect(tokenRow(tokenId)?.textContent).toContain("used by kiosk-7");
    expect(within(tokenRow(tokenId) as HTMLElement).queryByRole("button")).toBeNull();
  });

  it("refuses a malformed device ID before asking the relay, and says so", async () => {
    const before = (await client.enrollmentTokens()).length;
    renderPage();
    fireEvent.click(screen.getByRole("button", { name: "Add a device" }));
    fireEvent.input(screen.getByLabelText("Device ID (optional)"), {
      target: { value: "laptop 42!" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Create" }));
    expect((await screen.findByTestId("add-device-error")).textContent).toMatch(/^Device ID: /);
    expect(screen.queryByTestId("issued-token")).toBeNull();
    expect(await client.enrollmentTokens()).toHaveLength(before);

    fireEvent.keyDown(document, { key: "Escape" });
    expect(screen.queryByRole("dialog", { name: "Add a device" })).toBeNull();
  });

  it("says when the browser will not copy, the command still there to select", async () => {
    vi.stubGlobal("navigator", { ...navigator, clipboard: undefined });
    renderPage();
    fireEvent.click(screen.getByRole("button", { name: "Add a device" }));
    fireEvent.click(screen.getByRole("button", { name: "Create" }));
    await screen.findByTestId("install-shell");
    expect(screen.getByTestId("issued-token").textContent).toContain("for any new device");
    fireEvent.click(screen.getByRole("button", { name: "Copy the Windows command" }));
    await screen.findByText("Cannot copy here: select the text and copy it");
  });
});

describe("EnrollmentPage: tokens", () => {
  it("revokes a token not used yet: it enrolls nothing after", async () => {
    const issued = await client.createToken({});
    renderPage();
    await vi.waitFor(() => expect(tokenRow(issued.tokenId)?.dataset.state).toBe("usable"));
    expect(tokenRow(issued.tokenId)?.textContent).toContain("any new device");
    fireEvent.click(
      screen.getByRole("button", { name: `Revoke enrollment token ${issued.tokenId}` }),
    );
    expect((await screen.findByTestId("enrollment-done")).textContent).toBe(
      `Revoked enrollment token ${issued.tokenId}: it enrolls nothing now.`,
    );
    await vi.waitFor(() => expect(tokenRow(issued.tokenId)?.dataset.state).toBe("revoked"));
    const refused = await relay.enroll({
      deviceId: "printer-3",
      hostname: "printer-3",
      enrollmentToken: issued.token,
    });
    expect(refused.status).toBe(403);
  });
});

describe("EnrollmentPage: re-enrollment requests", () => {
  it("shows what to weigh, and approves a request the requester then collects", async () => {
    expect((await relay.enroll({ deviceId: "laptop-r", hostname: "laptop-r" })).status).toBe(200);
    const deviceDocUrl = "automerge:2j9knpCseyhnK8izDmLpGP5WMdZQ";
    const asking = { deviceId: "laptop-r", hostname: "laptop-r-new", deviceDocUrl };
    const asked = await relay.enroll(asking);
    expect(asked.status).toBe(202);
    const { requestId, nonce } = asked.body as { requestId: string; nonce: string };
    renderPage();

    await vi.waitFor(() => expect(requestRow(requestId)?.dataset.status).toBe("pending"));
    const row = requestRow(requestId) as HTMLElement;
    expect(row.textContent).toContain("laptop-r-new");
    expect(row.textContent).toContain("127.0.0.1");
    expect(row.textContent).toContain("Asks as laptop-r-new; the enrolled device is laptop-r.");
    expect(row.textContent).toContain("Syncs a new DeviceDoc");

    fireEvent.click(within(row).getByRole("button", { name: /^Approve the re-enrollment/ }));
    const dialog = screen.getByRole("alertdialog");
    expect(dialog.textContent).toContain("Approve the re-enrollment of laptop-r?");
    expect(dialog.textContent).toContain(
      "the device enrolled under it now (laptop-r, active) loses its token and its connections close",
    );
    fireEvent.click(within(dialog).getByRole("button", { name: "Approve" }));
    expect((await screen.findByTestId("enrollment-done")).textContent).toBe(
      `Approved request ${requestId}: laptop-r enrolls from 127.0.0.1 when its agent asks again.`,
    );
    // Approved, waiting for the requester: no more buttons.
    await vi.waitFor(() => expect(requestRow(requestId)?.dataset.status).toBe("approved"));
    expect(within(requestRow(requestId) as HTMLElement).queryByRole("button")).toBeNull();

    const collected = await relay.enroll({
      ...asking,
      pendingRequestId: requestId,
      pendingNonce: nonce,
    });
    expect(collected.status).toBe(200);
    expect(collected.body.deviceToken).toEqual(expect.any(String));
    // Collected: gone from the open requests, and shown with the decided ones.
    fireEvent.click(screen.getByRole("button", { name: "Refresh" }));
    await vi.waitFor(() => expect(requestRow(requestId)).toBeNull());
    fireEvent.click(screen.getByLabelText("Decided and expired ones too"));
    await vi.waitFor(() => expect(requestRow(requestId)?.dataset.status).toBe("collected"));
    expect(requestRow(requestId)?.textContent).toContain("collected: the device enrolled");
  });

  it("denies a request: the enrolled device stays", async () => {
    expect((await relay.enroll({ deviceId: "laptop-d", hostname: "laptop-d" })).status).toBe(200);
    const asked = await relay.enroll({ deviceId: "laptop-d", hostname: "laptop-d" });
    const { requestId } = asked.body as { requestId: string };
    renderPage();
    await vi.waitFor(() => expect(requestRow(requestId)).not.toBeNull());
    fireEvent.click(
      within(requestRow(requestId) as HTMLElement).getByRole("button", { name: /^Deny/ }),
    );
    fireEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Deny" }));
    expect((await screen.findByTestId("enrollment-done")).textContent).toBe(
      `Denied request ${requestId}: the enrolled laptop-d keeps its token.`,
    );
    const request = (await client.pendingEnrollments({ all: true })).find(
      (r) => r.requestId === requestId,
    );
    expect(request).toMatchObject({ status: "denied", decidedBy: "admin:alice" });
  });
});

describe("EnrollmentPage without the relay", () => {
  it("disables every action with the reason", async () => {
    expect((await relay.enroll({ deviceId: "laptop-o", hostname: "laptop-o" })).status).toBe(200);
    const asked = await relay.enroll({ deviceId: "laptop-o", hostname: "laptop-o" });
    const { requestId } = asked.body as { requestId: string };
    renderPage("Offline (relay down): this needs the relay");
    expect(screen.getByTestId("enrollment-unavailable").textContent).toBe(
      "Offline (relay down): this needs the relay",
    );
    expect(
      (screen.getByRole("button", { name: "Add a device" }) as HTMLButtonElement).disabled,
    ).toBe(true);
    await vi.waitFor(() => expect(requestRow(requestId)).not.toBeNull());
    for (const button of within(requestRow(requestId) as HTMLElement).getAllByRole("button")) {
      expect((button as HTMLButtonElement).disabled).toBe(true);
      expect(button.title).toBe("Offline (relay down): this needs the relay");
    }
  });
});
