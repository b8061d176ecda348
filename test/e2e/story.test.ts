/**
 * The whole story, every part real: a relay, two agents (B with a clock 3,600× fast,
 * starting two weeks ago) and two admins in Chromium. Partitions are TCP proxies cut and restored
 * for one party at a time.
 *
 * 1. B goes offline for three simulated days while it keeps collecting.
 * 2. Admin 1, offline, enqueues a maintenance-window command to B and edits B's assignee; admin 2,
 *    online, sets a different assignee, and once admin 1 is back, reprioritizes that command.
 * 3. Everyone reconnects: B's three days reach the relay and both dashboards' charts; the command
 *    runs inside B's maintenance window; both admins see the same state with the assignee
 *    conflict; a CSV export of B's telemetry has every sample.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AutomergeUrl, DocHandle, Repo } from "@automerge/automerge-repo";
import type { AgentProcess } from "@outpost/agent/testing";
import {
  type DeviceDoc,
  type DeviceId,
  deviceDocUrlOf,
  eventsOf,
  type FleetDoc,
  fold,
  liveCommand,
  readRange,
  type TelemetryDayDoc,
  type TelemetryRange,
} from "@outpost/shared-model";
import { cleanupAfterAll, eventually } from "@outpost/shared-model/testing";
import { AgentCli, certifiedAdmin, startFleet, TcpProxy } from "@outpost/test-support";
import {
  buildDashboard,
  commandItem,
  commandStatus,
  connectionLabel,
  enqueueFromDevicePage,
  launchProfile,
  networkBack,
  openDevice,
  pendingLabel,
  signIn,
} from "@outpost/test-support/browser";
import Papa from "papaparse";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";

const ARTIFACTS = fileURLToPath(new URL("../artifacts", import.meta.url));
const DAY_MS = 86_400_000;
/**
 * B's clock: an hour a second, starting two weeks ago, so its whole story lies in the past (up to
 * 5.6 real minutes; about 2 here, 3.5 on a busy CI machine) and inside the dashboards' 30-day chart.
 */
const SPEED = 3_600;
const B_START_AGO_MS = 14 * DAY_MS;
/** A sample every 30 simulated minutes (half a real second) when B keeps up, which it may not. */
const B_SAMPLE_INTERVAL_S = 1_800;

// A failed story's own failure is what matters: stopping a part that already died must not hide it.
const cleanup = cleanupAfterAll({ ignoreFailures: true });

describe("the Outpost story", () => {
  it("offline agent, offline admin, concurrent admins; everything converges and runs in its window", {
    timeout: 420_000,
  }, async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const dashboard = await buildDashboard();
    const outpost = await startFleet(cleanup, {
      admins: ["admin1", "admin2"],
      dashboardDirectory: dashboard,
      // The story is about offline work, not about approving keys (signed-commands.test.ts is):
      // each admin's browser key is certified as it registers, as npm start does.
      approveKeysOf: ["admin1", "admin2"],
    });
    const { port, enrollmentSecret: secret } = outpost;
    const tokens = {
      admin1: outpost.adminTokens.admin1 as string,
      admin2: outpost.adminTokens.admin2 as string,
    };

    // Agents A (wall clock, directly) and B (fast clock, behind its own proxy).
    const bLink = await TcpProxy.start(port);
    cleanup.defer(() => bLink.cut());
    const origin = Date.now();
    const agentA = await startAgent("a", outpost.relayUrl, secret, {});
    const agentB = await startAgent(
      "b",
      bLink.url,
      secret,
      {
        OUTPOST_AGENT_CLOCK_SPEED: String(SPEED),
        OUTPOST_AGENT_CLOCK_ORIGIN: String(origin),
        OUTPOST_AGENT_CLOCK_START: String(origin - B_START_AGO_MS),
      },
      B_SAMPLE_INTERVAL_S,
    );
    /** How long the story's steps took and B's offline samples, for reports (test/artifacts); never asserted. */
    const timings: Record<string, number> = {};
    const bTime = () => origin - B_START_AGO_MS + (Date.now() - origin) * SPEED;

    // A Node admin replica reads the documents the browsers are checked against.
    const checker = outpost.adminReplica("admin2");
    await eventually(() => checker.peers.length > 0, "the checking replica connected", 30_000);
    const session = (await (
      await fetch(`${outpost.relayUrl}/v1/session`, {
        headers: { authorization: `Bearer ${tokens.admin2}` },
      })
    ).json()) as { fleetDocUrl: string };
    const fleet = await checker.find<FleetDoc>(session.fleetDocUrl as AutomergeUrl);
    await eventually(
      () => Object.keys(fleet.doc().devices).length === 2,
      "both agents enrolled",
      60_000,
    );
    const bId = agentB.deviceId as DeviceId;
    const bDoc = await checker.find<DeviceDoc>(deviceDocUrlOf(fleet.doc(), bId) as AutomergeUrl);
    // The test machine is busy: the load gate must not be what decides when B runs its command
    // (100 % is no limit). A reading counts as recent for two sustained periods or sampling
    // intervals; B's readings come one to two hours apart by its clock (see B_SAMPLE_INTERVAL_S).
    // Signed by admin 2's key, which the fleet's root certified: B applies nothing else.
    const signingAdmin2 = await certifiedAdmin(outpost.root, "admin2");
    await signingAdmin2.editPolicy(bDoc, {
      load: { cpuPercent: 100, memoryPercent: 100, diskBusyPercent: 100, sustainedS: 3_600 },
      // The agent re-plans at each sample tick; B's ticks are an hour or two apart by its
      // clock (see B_SAMPLE_INTERVAL_S), so its window is four hours wide, not two.
      maintenanceWindow: { start: "01:00", end: "05:00" },
    });

    // Two admins in their own browsers; admin 1 reaches the relay through a proxy of its own.
    const admin1Link = await TcpProxy.start(port);
    cleanup.defer(() => admin1Link.cut());
    const admin1 = await launchProfile();
    const admin2 = await launchProfile();
    cleanup.defer(() => admin1.close());
    cleanup.defer(() => admin2.close());
    const page1 = await admin1.context.newPage();
    const page2 = await admin2.context.newPage();
    // What each page logs (the dashboard's relay link says when it drops and why), for failures.
    const consoles = new Map<Page, string[]>();
    for (const page of [page1, page2]) {
      const lines: string[] = [];
      consoles.set(page, lines);
      page.on("console", (message) => lines.push(`${message.type()}: ${message.text()}`));
    }
    await signIn(page1, admin1Link.url, tokens.admin1);
    await signIn(page2, outpost.relayUrl, tokens.admin2);
    await openDevice(page1, bId);
    await openDevice(page2, bId);

    // 1. B offline, collecting for three simulated days.
    await bLink.cut();
    const bOfflineFrom = bTime();

    // 2. Admin 1 offline: a maintenance-window command for B, and B's assignee.
    await admin1Link.cut();
    await expect.poll(() => connectionLabel(page1), { timeout: 30_000 }).toBe("Offline");
    const commandId = await enqueueFromDevicePage(page1, "Collect inventory", {
      maintenanceWindow: true,
    });
    await setAssignee(page1, "dana");
    // Admin 2, online, sets another assignee meanwhile.
    await setAssignee(page2, "eric");
    // Admin 1 back: admin 2 sees the command and raises its priority.
    await admin1Link.restore();
    await networkBack(page1);
    await commandItem(page2, commandId).waitFor({ timeout: 60_000 });
    await commandItem(page2, commandId)
      .getByLabel(/^Priority of /)
      .selectOption("9");

    // 3. B back after three simulated days offline.
    await eventually(
      () => bTime() - bOfflineFrom >= 3 * DAY_MS,
      "three days offline for B",
      120_000,
    );
    const bOfflineUntil = bTime();
    const connectedBefore = agentB.process.lines.filter(isConnectedLine).length;
    await bLink.restore();
    const restoredAt = Date.now();
    // B waits at most a quarter of its 72 s outage before trying again (ReconnectSchedule).
    let connections = 0;
    await agentB.process.waitForLine(
      (line) => isConnectedLine(line) && ++connections > connectedBefore,
      "B reconnecting after its link was restored",
      90_000,
    );
    const reconnectedAt = Date.now();

    for (const [name, page] of [
      ["admin 1", page1],
      ["admin 2", page2],
    ] as const) {
      await expect
        .poll(() => commandStatus(page, commandId), { timeout: 120_000 })
        .toBe("succeeded")
        .catch(async (error: Error) => {
          const events = eventsOf(bDoc.doc().commands, commandId as never);
          const facts = events.map((event) => JSON.stringify(event)).join("\n");
          const shows = `${await connectionLabel(page)}, ${await pendingLabel(page)}`;
          throw new Error(
            `${name}'s page (${shows}): ${error.message}; the command's events at the relay:\n${facts}\nB's log:\n${tail(agentB)}\n${name}'s console:\n${consoles.get(page)?.slice(-20).join("\n")}`,
          );
        });
    }
    timings.reconnectAfterRestoreMs = reconnectedAt - restoredAt;
    timings.succeededAfterRestoreMs = Date.now() - restoredAt;
    // It ran inside B's maintenance window (01:00–05:00, B's local time, by B's clock).
    const command = liveCommand(bDoc.doc().commands, commandId as never);
    const started = command?.events.find((event) => event.type === "started");
    const hour = Number(
      new Intl.DateTimeFormat("en-GB", { hour: "2-digit", hourCycle: "h23" }).format(started?.at),
    );
    expect([1, 2, 3, 4]).toContain(hour);
    expect(fold(command?.spec as never, command?.events ?? []).status).toBe("succeeded");

    // B samples twice a real second: cut it off again, so what
    // the relay holds stops growing and the dashboards can be checked against it.
    await bLink.cut();
    // Past real time, B's newest samples would fall outside the charts' range (which ends now).
    expect(bTime(), "B's clock is still in the past").toBeLessThan(Date.now());
    const everySample = await settledSamples(checker, bDoc);
    // Every sample of B's days is on the relay, the three offline days included: each day B
    // closed has on the relay the count B logged when closing it. (B takes a sample when its
    // last is done: a second or so of real time, more than an hour of its own.)
    const closedByB = new Map(
      agentB.process.lines.flatMap((line) => {
        const closed = line.msg.match(/^closed telemetry day (\S+) \((\d+) samples\)$/);
        return closed ? [[closed[1] as string, Number(closed[2])] as const] : [];
      }),
    );
    const onRelay = new Map<string, number>();
    for (const t of Array.from(everySample.t)) {
      const day = new Date(t * 1000).toISOString().slice(0, 10);
      onRelay.set(day, (onRelay.get(day) ?? 0) + 1);
    }
    expect(closedByB.size).toBeGreaterThanOrEqual(3);
    for (const [day, count] of closedByB)
      expect({ day, count: onRelay.get(day) }).toEqual({ day, count });
    const offline = Array.from(everySample.t).filter(
      (t) => t * 1000 >= bOfflineFrom && t * 1000 < bOfflineUntil,
    );
    // Three days by B's clock, a sample every hour or two.
    timings.offlineSamples = offline.length;
    expect(offline.length).toBeGreaterThanOrEqual(3 * 8);

    // Both admins see the same merged state: the command, its priority, the assignee conflict.
    const seen = async (page: Page) => {
      const conflict = page.getByTestId("conflict-assignee");
      await conflict.waitFor({ timeout: 60_000 });
      return {
        status: await commandStatus(page, commandId),
        priority: await commandItem(page, commandId)
          .getByLabel(/^Priority of /)
          .inputValue(),
        assignee: await page.locator("#asset-assignee").inputValue(),
        conflict: (await conflict.textContent())?.split(";")[0],
      };
    };
    const admin1Sees = await seen(page1);
    expect(admin1Sees).toEqual(await seen(page2));
    expect(admin1Sees).toMatchObject({ status: "succeeded", priority: "9" });
    // Both values, in whichever order Automerge ranks the two writers (the same in every copy).
    expect(admin1Sees.conflict).toMatch(/^Set at the same time to (dana and eric|eric and dana)$/);

    // B's days are in both dashboards' charts, and a CSV export of them has every sample.
    for (const page of [page1, page2]) {
      await page.getByRole("radio", { name: "30 days" }).check();
      await expect
        .poll(async () => (await page.getByTestId("telemetry-summary").textContent()) ?? "", {
          timeout: 60_000,
        })
        .toContain(`${everySample.t.length.toLocaleString("en-US")} samples`);
      await page.locator('[data-metric="cpu"][data-drawn]').waitFor();
    }
    await page2.screenshot({ path: join(ARTIFACTS, "story-device.png"), fullPage: true });
    const [download] = await Promise.all([
      page2.waitForEvent("download"),
      page2.getByRole("button", { name: "Export telemetry CSV", exact: true }).click(),
    ]);
    const csv = Papa.parse<string[]>((await readFile(await download.path(), "utf8")).trimEnd());
    const exported = csv.data.slice(1).map((row) => Number(row[2]));
    expect(exported).toEqual(Array.from(everySample.t));
    timings.totalMs = Date.now() - origin;
    await writeFile(join(ARTIFACTS, "story-timings.json"), `${JSON.stringify(timings)}\n`);
    await agentA.stop();
    await agentB.stop();
  });
});

/** Starts an agent CLI in a data folder of its own against `relayUrl`; resolves once connected. */
async function startAgent(
  name: string,
  relayUrl: string,
  secret: string,
  env: Record<string, string>,
  sampleIntervalS = 10,
): Promise<{ process: AgentProcess; deviceId: string; stop: () => Promise<void> }> {
  const agent = await AgentCli.create(cleanup, {
    name: `story-${name}`,
    relayUrl,
    enrollmentSecret: secret,
    sampleIntervalS,
    env,
  });
  const process = await agent.startConnected();
  return { process, deviceId: (await agent.state()).deviceId, stop: () => agent.stop() };
}

async function setAssignee(page: Page, assignee: string): Promise<void> {
  await page.locator("#asset-assignee").fill(assignee);
  await page.locator("#asset-assignee").press("Tab");
}

/** B's samples as the relay holds them, once two reads a few seconds apart agree. */
async function settledSamples(
  checker: Repo,
  device: DocHandle<DeviceDoc>,
): Promise<TelemetryRange> {
  let previous = -1;
  for (let attempt = 0; attempt < 30; attempt += 1) {
    const samples = readRange(await bDays(checker, device), 0, Number.MAX_SAFE_INTEGER);
    if (samples.t.length === previous) return samples;
    previous = samples.t.length;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
  }
  throw new Error(`B's samples on the relay never settled (last count ${previous})`);
}

async function bDays(checker: Repo, device: DocHandle<DeviceDoc>): Promise<TelemetryDayDoc[]> {
  return Promise.all(
    Object.values(device.doc().telemetry).map(async (entry) =>
      (await checker.find<TelemetryDayDoc>(entry.url as AutomergeUrl)).doc(),
    ),
  );
}

function isConnectedLine(line: { msg: string }): boolean {
  return line.msg === "connected to the relay";
}

function tail(agent: { process: AgentProcess }): string {
  return agent.process.lines
    .map((line) => line.msg)
    .slice(-20)
    .join("\n");
}
