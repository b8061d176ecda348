import { readFile } from "node:fs/promises";

/** Linux's clock ticks per second for /proc CPU times (`getconf CLK_TCK`, 100 on every distro). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds a process used, its own and its reaped children's (the `df`s and `ps`s it ran). */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start at field 3, `state`.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((index) => Number(fields[index]));
  return ((utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0)) / CLOCK_TICKS_PER_SECOND;
}

/** Resident memory now and at its peak (`VmRSS`, `VmHWM`), MB (10^6 bytes). */
export async function rssOf(pid: number): Promise<{ rssMb: number; peakRssMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
  return { rssMb: (kib("VmRSS") * 1024) / 1e6, peakRssMb: (kib("VmHWM") * 1024) / 1e6 };
}
