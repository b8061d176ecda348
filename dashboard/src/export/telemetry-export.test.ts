import type { TelemetryRange } from "@outpost/shared-model";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { toCsvBlob, toJsonBlob } from "./table-export.js";
import { telemetryExport } from "./telemetry-export.js";

const start = Date.UTC(2026, 2, 1, 12, 0, 0) / 1000;
const range: TelemetryRange = {
  t: new Float64Array([start, start + 10, start + 20]),
  series: {
    memory: new Float64Array([2048, 2050, Number.NaN]),
    cpu: new Float64Array([12.5, Number.NaN, 99]),
    fans: new Float64Array([1]),
  },
  units: { cpu: "%", memory: "MiB", fans: "" },
};
const noWait = { yieldToBrowser: async () => {} };

describe("telemetryExport", () => {
  it("has one column per metric, by name, with its unit in the header where it has one", () => {
    const table = telemetryExport("laptop-042", range);
    expect(table.kind).toBe("telemetry");
    expect(table.keys).toEqual(["deviceId", "time", "unixSeconds", "cpu", "fans", "memory"]);
    expect(table.header).toEqual([
      "device",
      "time (UTC)",
      "unix (s)",
      "cpu (%)",
      "fans",
      "memory (MiB)",
    ]);
    expect(table.rowCount).toBe(3);
  });

  it("writes one CSV row per sample, empty where a sample lacks a metric", async () => {
    const text = await (await toCsvBlob(telemetryExport("laptop-042", range), noWait)).text();
    const rows = Papa.parse<string[]>(text.trim()).data;
    expect(rows.slice(1)).toEqual([
      ["laptop-042", "2026-03-01T12:00:00.000Z", String(start), "12.5", "1", "2048"],
      ["laptop-042", "2026-03-01T12:00:10.000Z", String(start + 10), "", "", "2050"],
      ["laptop-042", "2026-03-01T12:00:20.000Z", String(start + 20), "99", "", ""],
    ]);
  });

  it("gives JSON the units by key, the seconds included, and null for missing values", async () => {
    const json = JSON.parse(
      await (await toJsonBlob(telemetryExport("laptop-042", range), noWait)).text(),
    );
    expect(json.units).toEqual({ unixSeconds: "s", cpu: "%", memory: "MiB", fans: "" });
    expect(json.rows[1]).toEqual({
      deviceId: "laptop-042",
      time: "2026-03-01T12:00:10.000Z",
      unixSeconds: start + 10,
      cpu: null,
      fans: null,
      memory: 2050,
    });
  });

  it("exports an empty range as a header alone", async () => {
    const empty = telemetryExport("laptop-042", { t: new Float64Array(), series: {}, units: {} });
    expect(empty.rowCount).toBe(0);
    expect(await (await toCsvBlob(empty, noWait)).text()).toBe("device,time (UTC),unix (s)\r\n");
  });

  it("neutralises a device's formula-like metric in the CSV header, keeps negative readings numbers, and JSON as sent", async () => {
    const metric = '=HYPERLINK("https://evil.example","open")';
    const hostile: TelemetryRange = {
      t: new Float64Array([start]),
      series: { [metric]: new Float64Array([-5]) },
      units: { [metric]: "@unit" },
    };
    const table = telemetryExport("laptop-042", hostile);
    const text = await (await toCsvBlob(table, noWait)).text();
    const [header, row] = Papa.parse<string[]>(text.trim()).data;
    expect(header?.[3]).toBe(`'${metric} (@unit)`);
    expect(row?.[3]).toBe("-5");
    expect(text).toContain(",-5\r\n");
    const json = JSON.parse(await (await toJsonBlob(table, noWait)).text());
    expect(json.units[metric]).toBe("@unit");
    expect(json.rows[0][metric]).toBe(-5);
  });
});
