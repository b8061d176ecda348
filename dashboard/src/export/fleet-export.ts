import type { FleetColumn, RowContext } from "../fleet/columns.js";
import type { FleetRow } from "../fleet/fleet-row.js";
import type { TableExport } from "./table-export.js";

/** The fleet table as shown: its visible columns, the rows its filter selects, in its order. */
export function fleetExport(
  rows: readonly FleetRow[],
  columns: readonly FleetColumn[],
  context: RowContext,
): TableExport {
  const withId = columns.some((column) => column.id === "deviceId")
    ? columns
    : [
        columns[0],
        { id: "deviceId", label: "Device ID", text: (row: FleetRow) => row.deviceId },
        ...columns.slice(1),
      ];
  const shown = withId.filter((column): column is FleetColumn => column !== undefined);
  return {
    kind: "fleet",
    keys: shown.map((column) => column.id),
    header: shown.map((column) => column.label),
    rowCount: rows.length,
    *rows() {
      for (const row of rows) {
        yield shown.map((column) =>
          column.csv ? column.csv(row, context) : column.text(row, context),
        );
      }
    },
  };
}
