/**
 * `npm start` for real (scripts/start/main.ts in a child process): a relay on loopback with the
 * built dashboard, an agent for this machine and three demo devices; Ctrl-C stops it all with
 * exit code 0; a second start resumes with the same data, token and devices.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import {
  type DeviceDoc,
  type FleetDevice,
  type FleetDoc,
  type FleetTrust,
  openRootKey,
  readRange,
  type TelemetryDayDoc,
  toPlain,
} from "@outpost/shared-model";
import { cleanupAfterAll, eventually, freePort } from "@outpost/shared-model/testing";
import { adminReplica } from "@outpost/test-support";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = fileURLToPath(new URL("../../scripts/start/main.ts", import.meta.url));
const DEMO_DEVICES = 3;

// The test's own failure is what matters: stopping a part that already died must not hide it.
const cleanup = cleanupAfterAll({ ignoreFailures: true });

describe("npm start", () => {
  it("runs a relay, this machine's agent and demo devices, stops on Ctrl-C and resumes", {
    timeout: 300_000,
  }, async () => {
    const data = await cleanup.tempFolder("npm-start");
    const port = await freePort();
    const args = ["--port", String(port), "--data", data];

    const first = startOutpost([...args, "--demo-devices", String(DEMO_DEVICES)]);
    const running = await first.waitFor(/^Outpost is running\. Dashboard: (\S+)$/);
    const link = new URL(running[1] as string);
    expect(link.origin).toBe(`http://127.0.0.1:${port}`);
    const token = link.searchParams.get("token") as string;
    expect(first.output.join("\n")).toContain(`${DEMO_DEVICES} demo devices added`);
    // The fleet's root key, made on the first run, its recovery key kept in the data folder.
    const rootKeyFile = join(data, "root-recovery-key");
    expect((await stat(rootKeyFile)).mode & 0o777).toBe(0o600);
    const recoveryKey = await readFile(rootKeyFile, "utf8");
    const root = await openRootKey(recoveryKey);
    expect(first.output).toContain(`The fleet's root key is made (${root.fleet}).`);

    // The link's token is an admin's; the relay serves the dashboard.
    const session = await fetch(`${link.origin}/v1/session`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(session.status).toBe(200);
    const { fleetDocUrl, trust } = (await session.json()) as {
      fleetDocUrl: string;
      trust: FleetTrust;
    };
    expect(trust).toMatchObject({ rootPublicKey: root.publicKey, fleet: root.fleet });
    expect(await (await fetch(`${link.origin}/`)).text()).toContain("<title>");

    // The fleet: this machine's agent, enrolled, and the demo devices with days of telemetry.
    // The peer ID must name the token's admin (`npm start` signs in as admin:admin).
    const admin = adminReplica(port, token, cleanup, "admin");
    await eventually(() => admin.peers.length > 0, "the admin replica connected", 30_000);
    const fleet = await admin.find<FleetDoc>(fleetDocUrl as AutomergeUrl);
    await eventually(
      () => Object.keys(fleet.doc().devices).length === DEMO_DEVICES + 1,
      "the agent and the demo devices in the fleet",
      60_000,
    );
    const entries = Object.values(fleet.doc().devices).map((entry) => toPlain<FleetDevice>(entry));
    const demo = entries.filter((entry) => entry.hostname.startsWith("lt-"));
    expect(demo).toHaveLength(DEMO_DEVICES);
    const device = await admin.find<DeviceDoc>(demo[0]?.deviceDocUrl as AutomergeUrl);
    expect(device.doc().inventory?.hostname).toBe(demo[0]?.hostname);
    const days = Object.values(device.doc().telemetry);
    expect(days.length).toBeGreaterThanOrEqual(2);
    const dayDocs = await Promise.all(
      days.map(async (day) => (await admin.find<TelemetryDayDoc>(day.url as AutomergeUrl)).doc()),
    );
    // Three days at 5 minutes, less the nights asleep and trips away it drew.
    expect(readRange(dayDocs, 0, Date.now()).t.length).toBeGreaterThan(100);

    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    expect(first.output).toContain("Stopped.");

    // The second start: same token, same devices, nothing added again.
    const second = startOutpost([...args, "--demo-devices", String(DEMO_DEVICES)]);
    const again = await second.waitFor(/^Outpost is running\. Dashboard: (\S+)$/);
    expect(again[1]).toBe(link.href);
    expect(second.output.join("\n")).not.toContain("root key is made");
    expect(await readFile(rootKeyFile, "utf8")).toBe(recoveryKey);
    expect(second.output.join("\n")).toContain(`0 demo devices added; ${DEMO_DEVICES} were there`);
    await eventually(
      () => second.output.some((line) => line.includes("connected to the relay")),
      "the agent reconnecting with its saved credentials",
      60_000,
    );
    const resumed = await (await fetch(`${link.origin}/healthz`)).json();
    expect(resumed).toMatchObject({ enrolledDevices: DEMO_DEVICES + 1 });
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
  });
});

/** `npm start` as a child process, its output collected line by line. */
function startOutpost(args: string[]): {
  child: ChildProcess;
  output: string[];
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, INIT_CWD: ROOT },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream as NodeJS.ReadableStream }).on("line", (line) =>
      output.push(line),
    );
  }
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  cleanup.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  return {
    child,
    output,
    exited,
    async waitFor(pattern, timeoutMs = 180_000) {
      let match: RegExpMatchArray | null = null;
      await eventually(
        () => {
          match = output.map((line) => line.match(pattern)).find((found) => found !== null) ?? null;
          return match !== null || child.exitCode !== null;
        },
        `a line matching ${pattern}`,
        timeoutMs,
      );
      if (match === null) throw new Error(`npm start exited early:\n${output.join("\n")}`);
      return match;
    },
  };
}
