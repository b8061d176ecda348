import { readFile } from "node:fs/promises";

// Linux reports process CPU time in clock ticks of 1/100 s on every common configuration.
const TICKS_PER_SECOND = 100;
const SAMPLE_MS = 5_000;

/**
 * Notices a storm that will never finish: no document completed for `windowMs` while the server
 * process sat (nearly) idle, so it is not slowly working through a backlog but waiting for
 * something that will not come (agents locked out, say). Slow progress never counts as a stall:
 * a loaded server may write nothing for minutes and then everything at once. Reads the server's
 * CPU time from /proc, so it watches only on Linux.
 */
export class StallWatch {
  readonly stalled: Promise<never>;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    pid: number | undefined,
    progress: () => number,
    options: { windowMs: number; idleCpuShare: number },
  ) {
    this.stalled = new Promise((_, reject) => {
      if (pid === undefined) return;
      const samples: { at: number; progress: number; cpuSeconds: number }[] = [];
      this.#timer = setInterval(async () => {
        const cpuSeconds = await cpuSecondsOf(pid);
        if (cpuSeconds === undefined) return this.stop();
        const now = performance.now();
        samples.push({ at: now, progress: progress(), cpuSeconds });
        while (samples.length > 1 && now - (samples[1]?.at ?? now) >= options.windowMs)
          samples.shift();
        const first = samples[0];
        if (first === undefined || now - first.at < options.windowMs) return;
        const share = (cpuSeconds - first.cpuSeconds) / ((now - first.at) / 1000);
        if (progress() === first.progress && share < options.idleCpuShare) {
          this.stop();
          reject(
            new Error(
              `stalled: no document completed in ${Math.round((now - first.at) / 1000)} s while the server was idle (${(share * 100).toFixed(1)} % CPU)`,
            ),
          );
        }
      }, SAMPLE_MS);
    });
    // Unobserved until raced; a stall after the race settles must not count as unhandled.
    this.stalled.catch(() => {});
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

async function cpuSecondsOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesized command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
