import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CollectorContext, ConnectivityProbe } from "../collector.js";
import type { SystemInfo } from "../system-info.js";

/**
 * A {@link SystemInfo} that answers from recorded `systeminformation` output: method `m` returns
 * the JSON in `<folder>/<m>.json`, or `<folder>/<m>.<variant>.json` when a variant is given and
 * that file exists. A method without a fixture rejects, as a failing system call would.
 */
export function fixtureSystem(folder: string, variant?: string): SystemInfo {
  const read = <T>(method: string): T => {
    const variantFile = join(folder, `${method}.${variant}.json`);
    const file = variant && existsSync(variantFile) ? variantFile : join(folder, `${method}.json`);
    return JSON.parse(readFileSync(file, "utf8")) as T;
  };
  const answer =
    <T>(method: string) =>
    async (): Promise<T> =>
      read<T>(method);
  return {
    currentLoad: answer("currentLoad"),
    mem: answer("mem"),
    fsSize: answer("fsSize"),
    diskLayout: answer("diskLayout"),
    networkStats: answer("networkStats"),
    battery: answer("battery"),
    cpuTemperature: answer("cpuTemperature"),
    time: () => read("time"),
    processes: answer("processes"),
    system: answer("system"),
    osInfo: answer("osInfo"),
    cpu: answer("cpu"),
    networkInterfaces: answer("networkInterfaces"),
  };
}

/** A probe that reports what the test sets. */
export class FakeConnectivity implements ConnectivityProbe {
  online = false;
  rttMs: number | undefined;

  isOnline(): boolean {
    return this.online;
  }

  async roundTripMs(): Promise<number | undefined> {
    return this.online ? this.rttMs : undefined;
  }
}

/** A collector context over fixtures, a settable clock and a fake link. */
export function fixtureContext(
  system: SystemInfo,
  options: { now?: () => number; connectivity?: ConnectivityProbe } = {},
): CollectorContext {
  return {
    system,
    connectivity: options.connectivity ?? new FakeConnectivity(),
    now: options.now ?? (() => Date.UTC(2026, 10, 21, 12)),
  };
}
