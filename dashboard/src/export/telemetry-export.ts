import type { TelemetryRange } from "@outpost/shared-model";
import type { Cell, TableExport } from "./table-export.js";

/**
 * A device's telemetry over a range: one row per sample, time in ISO 8601 (UTC) and Unix
 * seconds, then one column per metric with its unit in the header (`cpu (%)`). An empty cell is
 * a sample without that metric.
 */
export function telemetryExport(deviceId: string, range: TelemetryRange): TableExport {
  const metrics = Object.keys(range.series).sort();
  return {
    kind: "telemetry",
    keys: ["deviceId", "time", "unixSeconds", ...metrics],
    header: [
      "device",
      "time (UTC)",
      "unix (s)",
      ...metrics.map((name) => (range.units[name] ? `${name} (${range.units[name]})` : name)),
    ],
    units: { unixSeconds: "s", ...range.units },
    rowCount: range.t.length,
    *rows() {
      for (let index = 0; index < range.t.length; index += 1) {
        const seconds = range.t[index] as number;
        const row: Cell[] = [deviceId, new Date(seconds * 1000).toISOString(), seconds];
        for (const name of metrics) {
          const value = range.series[name]?.[index];
          row.push(value === undefined || Number.isNaN(value) ? null : value);
        }
        yield row;
      }
    },
  };
}
