import { describe, expect, it } from "vitest";
import type { RowContext } from "./columns.js";
import { columnById, DEFAULT_QUERY, type FleetQuery, queryFleet } from "./fleet-query.js";
import type { FleetRow } from "./fleet-row.js";

function fleetRow(deviceId: string, fields: Partial<FleetRow> = {}): FleetRow {
  return {
    deviceId,
    deviceDocUrl: `automerge:${deviceId}`,
    hostname: deviceId,
    loaded: true,
    source: "device",
    health: "ok",
    healthReasons: [],
    pendingCommands: 0,
    failedCommands: 0,
    lifecycle: "deployed",
    assignee: "",
    location: "",
    tags: [],
    os: "",
    model: "",
    enrolledAt: 0,
    ...fields,
  };
}

const NOW = Date.UTC(2026, 5, 1);
const onlineDevices = new Set(["dev-b"]);
const context: RowContext = { now: NOW, isOnline: (id) => onlineDevices.has(id) };

const rows: FleetRow[] = [
  fleetRow("dev-c", {
    hostname: "Laptop-Berlin",
    assignee: "Alice Martin",
    location: "Berlin HQ",
    model: "Lenovo T14",
    os: "Ubuntu 24.04",
    tags: ["finance"],
    health: "critical",
    failedCommands: 2,
    pendingCommands: 1,
    lastSampleDay: NOW - 3 * 86_400_000,
  }),
  fleetRow("dev-a", {
    hostname: "desk-paris",
    assignee: "Bob",
    location: "Paris",
    model: "Dell OptiPlex",
    os: "Windows 11",
    tags: ["reception", "kiosk"],
    health: "warning",
    lifecycle: "in-repair",
    pendingCommands: 4,
    lastSampleAt: NOW - 60_000,
  }),
  fleetRow("dev-b", {
    hostname: "laptop-rome",
    assignee: "Carla",
    location: "Rome",
    model: "Apple MacBook",
    os: "macOS 15",
    health: "unknown",
    lastSampleAt: NOW - 3_600_000,
    revokedAt: NOW - 60_000,
  }),
];

function ids(query: Partial<FleetQuery>): string[] {
  return queryFleet(rows, { ...DEFAULT_QUERY, ...query }, context).map((row) => row.deviceId);
}

describe("queryFleet search", () => {
  it.each([
    ["hostname", "laptop", ["dev-c", "dev-b"]],
    ["device ID", "DEV-A", ["dev-a"]],
    ["assignee", "martin", ["dev-c"]],
    ["location", "paris", ["dev-a"]],
    ["model", "macbook", ["dev-b"]],
    ["OS", "windows", ["dev-a"]],
    ["tags", "kiosk", ["dev-a"]],
  ])("matches the %s, case-insensitively", (_field, search, expected) => {
    expect(ids({ search })).toEqual(expected);
  });

  it("needs every word to match, each in any field", () => {
    expect(ids({ search: "  laptop   berlin " })).toEqual(["dev-c"]);
    expect(ids({ search: "laptop finance" })).toEqual(["dev-c"]);
    expect(ids({ search: "laptop paris" })).toEqual([]);
  });

  it("selects everything for a blank search", () => {
    expect(ids({ search: "   " })).toHaveLength(3);
  });
});

describe("queryFleet filters", () => {
  it("keeps only the health asked for", () => {
    expect(ids({ health: "critical" })).toEqual(["dev-c"]);
    expect(ids({ health: "ok" })).toEqual([]);
  });

  it("keeps online or offline devices by the context's answer", () => {
    expect(ids({ online: "online" })).toEqual(["dev-b"]);
    expect(ids({ online: "offline" })).toEqual(["dev-a", "dev-c"]);
  });

  it("keeps one lifecycle", () => {
    expect(ids({ lifecycle: "in-repair" })).toEqual(["dev-a"]);
  });

  it("keeps only devices with failed commands when asked", () => {
    expect(ids({ failedOnly: true })).toEqual(["dev-c"]);
  });

  it("keeps revoked devices, or the others", () => {
    expect(ids({ access: "revoked" })).toEqual(["dev-b"]);
    expect(ids({ access: "active" })).toEqual(["dev-a", "dev-c"]);
  });

  it("combines filters and search", () => {
    expect(ids({ search: "laptop", online: "offline", health: "critical" })).toEqual(["dev-c"]);
    expect(ids({ search: "laptop", failedOnly: true, health: "unknown" })).toEqual([]);
  });
});

describe("queryFleet sort", () => {
  it.each([
    ["hostname", ["dev-a", "dev-c", "dev-b"]],
    ["deviceId", ["dev-a", "dev-b", "dev-c"]],
    ["health", ["dev-c", "dev-a", "dev-b"]],
    ["pending", ["dev-b", "dev-c", "dev-a"]],
    ["lastSample", ["dev-c", "dev-b", "dev-a"]],
    ["sinceSync", ["dev-b", "dev-a", "dev-c"]],
    ["assignee", ["dev-c", "dev-a", "dev-b"]],
  ])("sorts by %s ascending and descending", (column, ascending) => {
    expect(ids({ sort: { column, descending: false } })).toEqual(ascending);
    expect(ids({ sort: { column, descending: true } })).toEqual([...ascending].reverse());
  });

  it("breaks ties by device ID, ascending either way, whatever the input order", () => {
    const tied = [fleetRow("z-9"), fleetRow("a-1"), fleetRow("m-5")];
    for (const descending of [false, true]) {
      const query = { ...DEFAULT_QUERY, sort: { column: "failed", descending } };
      const forward = queryFleet(tied, query, context).map((row) => row.deviceId);
      const backward = queryFleet([...tied].reverse(), query, context).map((row) => row.deviceId);
      expect(forward).toEqual(["a-1", "m-5", "z-9"]);
      expect(backward).toEqual(forward);
    }
  });

  it("sorts numbers as numbers, not as text", () => {
    const counts = [fleetRow("x", { failedCommands: 10 }), fleetRow("y", { failedCommands: 9 })];
    const query = { ...DEFAULT_QUERY, sort: { column: "failed", descending: false } };
    expect(queryFleet(counts, query, context).map((row) => row.deviceId)).toEqual(["y", "x"]);
  });

  it("falls back to the device column for an unknown column", () => {
    expect(columnById("gone").id).toBe("hostname");
    expect(ids({ sort: { column: "gone", descending: false } })).toEqual([
      "dev-a",
      "dev-c",
      "dev-b",
    ]);
  });

  it("does not reorder its input", () => {
    const input = [...rows];
    queryFleet(
      input,
      { ...DEFAULT_QUERY, sort: { column: "deviceId", descending: true } },
      context,
    );
    expect(input).toEqual(rows);
  });
});
