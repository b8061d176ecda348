import { copyFile, mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BrowserContext, CDPSession } from "playwright-core";
import { offlineRun, type RunInstrument, type RunOptions, type RunPhase } from "./offline-run.js";

/** The parts of a DevTools CPU profile read here. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Sampling interval, µs. */
const SAMPLING_US = 200;
/** Functions listed per phase. */
const TOP = 25;

/**
 * One more offline run with the page's main thread profiled (Chrome DevTools Protocol
 * `Profiler`), once from navigation until every DeviceDoc is loaded and once from the click on
 * "7 days" until every chart is drawn. Writes `dashboard-<phase>.cpuprofile` (open it in Chrome
 * DevTools' Performance panel), `dashboard-<phase>.txt` (self time by kind of code and by
 * function) and a copy of the minified bundle the positions refer to.
 */
export async function profileOfflineRun(
  context: BrowserContext,
  options: RunOptions,
  directory: string,
  dashboardDirectory: string,
): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const files: string[] = [];
  // The profile's positions point into the minified bundle: keep the one profiled.
  const assets = join(dashboardDirectory, "assets");
  for (const file of await readdir(assets)) {
    if (!file.endsWith(".js")) continue;
    await copyFile(join(assets, file), join(directory, file));
    files.push(join(directory, file));
  }
  let session: CDPSession | undefined;
  const instrument: RunInstrument = {
    async begin(page) {
      session ??= await context.newCDPSession(page);
      await session.send("Profiler.enable");
      await session.send("Profiler.setSamplingInterval", { interval: SAMPLING_US });
      await session.send("Profiler.start");
    },
    async end(_page, phase: RunPhase) {
      if (session === undefined) return;
      const { profile } = (await session.send("Profiler.stop")) as { profile: CpuProfile };
      const base = join(directory, `dashboard-${phase}`);
      await writeFile(`${base}.cpuprofile`, JSON.stringify(profile));
      await writeFile(`${base}.txt`, `${selfTimeReport(profile).join("\n")}\n`);
      files.push(`${base}.cpuprofile`, `${base}.txt`);
    },
  };
  await offlineRun(context, options, instrument);
  await session?.detach().catch(() => {});
  return files;
}

/** Self time by kind of code, then by function, most first, with shares of the wall time. */
export function selfTimeReport(profile: CpuProfile): string[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byKind = new Map<string, number>();
  profile.samples.forEach((nodeId, index) => {
    const frame = byNode.get(nodeId)?.callFrame;
    if (frame === undefined) return;
    const us = profile.timeDeltas[index] ?? 0;
    const file = frame.url.split("/").at(-1) ?? "";
    const key = `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const kind = file.endsWith(".wasm")
      ? "Automerge (WebAssembly)"
      : file.endsWith(".js")
        ? "JavaScript of the app bundle (Automerge's bindings, automerge-repo, Solid, uPlot, the app)"
        : frame.functionName.startsWith("(")
          ? frame.functionName
          : "browser built-ins (IndexedDB, canvas, timers…)";
    byKind.set(kind, (byKind.get(kind) ?? 0) + us);
  });
  const wallUs = profile.endTime - profile.startTime;
  const line = (us: number, what: string) =>
    `${(us / 1000).toFixed(1).padStart(9)} ms ${((us / wallUs) * 100).toFixed(1).padStart(5)} %  ${what}`;
  const most = (totals: Map<string, number>, count: number) =>
    [...totals].sort((a, b) => b[1] - a[1]).slice(0, count);
  return [
    `wall ${(wallUs / 1000).toFixed(0)} ms; self time by kind of code:`,
    ...most(byKind, 10).map(([kind, us]) => line(us, kind)),
    "self time by function (positions in the minified bundle copied next to this file):",
    ...most(byFunction, TOP).map(([key, us]) => line(us, key)),
  ];
}
