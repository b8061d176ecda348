/**
 * Signed commands end to end, in Debian's Chromium against a real relay and a real agent CLI on
 * loopback (docs/ARCHITECTURE.md, "Trust"): what a writer without a signing key injects is
 * rejected and the admin's page says so; an admin's browser key is approved with the recovery
 * key on the Keys page, signs a command the agent runs, is rotated, and the old key revoked: what
 * it signed keeps its outcome, the page marks it revoked, and the agent learns the revocation.
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import type { AutomergeUrl, DocHandle, Repo } from "@automerge/automerge-repo";
import {
  type CommandId,
  type DeviceDoc,
  type DeviceId,
  deviceDocUrlOf,
  draftCommand,
  type FleetDoc,
  fold,
  insertCommand,
  liveCommand,
} from "@outpost/shared-model";
import { cleanupAfterAll, eventually } from "@outpost/shared-model/testing";
import { AgentCli, certifiedAdmin, startFleet, type TestFleet } from "@outpost/test-support";
import {
  type BrowserProfile,
  buildDashboard,
  commandItem,
  commandStatus,
  enqueueFromDevicePage,
  launchProfile,
  openDevice,
  signIn,
} from "@outpost/test-support/browser";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";

/** How long a check waits for the page (a render, a sync, a signature check). */
const UNTIL_SHOWN = { timeout: 30_000 };

const cleanup = cleanupAfterAll({ ignoreFailures: true });
let fleet: TestFleet;
let agent: AgentCli;
let deviceId: string;
let device: DocHandle<DeviceDoc>;
let profile: BrowserProfile;

beforeAll(async () => {
  // No key approval by the harness: approving is part of what this file tests.
  fleet = await startFleet(cleanup, { dashboardDirectory: await buildDashboard() });
  agent = await AgentCli.create(cleanup, {
    name: "signed",
    relayUrl: fleet.relayUrl,
    enrollmentSecret: fleet.enrollmentSecret,
    sampleIntervalS: 2,
  });
  await agent.startConnected();
  deviceId = (await agent.state()).deviceId;
  const admin: Repo = fleet.adminReplica();
  const fleetDoc = await admin.find<FleetDoc>(fleet.relay()?.fleetDocUrl as AutomergeUrl);
  await eventually(() => fleetDoc.doc().devices[deviceId as DeviceId] !== undefined, "enrollment");
  device = await admin.find<DeviceDoc>(
    deviceDocUrlOf(fleetDoc.doc(), deviceId as DeviceId) as AutomergeUrl,
  );
  // This machine runs Chromium, a relay and an agent: never calm for the default two minutes.
  // The operator's own key (certified from Node) lifts the load gate and allows shell.
  const ops = await certifiedAdmin(fleet.root, "ops");
  await ops.editPolicy(device, {
    allowShell: true,
    load: { cpuPercent: 100, memoryPercent: 100, diskBusyPercent: 100, sustainedS: 0 },
  });
  profile = cleanup.add(await launchProfile(), (browser) => browser.close());
}, 240_000);

function stateOf(id: CommandId) {
  const command = liveCommand(device.doc().commands, id);
  return command && fold(command.spec, command.events);
}

/** The verdict the page shows on a command's own signature. */
function verdictOf(page: Page, id: string): Promise<string | null> {
  return commandItem(page, id)
    .locator('[data-testid="signature"]')
    .first()
    .getAttribute("data-verdict");
}

async function keysPage(page: Page): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Keys" }).click();
  await page.getByRole("heading", { name: "Admin keys" }).waitFor();
}

/** Approves or revokes on the Keys page, with the fleet's recovery key pasted first. */
async function withRecoveryKey(page: Page, act: () => Promise<void>): Promise<void> {
  await page.getByLabel("Recovery key", { exact: true }).fill(fleet.root.recoveryKey);
  await act();
  await page.getByTestId("keys-done").waitFor(UNTIL_SHOWN);
}

describe("signed commands in the dashboard", () => {
  it("shows a command injected without a signing key as unsigned and rejected; it never ran", async () => {
    const marker = join(agent.folder, "pwned");
    let injected: CommandId | undefined;
    // An admin token but no signing key (or the relay's data folder): the document takes it.
    device.change((doc) => {
      injected = insertCommand(
        doc,
        draftCommand(
          { kind: "shell.run", args: { command: `touch ${marker}` } },
          { by: "admin:alice", at: Date.now() },
        ),
      );
    });
    const id = injected as CommandId;
    await eventually(() => stateOf(id)?.status === "rejected", "the agent's rejection", 60_000);
    expect(stateOf(id)).toMatchObject({ reason: "signature-missing: unsigned (admin:alice)" });

    const page = await profile.context.newPage();
    await signIn(page, fleet.relayUrl, fleet.adminToken);
    await openDevice(page, deviceId);
    await expect.poll(() => verdictOf(page, id), UNTIL_SHOWN).toBe("signature-missing");
    await expect
      .poll(() => commandItem(page, id).getByTestId("command-rejected").textContent(), UNTIL_SHOWN)
      .toContain("signature-missing");
    await expect(access(marker)).rejects.toThrow("ENOENT");
    await page.close();
  }, 180_000);

  it("approves this browser's key with the recovery key, signs, rotates, and revokes the old key", async () => {
    const page = await profile.context.newPage();
    await signIn(page, fleet.relayUrl, fleet.adminToken);
    // Until the root certifies it, the key signs nothing, and the page says so.
    await page.getByTestId("signing-banner").waitFor(UNTIL_SHOWN);
    expect(await page.getByTestId("signing-banner").textContent()).toContain(
      "waiting for approval",
    );
    await keysPage(page);
    const firstKey = (await page.getByTestId("own-key-id").textContent()) as string;
    await withRecoveryKey(page, () =>
      page.getByRole("button", { name: `Approve alice's key ${firstKey}` }).click(),
    );
    await expect
      .poll(() => page.getByTestId("own-key-status").textContent(), UNTIL_SHOWN)
      .toBe("certified");

    // The first key signs a command, which the agent runs.
    await openDevice(page, deviceId);
    await page.getByTestId("signing-banner").waitFor({ state: "detached", ...UNTIL_SHOWN });
    const before = (await enqueueFromDevicePage(page, "Collect inventory")) as CommandId;
    await eventually(() => stateOf(before)?.status === "succeeded", "the agent running it", 90_000);
    await expect.poll(() => commandStatus(page, before), UNTIL_SHOWN).toBe("succeeded");
    await expect.poll(() => verdictOf(page, before), UNTIL_SHOWN).toBe("ok");
    expect(
      liveCommand(device.doc().commands, before)?.spec.signature?.startsWith(`${firstKey}.`),
    ).toBe(true);

    // Rotation: a new key, approved; then the old one revoked with the recovery key.
    await keysPage(page);
    await page.getByTestId("rotate-key").click();
    await expect
      .poll(() => page.getByTestId("own-key-id").textContent(), UNTIL_SHOWN)
      .not.toBe(firstKey);
    const secondKey = (await page.getByTestId("own-key-id").textContent()) as string;
    await withRecoveryKey(page, () =>
      page.getByRole("button", { name: `Approve alice's key ${secondKey}` }).click(),
    );
    await page.getByTestId("rotation-done").waitFor(UNTIL_SHOWN);
    await withRecoveryKey(page, () => page.getByTestId("revoke-old-key").click());
    await expect
      .poll(
        () =>
          page
            .locator(`tr[data-testid="admin-key"][data-key-id="${firstKey}"]`)
            .getAttribute("data-status"),
        UNTIL_SHOWN,
      )
      .toBe("revoked");
    // The relay wrote the revocation into its TrustDoc; the agent follows it.
    await agent.process?.waitForLine(
      (line) => line.msg.startsWith(`admin key ${firstKey} revoked by the fleet's root`),
      "the agent learning the revocation",
      60_000,
    );

    // What the old key signed keeps its outcome, and shows its signer revoked; the new key signs.
    await openDevice(page, deviceId);
    await expect.poll(() => commandStatus(page, before), UNTIL_SHOWN).toBe("succeeded");
    await expect.poll(() => verdictOf(page, before), UNTIL_SHOWN).toBe("signer-revoked");
    const after = (await enqueueFromDevicePage(page, "Collect inventory")) as CommandId;
    await eventually(() => stateOf(after)?.status === "succeeded", "the agent running it", 90_000);
    expect(
      liveCommand(device.doc().commands, after)?.spec.signature?.startsWith(`${secondKey}.`),
    ).toBe(true);
    await expect.poll(() => verdictOf(page, after), UNTIL_SHOWN).toBe("ok");
    expect(stateOf(before)?.status).toBe("succeeded");
    await page.close();
  }, 300_000);
});
