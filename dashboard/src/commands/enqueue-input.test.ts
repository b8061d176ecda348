import type { CommandId } from "@outpost/shared-model";
import { describe, expect, it } from "vitest";
import { type EnqueueFields, enqueueInputOf } from "./enqueue-input.js";

/** A form as it opens (the first kind, nothing typed), with `changes` applied. */
function fields(changes: Partial<EnqueueFields> = {}): EnqueueFields {
  return {
    kind: "inventory.collect",
    values: {},
    priority: 5,
    maintenance: false,
    notBefore: "",
    expiresAt: "",
    dedupeKey: "",
    dependsOn: [],
    ...changes,
  };
}

const local = (value: string) => new Date(value).getTime();

describe("enqueueInputOf", () => {
  it("makes a command with only what was set: no times, key or dependencies", () => {
    expect(enqueueInputOf(fields())).toEqual({
      input: { kind: "inventory.collect", args: {}, priority: 5, window: "any" },
    });
  });

  it("takes every field as entered: args and key trimmed, local times, dependencies", () => {
    const dependsOn = ["c-1", "c-2"] as CommandId[];
    const result = enqueueInputOf(
      fields({
        kind: "shell.run",
        values: { command: "  systemctl status cups " },
        priority: 7,
        maintenance: true,
        notBefore: "2026-11-21T22:00",
        expiresAt: "2026-11-22T06:00",
        dedupeKey: " cups-check ",
        dependsOn,
      }),
    );
    expect(result).toEqual({
      input: {
        kind: "shell.run",
        args: { command: "systemctl status cups" },
        priority: 7,
        window: "maintenance",
        notBefore: local("2026-11-21T22:00"),
        expiresAt: local("2026-11-22T06:00"),
        dedupeKey: "cups-check",
        dependsOn: ["c-1", "c-2"],
      },
    });
    // The form's list is copied, not shared with the document the input is written into.
    expect("input" in result && result.input.dependsOn).not.toBe(dependsOn);
  });

  it("keeps one time without the other, and leaves out a blank dedupe key", () => {
    expect(enqueueInputOf(fields({ expiresAt: "2026-11-22T06:00", dedupeKey: "   " }))).toEqual({
      input: {
        kind: "inventory.collect",
        args: {},
        priority: 5,
        window: "any",
        expiresAt: local("2026-11-22T06:00"),
      },
    });
    expect(enqueueInputOf(fields({ notBefore: "2026-11-21T22:00" }))).toMatchObject({
      input: { notBefore: local("2026-11-21T22:00") },
    });
  });

  it("names a missing required argument, or a bad one, by its label", () => {
    expect(enqueueInputOf(fields({ kind: "shell.run" }))).toEqual({
      problem: "Command is required",
    });
    expect(
      enqueueInputOf(
        fields({
          kind: "script.run",
          values: { name: "backup.sh", sha256: "a".repeat(64), timeoutS: "soon" },
        }),
      ),
    ).toEqual({ problem: 'Timeout (s) must be a positive number, not "soon"' });
  });

  it.each([
    ["before", "2026-11-21T21:00"],
    ["at", "2026-11-21T22:00"],
  ])("refuses an expiry %s Not before", (_, expiresAt) => {
    expect(enqueueInputOf(fields({ notBefore: "2026-11-21T22:00", expiresAt }))).toEqual({
      problem: "Expires must be after Not before",
    });
  });

  it("refuses a kind the dashboard has no form for", () => {
    expect(enqueueInputOf(fields({ kind: "disk.wipe" }))).toEqual({
      problem: 'No command kind "disk.wipe" in this dashboard',
    });
  });

  it("passes the priority through: the shared model checks its range when it is written", () => {
    expect(enqueueInputOf(fields({ priority: 12 }))).toMatchObject({ input: { priority: 12 } });
  });
});
