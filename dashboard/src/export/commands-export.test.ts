import * as A from "@automerge/automerge";
import {
  type ArchiveMonth,
  addNote,
  type Command,
  type CommandId,
  createDeviceDoc,
  DEFAULT_RETRY_POLICY,
  enqueueCommand,
  liveCommand,
  liveCommands,
  parseCommandId,
  parseDeviceId,
  parseEventId,
  plainEntry,
  recordFact,
  type StoredCommandEntry,
  type ValidCommandArchive,
} from "@outpost/shared-model";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { commandsExport } from "./commands-export.js";
import { toCsvBlob, toJsonBlob } from "./table-export.js";

const deviceId = parseDeviceId("laptop-042");
const agent = (at: number) => ({ by: `agent:${deviceId}`, at });
const admin = (at: number) => ({ by: "admin:alice", at });

/** Three commands, enqueued out of order: one failed, one rejected, one running. */
function deviceDoc() {
  const doc = createDeviceDoc(deviceId);
  const enqueue = (id: string, kind: string, createdAt: number, priority?: number) => {
    const commandId: CommandId = parseCommandId(id);
    enqueueCommand(
      doc,
      { id: commandId, kind, args: { name: "backup", args: ["--full", "a,b"] }, priority },
      admin(createdAt),
    );
    return commandId;
  };
  const failed = enqueue("cmd-bbbb", "script.run", 1_000, 7);
  recordFact(doc, failed, { type: "started", attempt: 1 }, agent(4_000));
  recordFact(
    doc,
    failed,
    { type: "failed", outcome: { exitCode: 2, durationMs: 9 } },
    agent(5_000),
  );
  addNote(doc, failed, "looking into it", admin(6_000));
  const rejected = enqueue("cmd-zzzz", "service.restart", 500);
  recordFact(doc, rejected, { type: "rejected", reason: "unknown service" }, agent(600));
  const running = enqueue("cmd-aaaa", "inventory.collect", 1_000);
  recordFact(doc, running, { type: "started", attempt: 1 }, agent(3_000));
  return doc;
}

const noWait = { yieldToBrowser: async () => {} };

describe("commandsExport", () => {
  it("heads its columns, UTC on the times", () => {
    const table = commandsExport(deviceId, deviceDoc());
    expect(table.kind).toBe("commands");
    expect(table.rowCount).toBe(3);
    expect(table.header).toContain("createdAt (UTC)");
    expect(table.header).toContain("endedAt (UTC)");
    expect(table.header).toHaveLength(table.keys.length);
  });

  it("writes one row per command, oldest first, ties by ID, with its state now", async () => {
    const json = JSON.parse(
      await (await toJsonBlob(commandsExport(deviceId, deviceDoc()), noWait)).text(),
    );
    expect(json.rows.map((row: { commandId: string }) => row.commandId)).toEqual([
      "cmd-zzzz",
      "cmd-aaaa",
      "cmd-bbbb",
    ]);
    const [rejected, running, failed] = json.rows;
    expect(rejected).toMatchObject({
      status: "rejected",
      reason: "unknown service",
      attempts: 0,
      exitCode: null,
      endedAt: "",
      createdAt: new Date(500).toISOString(),
      createdBy: "admin:alice",
      priority: 5,
    });
    expect(running).toMatchObject({ status: "running", attempts: 1, endedAt: "", events: 1 });
    expect(failed).toMatchObject({
      deviceId: "laptop-042",
      kind: "script.run",
      status: "failed",
      reason: "",
      attempts: 1,
      exitCode: 2,
      priority: 7,
      endedAt: new Date(5_000).toISOString(),
      events: 3,
    });
    expect(JSON.parse(failed.args)).toEqual({ name: "backup", args: ["--full", "a,b"] });
  });

  it("keeps the args' JSON one CSV cell, its commas and quotes escaped", async () => {
    const text = await (await toCsvBlob(commandsExport(deviceId, deviceDoc()), noWait)).text();
    const [header, first] = Papa.parse<string[]>(text.trim()).data;
    expect(first).toHaveLength(header?.length ?? -1);
    // Keys in code-unit order: as Automerge hands out a map's keys, and the stored spec's JSON is
    // canonical (shared-model commands/stored-spec.ts).
    expect(first?.[header?.indexOf("args") ?? -1]).toBe(
      '{"args":["--full","a,b"],"name":"backup"}',
    );
    expect(first?.[header?.indexOf("exitCode") ?? -1]).toBe("");
  });

  it("neutralises what a device forged into a command in CSV; JSON keeps it, exit codes stay numbers", async () => {
    const doc = createDeviceDoc(deviceId);
    const id = parseCommandId("cmd-forged");
    // As a device can write it into its own DeviceDoc, past every check of enqueueCommand.
    doc.commands[id] = {
      spec: {
        id,
        kind: "=cmd|' /C calc'!A0",
        args: {},
        createdBy: "+admin:alice",
        createdAt: 1_000,
        dependsOn: [],
        window: "any",
        retry: DEFAULT_RETRY_POLICY,
      },
      priority: { value: 5, setBy: "@admin", setAt: 1_000 },
      events: [
        { id: parseEventId("ev-1"), at: 2_000, by: agent(0).by, type: "started", attempt: 1 },
        {
          id: parseEventId("ev-2"),
          at: 3_000,
          by: agent(0).by,
          type: "failed",
          outcome: { exitCode: -1, durationMs: 5 },
        },
      ],
    };
    const table = commandsExport(deviceId, doc);
    const text = await (await toCsvBlob(table, noWait)).text();
    const [header = [], row = []] = Papa.parse<string[]>(text.trim()).data;
    const cell = (key: string) => row[header.indexOf(key)];
    expect(cell("kind")).toBe("'=cmd|' /C calc'!A0");
    expect(cell("createdBy")).toBe("'+admin:alice");
    expect(cell("exitCode")).toBe("-1");
    const [json] = JSON.parse(await (await toJsonBlob(table, noWait)).text()).rows;
    expect(json).toMatchObject({
      kind: "=cmd|' /C calc'!A0",
      createdBy: "+admin:alice",
      exitCode: -1,
    });
  });

  it("exports and folds a command written with ImmutableStrings as one written with text strings", async () => {
    const written = deviceDoc();
    const intoDocument = (convert: (command: unknown) => unknown) =>
      A.change(A.from(createDeviceDoc(deviceId)), (d) => {
        for (const [id, command] of Object.entries(written.commands))
          (d.commands as Record<string, unknown>)[id] = convert(command);
      });
    // The mutators store strings as scalars and the spec as JSON; a document written before holds
    // them as text, and the spec as a map.
    const scalars = intoDocument((command) => command);
    const text = intoDocument((command) => plainEntry(command as StoredCommandEntry));
    const specOf = (doc: typeof scalars) =>
      (doc.commands[parseCommandId("cmd-bbbb")] as { spec: { kind?: unknown } }).spec;
    expect(A.isImmutableString(specOf(scalars))).toBe(true);
    expect(typeof specOf(text).kind).toBe("string");

    const csvOf = async (doc: typeof scalars) =>
      (await toCsvBlob(commandsExport(deviceId, doc), noWait)).text();
    expect(await csvOf(scalars)).toBe(await csvOf(text));
    expect(await csvOf(scalars)).toContain("script.run");
    expect(liveCommands(scalars.commands)).toEqual(liveCommands(text.commands));
  });

  it("includes archived commands on request, each naming its month; a live copy shows once", async () => {
    const doc = deviceDoc();
    const failed = parseCommandId("cmd-bbbb");
    const archivedCommand = structuredClone(liveCommand(doc.commands, failed)) as Command;
    const oldId = parseCommandId("cmd-old1");
    const archive: ValidCommandArchive = {
      deviceId,
      month: "2026-10" as ArchiveMonth,
      commands: {
        [oldId]: {
          command: {
            ...structuredClone(archivedCommand),
            spec: { ...archivedCommand.spec, id: oldId, createdAt: 100 },
          },
          status: "failed",
          archivedAt: 9_000,
        },
        [failed]: { command: archivedCommand, status: "failed", archivedAt: 9_000 },
      },
    };
    const json = JSON.parse(
      await (await toJsonBlob(commandsExport(deviceId, doc, [archive]), noWait)).text(),
    );
    expect(
      json.rows.map((row: { commandId: string; archived: string }) => [
        row.commandId,
        row.archived,
      ]),
    ).toEqual([
      ["cmd-old1", "2026-10"],
      ["cmd-zzzz", ""],
      ["cmd-aaaa", ""],
      ["cmd-bbbb", ""],
    ]);
    expect(json.rows[0]).toMatchObject({ status: "failed", exitCode: 2, events: 3 });
  });
});
