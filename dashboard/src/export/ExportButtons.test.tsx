import { eventually } from "@outpost/shared-model/testing";
import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ExportButtons } from "./ExportButtons.js";
import type { TableExport } from "./table-export.js";

/** What each download saved: the blob behind the link, and the file name it offered. */
let downloads: { blob: Blob; fileName: string }[];
let revoked: string[];

beforeEach(() => {
  downloads = [];
  revoked = [];
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  const blobs = new Map<string, Blob>();
  // jsdom cannot follow a download link: the object URL and the link's click are stubbed.
  vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => {
    const url = `blob:test/${blobs.size}`;
    blobs.set(url, blob as Blob);
    return url;
  });
  vi.spyOn(URL, "revokeObjectURL").mockImplementation((url) => void revoked.push(url));
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (
    this: HTMLAnchorElement,
  ) {
    const blob = blobs.get(this.getAttribute("href") ?? "");
    if (blob !== undefined) downloads.push({ blob, fileName: this.download });
  });
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const FLEET: TableExport = {
  kind: "fleet",
  keys: ["device", "cpu"],
  header: ["device", "cpu (%)"],
  units: { cpu: "%" },
  rowCount: 2,
  rows: () => [
    ["laptop-042", 12.5],
    ["kiosk, lobby", null],
  ],
};

function renderButtons(source: () => TableExport): void {
  render(() => <ExportButtons label="fleet" fileName="fleet-2026-11-21" source={source} />);
}

describe("ExportButtons", () => {
  it("downloads the snapshot as CSV, and lets the object URL go later", async () => {
    renderButtons(() => FLEET);
    fireEvent.click(screen.getByRole("button", { name: "Export fleet CSV" }));

    await eventually(() => expect(downloads).toHaveLength(1));
    const [saved] = downloads;
    expect(saved?.fileName).toBe("fleet-2026-11-21.csv");
    expect(saved?.blob.type).toBe("text/csv;charset=utf-8");
    expect(await saved?.blob.text()).toBe(
      'device,cpu (%)\r\nlaptop-042,12.5\r\n"kiosk, lobby",\r\n',
    );
    expect(screen.queryByRole("alert")).toBeNull();
    expect(document.querySelector("a[download]")).toBeNull();
    vi.advanceTimersByTime(60_000);
    expect(revoked).toEqual(["blob:test/0"]);
  });

  it("downloads the same snapshot as JSON", async () => {
    renderButtons(() => FLEET);
    fireEvent.click(screen.getByRole("button", { name: "JSON" }));

    await eventually(() => expect(downloads).toHaveLength(1));
    const [saved] = downloads;
    expect(saved?.fileName).toBe("fleet-2026-11-21.json");
    expect(JSON.parse((await saved?.blob.text()) ?? "")).toMatchObject({
      kind: "fleet",
      units: { cpu: "%" },
      rowCount: 2,
      rows: [
        { device: "laptop-042", cpu: 12.5 },
        { device: "kiosk, lobby", cpu: null },
      ],
    });
  });

  it("says why an export failed and downloads nothing", async () => {
    renderButtons(() => {
      throw new Error("the telemetry of 2026-11-20 is not loaded yet");
    });
    fireEvent.click(screen.getByRole("button", { name: "Export fleet CSV" }));

    const alert = await eventually(() => screen.getByRole("alert"));
    expect(alert.textContent).toBe("export failed: the telemetry of 2026-11-20 is not loaded yet");
    expect(downloads).toEqual([]);
    expect(
      (screen.getByRole("button", { name: "Export fleet CSV" }) as HTMLButtonElement).disabled,
    ).toBe(false);
  });
});
