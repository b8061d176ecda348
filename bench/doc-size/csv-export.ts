import { fromFixedPoint, type MetricDescriptor, toFixedPoint } from "@outpost/shared-model";

/**
 * Builds the CSV a human would export for the same samples: an ISO time column and one column
 * per metric in real units, at the metric's resolution and printed as JavaScript prints numbers
 * (`12.3`, `40`), which is what papaparse writes in the dashboard's export.
 */
export class CsvExport {
  readonly #names: readonly string[];
  readonly #metrics: Readonly<Record<string, MetricDescriptor>>;
  readonly #lines: string[];

  constructor(metrics: Readonly<Record<string, MetricDescriptor>>) {
    this.#metrics = metrics;
    this.#names = Object.keys(metrics);
    const header = this.#names.map((name) => `${name} (${metrics[name]?.unit ?? ""})`);
    this.#lines = [["time", ...header].join(",")];
  }

  /** Adds one row; a metric missing from `values` is an empty cell. */
  addRow(at: number, values: Readonly<Record<string, number>>): void {
    const cells = this.#names.map((name) => {
      const value = values[name];
      const descriptor = this.#metrics[name];
      if (value === undefined || descriptor === undefined) return "";
      // The same rounding the day document applies, so both hold exactly the same information.
      return String(fromFixedPoint(toFixedPoint(value, descriptor), descriptor));
    });
    this.#lines.push([new Date(at).toISOString().replace(".000Z", "Z"), ...cells].join(","));
  }

  /** The whole file, UTF-8, with a trailing newline. */
  toBytes(): Uint8Array {
    return new TextEncoder().encode(`${this.#lines.join("\n")}\n`);
  }
}
