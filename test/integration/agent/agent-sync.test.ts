/**
 * The agent against a real relay on loopback: presence reaches an admin without a write, a relay
 * restarted mid-sync still ends up with every sample, and a revoked token is one clear error
 * while the agent keeps collecting.
 */

import { join } from "node:path";
import { type Agent, SimulatedClock } from "@outpost/agent";
import { quietMachineCommands } from "@outpost/agent/testing";
import {
  DAY_MS,
  type Day,
  DEFAULT_POLICY,
  type DeviceDoc,
  eventsOf,
  fold,
  isPresenceMessage,
  liveCommand,
  type PresenceMessage,
} from "@outpost/shared-model";
import {
  cleanupAfterEach,
  eventually,
  LEVEL,
  recordingLogger,
} from "@outpost/shared-model/testing";
import {
  adminReplica,
  certifiedAdmin,
  samplesOnRelayDisk,
  startFleet,
  untilAcknowledged,
} from "@outpost/test-support";
import { describe, expect, it } from "vitest";

const cleanup = cleanupAfterEach();

const START = Date.parse("2026-11-20T00:00:00Z");

async function setUp(options: {
  relayUp: boolean;
  presenceIntervalMs?: number;
  commands?: boolean;
  /** Simulated time the agent runs through before the test goes on; a day and a tick by default. */
  holdAfterMs?: number;
}) {
  const fleet = await startFleet(cleanup, { stopped: true });
  const agentData = await cleanup.tempFolder("agent");
  // The fleet's root, which the agent pins at enrollment: it runs what the admins this root certified signed.
  const root = fleet.root;
  let relay = options.relayUp ? await fleet.startRelay() : undefined;
  const { logger, at, lines } = recordingLogger();
  const clock = new SimulatedClock(START);
  clock.holdAt(START + (options.holdAfterMs ?? DAY_MS)); // by default a full day, then a tick
  const agent: Agent = await fleet.startAgent({
    dataDirectory: agentData,
    clock,
    logger,
    presenceIntervalMs: options.presenceIntervalMs,
    commands: options.commands
      ? quietMachineCommands(join(agentData, "scripts"), () => clock.now())
      : undefined,
  });
  return {
    fleet,
    root,
    agent,
    clock,
    at,
    lines,
    async restartRelay() {
      await relay?.stop();
      relay = await fleet.startRelay();
    },
    async stopAgentAndRelay() {
      await agent.stop();
      await relay?.stop();
    },
  };
}

describe("the agent with a real relay", () => {
  // Budgets are several times what these take here (2-12 s): a relay, an agent simulating hours
  // of samples and an admin replica share two cores with whatever else CI runs.
  it("runs a command an admin enqueues through the relay, and the admin sees the outcome", {
    timeout: 60_000,
  }, async () => {
    const setup = await setUp({ relayUp: true, commands: true, holdAfterMs: 600_000 });
    await setup.clock.whenHeld();
    await eventually(() => setup.agent.link.isOnline(), "the agent connecting");
    const admin = adminReplica(setup.fleet.port, setup.fleet.adminToken, cleanup);
    const device = await admin.find<DeviceDoc>(setup.agent.device.url);
    const alice = await certifiedAdmin(setup.root, "alice");
    await alice.editPolicy(device, {
      allowShell: true,
      load: { ...DEFAULT_POLICY.load, sustainedS: 0 },
    });
    const id = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "echo hello from $(uname -s)" },
    });
    const stateAtAdmin = () => {
      const command = liveCommand(device.doc().commands, id);
      return command && fold(command.spec, command.events);
    };
    await eventually(
      () => stateAtAdmin()?.status === "succeeded",
      "the admin seeing the command succeed",
    );
    expect(stateAtAdmin()).toMatchObject({
      outcome: { exitCode: 0, stdout: "hello from Linux\n" },
    });
    expect(eventsOf(device.doc().commands, id).map((e) => e.type)).toEqual([
      "accepted",
      "started",
      "succeeded",
    ]);
  });

  it("sends presence heartbeats an admin receives, without writing the device document", {
    timeout: 60_000,
  }, async () => {
    const setup = await setUp({ relayUp: true, presenceIntervalMs: 100, holdAfterMs: 600_000 });
    await setup.clock.whenHeld();
    await eventually(() => setup.agent.link.isOnline(), "the agent connecting");
    const admin = adminReplica(setup.fleet.port, setup.fleet.adminToken, cleanup);
    const handle = await admin.find<DeviceDoc>(setup.agent.device.url);
    const headsBefore = setup.agent.device.heads();
    const beats: PresenceMessage[] = [];
    handle.on("ephemeral-message", ({ message }) => {
      if (isPresenceMessage(message)) beats.push(message);
    });
    await eventually(() => beats.length >= 3, "three heartbeats at the admin");
    expect(beats[0]?.deviceId).toBe(setup.agent.deviceId);
    expect(setup.agent.device.heads()).toEqual(headsBefore);
  });

  it("delivers every sample when the relay restarts in the middle of a sync", {
    timeout: 120_000,
  }, async () => {
    const setup = await setUp({ relayUp: false });
    await setup.clock.whenHeld();
    const day = "2026-11-20" as Day;
    const url = setup.agent.days.urlOf(day) as string;
    await setup.restartRelay();
    // The moment the connection opens, sync of the day's 1,440 changes starts: cut it there.
    await eventually(() => setup.agent.link.isOnline(), "the first connection", 30_000);
    await setup.restartRelay();
    await untilAcknowledged(setup.agent, [day], 30_000);
    await setup.stopAgentAndRelay();
    expect(await samplesOnRelayDisk(setup.fleet.relayData, [url])).toEqual([1_440]);
  });

  it("keeps collecting after its token is revoked, with one clear error however often it retries", {
    timeout: 120_000,
  }, async () => {
    const setup = await setUp({ relayUp: true });
    await setup.clock.whenHeld();
    await eventually(() => setup.agent.link.isOnline(), "the agent connecting");
    // An admin revokes the device: its token is refused from then on.
    const revoked = await fetch(
      `${setup.fleet.relayUrl}/v1/devices/${setup.agent.deviceId}/revoke`,
      { method: "POST", headers: { authorization: `Bearer ${setup.fleet.adminToken}` } },
    );
    expect(revoked.status).toBe(200);
    await eventually(() => setup.agent.link.state?.kind === "unauthorized", "the 401");
    // Let it retry many times (fast backoff) while an hour of samples goes by.
    const retries = () => setup.lines.filter((l) => String(l.msg).startsWith("still unauthorized"));
    await eventually(() => retries().length >= 5, "five more refused attempts", 30_000);
    const day = "2026-11-21" as Day;
    const before = setup.agent.days.currentDay === day ? samplesOf(setup.agent, day) : 0;
    setup.clock.release(START + DAY_MS + 3_600_000);
    await setup.clock.whenHeld();
    expect(await samplesOf(setup.agent, day)).toBe((await before) + 60);
    const errors = setup.at(LEVEL.error);
    expect(errors.map((l) => l.msg)).toEqual([
      expect.stringMatching(
        /the relay (refused the token \(HTTP 401|closed the connection: token of device:.* revoked)/,
      ),
    ]);
  });
});

async function samplesOf(agent: Agent, day: Day): Promise<number> {
  const doc = (await agent.days.handle(day))?.doc();
  return Object.values(doc?.hours ?? {}).reduce((n, bucket) => n + bucket.t.length, 0);
}
