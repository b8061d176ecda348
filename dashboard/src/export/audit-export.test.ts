import type { AuditEntry } from "@outpost/shared-model";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { auditExport } from "./audit-export.js";
import { toCsvBlob, toJsonBlob } from "./table-export.js";

const entries: AuditEntry[] = [
  { at: Date.UTC(2026, 2, 1, 9), actor: "admin:alice", action: "policy-applied", detail: "b" },
  {
    at: Date.UTC(2026, 2, 1, 8),
    actor: "agent:laptop-042",
    action: "command-started",
    detail: 'ran "update", then rebooted',
  },
];

describe("auditExport", () => {
  it("lists the entries oldest first, times in ISO 8601 UTC", async () => {
    const table = auditExport("laptop-042", entries);
    expect(table.kind).toBe("audit");
    expect(table.rowCount).toBe(2);
    const text = await (await toCsvBlob(table, { yieldToBrowser: async () => {} })).text();
    expect(Papa.parse<string[]>(text.trim()).data).toEqual([
      ["device", "at (UTC)", "actor", "action", "detail"],
      [
        "laptop-042",
        "2026-03-01T08:00:00.000Z",
        "agent:laptop-042",
        "command-started",
        'ran "update", then rebooted',
      ],
      ["laptop-042", "2026-03-01T09:00:00.000Z", "admin:alice", "policy-applied", "b"],
    ]);
  });

  it("leaves the caller's list in its order", () => {
    const input = [...entries];
    auditExport("laptop-042", input);
    expect(input).toEqual(entries);
  });

  it("neutralises a device's formulas in actor, action and detail in CSV; JSON keeps them", async () => {
    const hostile: AuditEntry = {
      at: Date.UTC(2026, 2, 1, 10),
      actor: "@SUM(1+9)*cmd|' /C calc'!A0",
      action: "-2+3",
      detail: "=1+1\nand a second line",
    };
    const table = auditExport("laptop-042", [hostile]);
    const text = await (await toCsvBlob(table, { yieldToBrowser: async () => {} })).text();
    expect(Papa.parse<string[]>(text.trim()).data[1]?.slice(2)).toEqual([
      `'${hostile.actor}`,
      `'${hostile.action}`,
      `'${hostile.detail}`,
    ]);
    const json = JSON.parse(
      await (await toJsonBlob(table, { yieldToBrowser: async () => {} })).text(),
    );
    expect(json.rows[0]).toMatchObject({
      actor: hostile.actor,
      action: hostile.action,
      detail: hostile.detail,
    });
  });
});
