import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { enqueueCommand, recordFact } from "../commands/mutators.js";
import { plainSpec } from "../commands/stored-spec.js";
import { DEFAULT_POLICY } from "../documents/create.js";
import type { CommandId } from "../ids/ids.js";
import { agentAt, aliceAt, newDeviceReplica, T0 } from "../testing/replicas.js";
import { validateDeviceDoc } from "./device-doc.js";

/** A realistic device document as plain JSON, the way it arrives from another replica. */
function sampleDoc(): Record<string, unknown> {
  let doc = newDeviceReplica();
  doc = A.change(doc, (d) => {
    enqueueCommand(
      d,
      { kind: "script.run", id: "cmd-good" as CommandId, args: { name: "cleanup" } },
      aliceAt(T0),
    );
    enqueueCommand(d, { kind: "inventory.collect", id: "cmd-other" as CommandId }, aliceAt(T0));
    recordFact(d, "cmd-good" as CommandId, { type: "accepted" }, agentAt(T0 + 1));
  });
  return A.toJS(doc) as Record<string, unknown>;
}

type Json = Record<string, never> & Record<string, unknown>;
const at = (value: unknown, ...path: string[]): Json =>
  path.reduce<unknown>((node, key) => (node as Json)[key], value) as Json;

describe("validateDeviceDoc", () => {
  it("accepts a document written by the mutators, with no problems", () => {
    const { value, problems } = validateDeviceDoc(sampleDoc());
    expect(problems).toEqual([]);
    expect(Object.keys(value?.commands ?? {}).sort()).toEqual(["cmd-good", "cmd-other"]);
  });

  // The spec is stored as its JSON (commands/stored-spec.ts); documents written before hold a map.
  it.each([
    ["as JSON", (spec: Json) => new A.ImmutableString(JSON.stringify(spec))],
    ["as a map, written before", (spec: Json) => spec],
  ])(
    "drops a command with a tampered spec stored %s, names the path, and keeps the others",
    (_, store) => {
      const doc = sampleDoc();
      const command = at(doc, "commands", "cmd-other");
      const spec = plainSpec(command.spec) as Json;
      command.spec = store({ ...spec, kind: 42 } as unknown as Json) as never;
      const { value, problems } = validateDeviceDoc(doc);
      expect(problems.map((p) => p.path)).toEqual(["commands.cmd-other.spec.kind"]);
      expect(problems[0]?.message).toBe(
        "commands.cmd-other.spec.kind: expected string, received 42",
      );
      expect(Object.keys(value?.commands ?? {})).toEqual(["cmd-good"]);
    },
  );

  it("drops a command whose spec is not JSON, naming it, and keeps the others", () => {
    const doc = sampleDoc();
    at(doc, "commands", "cmd-other").spec = new A.ImmutableString('{"id":"cmd-other",') as never;
    const { value, problems } = validateDeviceDoc(doc);
    expect(problems.map((p) => p.message)).toEqual([
      'commands.cmd-other.spec: expected a command spec as JSON, received "{\\"id\\":\\"cmd-other\\","',
    ]);
    expect(Object.keys(value?.commands ?? {})).toEqual(["cmd-good"]);
  });

  it("reads a spec stored as JSON back to the plain spec the mutators were given", () => {
    const { value } = validateDeviceDoc(sampleDoc());
    expect(value?.commands["cmd-good" as CommandId]).toMatchObject({
      spec: { id: "cmd-good", kind: "script.run", args: { name: "cleanup" }, dependsOn: [] },
    });
  });

  it("drops a malformed event but keeps the command and its good events", () => {
    const doc = sampleDoc();
    const events = at(doc, "commands", "cmd-good").events as unknown as unknown[];
    events.push({ id: "ev-bad1", type: "started", at: T0, by: "agent:x", attempt: "one" });
    events.push({ id: "ev-bad2", type: "self-destruct", at: T0, by: "agent:x" });
    const { value, problems } = validateDeviceDoc(doc);
    expect(problems.map((p) => p.path)).toEqual([
      "commands.cmd-good.events.1.attempt",
      "commands.cmd-good.events.2.type",
    ]);
    expect(value?.commands["cmd-good" as CommandId]?.events.map((e) => e.type)).toEqual([
      "accepted",
    ]);
  });

  it("rejects a command filed under a key other than its own ID", () => {
    const doc = sampleDoc();
    const commands = at(doc, "commands");
    commands["cmd-renamed"] = commands["cmd-other"] as never;
    delete commands["cmd-other"];
    const { value, problems } = validateDeviceDoc(doc);
    expect(problems[0]?.path).toBe("commands.cmd-renamed.spec.id");
    expect(value?.commands["cmd-renamed" as CommandId]).toBeUndefined();
  });

  it("leaves out a bad policy register, so one bad value does not reset the rest", () => {
    const doc = sampleDoc();
    at(doc, "policy").samplingIntervalS = { value: -5, setBy: "admin:alice", setAt: 1 } as never;
    at(doc, "policy").allowShell = { value: true, setBy: "admin:alice", setAt: 1 } as never;
    at(doc, "policy").criticalProcessPatterns = {
      value: ["(unclosed"],
      setBy: "admin:alice",
      setAt: 1,
    } as never;
    const { value, problems } = validateDeviceDoc(doc);
    expect(problems.map((p) => p.path)).toEqual([
      "policy.samplingIntervalS.value",
      "policy.criticalProcessPatterns.value.0",
    ]);
    expect(value?.policy.samplingIntervalS).toBeUndefined();
    expect(value?.policy.allowShell?.value).toBe(true);
    expect(value?.policy.criticalProcessPatterns).toBeUndefined();
  });

  it("keeps a command whose priority register was tampered with, at the default priority", () => {
    const doc = sampleDoc();
    at(doc, "commands", "cmd-good", "priority").value = 99 as never;
    const { value, problems } = validateDeviceDoc(doc);
    expect(problems.map((p) => p.path)).toEqual(["commands.cmd-good.priority.value"]);
    expect(value?.commands["cmd-good" as CommandId]?.priority?.value).toBe(5);
  });

  it("drops a telemetry entry with a bad day key or URL", () => {
    const doc = sampleDoc();
    at(doc, "telemetry")["2026-11-20"] = { url: "automerge:abc", samples: 8640 } as never;
    at(doc, "telemetry")["2026-02-30"] = { url: "automerge:def", samples: 1 } as never;
    at(doc, "telemetry")["2026-11-21"] = { url: "http://evil", samples: 1 } as never;
    const { value, problems } = validateDeviceDoc(doc);
    expect(problems.map((p) => p.path)).toEqual([
      "telemetry.2026-02-30",
      "telemetry.2026-11-21.url",
    ]);
    expect(Object.keys(value?.telemetry ?? {})).toEqual(["2026-11-20"]);
  });

  it.each([
    ["not an object", "hello", "", "expected a DeviceDoc object"],
    ["an unknown older schema", { schema: 0 }, "schema", "expected schema 2 (a DeviceDoc)"],
    ["a newer schema", { schema: 7 }, "schema", "written by a newer Outpost, upgrade this one"],
    ["a bad device ID", { schema: 1, deviceId: "../etc" }, "deviceId", "expected a device ID"],
  ])(
    "makes the whole document unusable only when its identity is broken: %s",
    (_, input, path, text) => {
      const { value, problems } = validateDeviceDoc(input);
      expect(value).toBeNull();
      expect(problems[0]?.path).toBe(path);
      expect(problems[0]?.message).toContain(text);
    },
  );

  it("never throws, whatever it is given", () => {
    for (const input of [
      null,
      undefined,
      0,
      [],
      { schema: 1, deviceId: "d1", commands: [1, 2] },
      { schema: 1, deviceId: "d1", commands: { x: null } },
    ]) {
      expect(() => validateDeviceDoc(input)).not.toThrow();
    }
  });
});

describe("validateDeviceDoc on a version-1 document", () => {
  it("still reads it, with its plain policy values left out: nobody signed them", () => {
    const doc = { ...sampleDoc(), schema: 1, policy: { ...DEFAULT_POLICY, allowShell: true } };
    const { value, problems } = validateDeviceDoc(doc);
    expect(value?.policy).toEqual({});
    expect(value?.signers).toEqual({});
    expect(problems.map((p) => p.path)).toContain("policy.allowShell");
  });
});
