import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { FLEET_COLUMNS, type FleetColumn, type RowContext } from "../fleet/columns.js";
import { columnById } from "../fleet/fleet-query.js";
import type { FleetRow } from "../fleet/fleet-row.js";
import { fleetExport } from "./fleet-export.js";
import { toCsvBlob, toJsonBlob } from "./table-export.js";

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

const NOW = Date.UTC(2026, 2, 1, 12);
const context: RowContext = { now: NOW, isOnline: (id) => id === "dev-live" };
const columns = (...ids: string[]): FleetColumn[] => ids.map(columnById);
const noWait = { yieldToBrowser: async () => {} };

const rows = [
  fleetRow("dev-old", {
    hostname: "Desk, Paris",
    health: "critical",
    damaged: "bad doc",
    pendingCommands: 3,
    lastSampleAt: NOW - 90_000,
  }),
  fleetRow("dev-live", { hostname: "", lastSampleDay: NOW - 86_400_000 }),
  fleetRow("dev-new"),
];

describe("fleetExport", () => {
  it("exports the visible columns, the device ID added after the first one", () => {
    const table = fleetExport(rows, columns("hostname", "health", "online"), context);
    expect(table.kind).toBe("fleet");
    expect(table.keys).toEqual(["hostname", "deviceId", "health", "online"]);
    expect(table.header).toEqual(["Device", "Device ID", "Health", "Online"]);
    expect(table.rowCount).toBe(3);
  });

  it("does not repeat a device ID column that is already shown", () => {
    const table = fleetExport(rows, columns("deviceId", "pending"), context);
    expect(table.keys).toEqual(["deviceId", "pending"]);
  });

  it("exports the device ID alone when no column is visible", () => {
    expect(fleetExport(rows, [], context).keys).toEqual(["deviceId"]);
  });

  it("writes each column's export value, rows in the table's order", async () => {
    const table = fleetExport(
      rows,
      columns("hostname", "health", "online", "sinceSync", "pending", "lastSample"),
      context,
    );
    const json = JSON.parse(await (await toJsonBlob(table, noWait)).text());
    expect(json.rows).toEqual([
      {
        hostname: "Desk, Paris",
        deviceId: "dev-old",
        health: "damaged",
        online: false,
        sinceSync: 90,
        pending: 3,
        lastSample: new Date(NOW - 90_000).toISOString(),
      },
      {
        hostname: "",
        deviceId: "dev-live",
        health: "ok",
        online: true,
        sinceSync: 0,
        pending: 0,
        lastSample: new Date(NOW - 86_400_000).toISOString(),
      },
      {
        hostname: "dev-new",
        deviceId: "dev-new",
        health: "ok",
        online: false,
        sinceSync: "",
        pending: 0,
        lastSample: "",
      },
    ]);
    const csv = Papa.parse<string[]>((await (await toCsvBlob(table, noWait)).text()).trim()).data;
    expect(csv[0]).toEqual([
      "Device",
      "Device ID",
      "Health",
      "Online",
      "Since sync",
      "Pending",
      "Last sample",
    ]);
    expect(csv[1]).toEqual([
      "Desk, Paris",
      "dev-old",
      "damaged",
      "false",
      "90",
      "3",
      json.rows[0].lastSample,
    ]);
  });

  it("covers every fleet column", () => {
    const table = fleetExport(rows, FLEET_COLUMNS, context);
    expect(table.keys).toEqual(FLEET_COLUMNS.map((column) => column.id));
    for (const row of table.rows()) expect(row).toHaveLength(FLEET_COLUMNS.length);
  });

  it("neutralises a device's formula-like hostname and asset text in CSV; JSON keeps them", async () => {
    const hostile = fleetRow("dev-hostile", {
      hostname: '=HYPERLINK("https://evil.example","open")',
      assignee: "\t=1+1",
      pendingCommands: 2,
    });
    const table = fleetExport([hostile], columns("hostname", "assignee", "pending"), context);
    const csv = Papa.parse<string[]>((await (await toCsvBlob(table, noWait)).text()).trim()).data;
    expect(csv[1]).toEqual([`'${hostile.hostname}`, "dev-hostile", "'\t=1+1", "2"]);
    const json = JSON.parse(await (await toJsonBlob(table, noWait)).text());
    expect(json.rows[0]).toEqual({
      hostname: hostile.hostname,
      deviceId: "dev-hostile",
      assignee: "\t=1+1",
      pending: 2,
    });
  });
});
