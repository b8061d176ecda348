import { readFile } from "node:fs/promises";
import type { LoadReading } from "./load-gate.js";

interface Counters {
  at: number;
  cpuBusy: number;
  cpuTotal: number;
  /** Milliseconds the busiest whole disk spent doing I/O (`io_ticks`), per disk. */
  ioTicks: Map<string, number>;
}

/** Whole disks, not partitions or loop, RAM and device-mapper devices. */
const WHOLE_DISK = /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|hd[a-z]+|nvme\d+n\d+|mmcblk\d+)$/;

/**
 * The system's load as the load gate needs it, from `/proc` (no child process): CPU busy and the
 * busiest disk's busy time over the interval since the previous reading, and memory in use now.
 * The first call only sets the baseline and returns `undefined`.
 */
export class LinuxLoadSource {
  readonly #procRoot: string;
  readonly #now: () => number;
  #previous: Counters | undefined;

  constructor(options: { procRoot?: string; now?: () => number } = {}) {
    this.#procRoot = options.procRoot ?? "/proc";
    this.#now = options.now ?? Date.now;
  }

  async read(): Promise<LoadReading | undefined> {
    const [stat, meminfo, diskstats] = await Promise.all(
      ["stat", "meminfo", "diskstats"].map((file) => readFile(`${this.#procRoot}/${file}`, "utf8")),
    );
    const counters = parseCounters(this.#now(), stat ?? "", diskstats ?? "");
    const previous = this.#previous;
    this.#previous = counters;
    if (previous === undefined) return undefined;
    const cpuTotal = counters.cpuTotal - previous.cpuTotal;
    const elapsedMs = counters.at - previous.at;
    let busiestDiskMs = 0;
    for (const [disk, ticks] of counters.ioTicks) {
      const before = previous.ioTicks.get(disk);
      if (before !== undefined && ticks >= before)
        busiestDiskMs = Math.max(busiestDiskMs, ticks - before);
    }
    return {
      at: counters.at,
      cpuPercent: cpuTotal > 0 ? ((counters.cpuBusy - previous.cpuBusy) / cpuTotal) * 100 : 0,
      memoryPercent: memoryInUsePercent(meminfo ?? ""),
      diskBusyPercent: elapsedMs > 0 ? Math.min(100, (busiestDiskMs / elapsedMs) * 100) : 0,
    };
  }
}

function parseCounters(at: number, stat: string, diskstats: string): Counters {
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice
  const cpu = (stat.split("\n", 1)[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
    cpu;
  const busy = user + nice + system + irq + softirq + steal;
  const ioTicks = new Map<string, number>();
  for (const line of diskstats.split("\n")) {
    const fields = line.trim().split(/\s+/);
    const name = fields[2];
    // field 13 (index 12): milliseconds spent doing I/O
    if (name && WHOLE_DISK.test(name)) ioTicks.set(name, Number(fields[12]));
  }
  return { at, cpuBusy: busy, cpuTotal: busy + idle + iowait, ioTicks };
}

function memoryInUsePercent(meminfo: string): number {
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(meminfo)?.[1]);
  const total = kib("MemTotal");
  const available = kib("MemAvailable");
  return total > 0 && Number.isFinite(available) ? ((total - available) / total) * 100 : 0;
}
