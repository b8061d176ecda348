import Papa from "papaparse";

/** A cell of an export: what CSV and JSON both can hold. */
export type Cell = string | number | boolean | null;

/** A snapshot to export: named columns (with units where they have one) and rows. */
export interface TableExport {
  /** What it is, for the JSON's `kind` and the file name: `fleet`, `telemetry`… */
  kind: string;
  /** Column keys, as JSON names them (`cpu`). */
  keys: string[];
  /** Header cells, with units where a column has one (`cpu (%)`). */
  header: string[];
  /** Unit per key, where there is one. */
  units?: Record<string, string>;
  rowCount: number;
  /** The rows, made lazily so a week of samples never sits in memory twice. */
  rows(): Iterable<Cell[]>;
}

/** Rows per chunk: between chunks the page repaints its progress bar and stays responsive. */
export const CHUNK_ROWS = 5_000;

/** Which format, and a callback told how far along the export is (rows done, of total). */
export interface ExportOptions {
  onProgress?: (done: number, total: number) => void;
  /** Yields to the browser between chunks; tests pass a no-op. */
  yieldToBrowser?: () => Promise<void>;
}

/**
 * A text cell a spreadsheet would read as a formula: one that starts with `=`, `+`, `-`, `@`, tab
 * or carriage return (OWASP's CSV-injection advice). Devices write most of what is exported
 * (hostnames, command output, audit details, metric names), so such a cell is written with a
 * leading `'`, which spreadsheets take as "this is text" and hide.
 *
 * Not papaparse's own `escapeFormulae: true`: its pattern, `/^[=+\-@\t\r].*$/`, only matches a
 * cell on one line, so a multi-line one (a command's output) that starts with `=` went out as a
 * formula. papaparse applies the pattern to text alone: numbers and booleans stay bare, so a
 * negative reading (-5) is still a number a spreadsheet can add up, and no number's digits can
 * call a function. The JSON export keeps every value as it is.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** papaparse's settings for every CSV the dashboard writes. */
const CSV: Papa.UnparseConfig = { escapeFormulae: FORMULA_START, newline: "\r\n" };

/** The export as CSV (RFC 4180, header first), built chunk by chunk with papaparse. */
export async function toCsvBlob(source: TableExport, options: ExportOptions = {}): Promise<Blob> {
  const parts: string[] = [`${Papa.unparse([source.header], CSV)}\r\n`];
  await eachChunk(source, options, (chunk) => {
    parts.push(`${Papa.unparse(chunk, { ...CSV, header: false })}\r\n`);
  });
  return new Blob(parts, { type: "text/csv;charset=utf-8" });
}

/** The same snapshot as JSON for scripts: `{ kind, exportedAt, units, rows: [{key: value}] }`. */
export async function toJsonBlob(source: TableExport, options: ExportOptions = {}): Promise<Blob> {
  const opening = {
    kind: source.kind,
    exportedAt: new Date().toISOString(),
    units: source.units ?? {},
    rowCount: source.rowCount,
  };
  const head = JSON.stringify(opening);
  const parts: string[] = [`${head.slice(0, -1)},"rows":[`];
  let first = true;
  await eachChunk(source, options, (chunk) => {
    const objects = chunk.map((row) =>
      JSON.stringify(Object.fromEntries(source.keys.map((key, i) => [key, row[i] ?? null]))),
    );
    parts.push(`${first ? "" : ","}${objects.join(",")}`);
    first = false;
  });
  parts.push("]}\n");
  return new Blob(parts, { type: "application/json" });
}

async function eachChunk(
  source: TableExport,
  options: ExportOptions,
  write: (chunk: Cell[][]) => void,
): Promise<void> {
  const yieldToBrowser =
    options.yieldToBrowser ?? (() => new Promise<void>((r) => setTimeout(r, 0)));
  let chunk: Cell[][] = [];
  let done = 0;
  options.onProgress?.(0, source.rowCount);
  for (const row of source.rows()) {
    chunk.push(row);
    if (chunk.length < CHUNK_ROWS) continue;
    write(chunk);
    done += chunk.length;
    chunk = [];
    options.onProgress?.(done, source.rowCount);
    await yieldToBrowser();
  }
  if (chunk.length > 0) write(chunk);
  options.onProgress?.(source.rowCount, source.rowCount);
}

/** Saves `blob` as a download named `fileName`. */
export function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
