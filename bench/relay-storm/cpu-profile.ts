import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { join } from "node:path";

/**
 * Optional CPU profile of a server process's timed part, for finding where its time goes: set
 * `RELAY_STORM_CPU_PROFILE_DIR` and each server process writes `<kind>-<pid>.cpuprofile` there
 * (open it in Chrome DevTools or speedscope). `--cpu-prof` cannot serve: the benchmark kills its
 * servers, and Node writes that profile only on a clean exit.
 */
export class CpuProfile {
  readonly #directory = process.env.RELAY_STORM_CPU_PROFILE_DIR;
  #session: Session | undefined;

  async start(): Promise<void> {
    if (this.#directory === undefined || this.#session !== undefined) return;
    this.#session = new Session();
    this.#session.connect();
    await this.#session.post("Profiler.enable");
    await this.#session.post("Profiler.start");
  }

  /** Writes the profile, if one runs; returns its path. */
  async stop(name: string): Promise<string | undefined> {
    const session = this.#session;
    if (this.#directory === undefined || session === undefined) return undefined;
    this.#session = undefined;
    const { profile } = await session.post("Profiler.stop");
    session.disconnect();
    const path = join(this.#directory, `${name}-${process.pid}.cpuprofile`);
    await writeFile(path, JSON.stringify(profile));
    return path;
  }
}
