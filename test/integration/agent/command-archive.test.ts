/**
 * Archiving finished commands, through a real relay on loopback (docs/ARCHITECTURE.md, "Archiving
 * finished commands"): an agent whose retention is 0 days runs an admin's command, archives it
 * when it next starts, and the admin sees the mark, opens the month's archive document from the
 * relay (the command whole, its signature included), and gets an answer to a retry on it.
 */

import { join } from "node:path";
import type { AutomergeUrl } from "@automerge/automerge-repo";
import { quietMachineCommands } from "@outpost/agent/testing";
import {
  type CommandArchiveDoc,
  DEFAULT_POLICY,
  type DeviceDoc,
  eventsOf,
  fold,
  isArchived,
  liveCommand,
  plainEntry,
  validateCommandArchiveDoc,
} from "@outpost/shared-model";
import { cleanupAfterEach, eventually } from "@outpost/shared-model/testing";
import { adminReplica, certifiedAdmin, startFleet } from "@outpost/test-support";
import { describe, expect, it } from "vitest";

const cleanup = cleanupAfterEach();

describe("archiving finished commands with a real relay", () => {
  // Each start waits two sampling ticks for a load reading before it plans: ticks every second.
  it("an admin sees a finished command archived, opens its archive, and a retry on it is answered", {
    timeout: 240_000,
  }, async () => {
    const fleet = await startFleet(cleanup);
    const dataDirectory = await cleanup.tempFolder("agent");
    const commands = {
      ...quietMachineCommands(join(dataDirectory, "scripts")),
      archiveAfterDays: 0,
    };
    const first = await fleet.startAgent({ dataDirectory, commands, sampleIntervalS: 1 });
    await eventually(() => first.link.isOnline(), "the agent connecting");
    const admin = adminReplica(fleet.port, fleet.adminToken, cleanup);
    const device = await admin.find<DeviceDoc>(first.device.url);
    const alice = await certifiedAdmin(fleet.root, "alice");
    await alice.editPolicy(device, {
      allowShell: true,
      load: { ...DEFAULT_POLICY.load, sustainedS: 0 },
    });
    const id = await alice.enqueue(device, {
      kind: "shell.run",
      args: { command: "echo archived" },
    });
    const statusAtAdmin = () => {
      const command = liveCommand(device.doc().commands, id);
      return command && fold(command.spec, command.events).status;
    };
    await eventually(() => statusAtAdmin() === "succeeded", "the command succeeding", 60_000);
    await first.stop();

    // Archived when the agent starts again (and hourly): the retention is 0 days.
    const second = await fleet.startAgent({ dataDirectory, commands, sampleIntervalS: 1 });
    await eventually(() => second.link.isOnline(), "the agent connecting again");
    const mark = () => {
      const stored = device.doc().commands[id];
      const entry = stored === undefined ? undefined : plainEntry(stored);
      return entry !== undefined && isArchived(entry) ? entry.archived : undefined;
    };
    await eventually(() => mark() !== undefined, "the admin seeing the command archived", 60_000);
    expect(mark()).toMatchObject({ status: "succeeded", started: true });
    const month = mark()?.month as string;
    const index = device.doc().commandArchives?.[month as never];
    expect(index).toMatchObject({ commands: 1 });

    const archive = await admin.find<CommandArchiveDoc>(index?.url as AutomergeUrl);
    const { value, problems } = validateCommandArchiveDoc(archive.doc());
    expect(problems).toEqual([]);
    expect(value?.deviceId).toBe(second.deviceId);
    expect(value?.commands[id]).toMatchObject({
      status: "succeeded",
      command: { spec: { id, kind: "shell.run" } },
    });
    expect(value?.commands[id]?.command.spec.signature).toMatch(/\./);
    expect(
      value?.commands[id]?.command.events.find((event) => event.type === "succeeded"),
    ).toMatchObject({ outcome: { stdout: "archived\n" } });

    // A retry written to the archived command is answered where the admin wrote it.
    const retry = await alice.retry(device, id);
    await eventually(
      () =>
        eventsOf(device.doc().commands, id).some(
          (event) => event.type === "retry-declined" && event.answers === retry,
        ),
      "the agent declining the retry",
      60_000,
    );
    expect(liveCommand(second.device.doc().commands, id)).toBeUndefined();
  });
});
