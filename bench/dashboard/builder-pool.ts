import { availableParallelism } from "node:os";
import { ChildChannel } from "../relay-storm/child-channel.js";
import type { BuildJob, BuildResult } from "./builder-messages.js";

const BUILDER = new URL("./document-builder.ts", import.meta.url);
/** The longest one job may take (a full day document takes about 11 s on a 2-core VM). */
const JOB_TIMEOUT_MS = 300_000;

/**
 * Builder processes, one per core: the set-up writes some 150,000 Automerge changes, which take
 * minutes on one core.
 */
export class BuilderPool {
  readonly #builders: ChildChannel<BuildJob, BuildResult>[];

  private constructor(builders: ChildChannel<BuildJob, BuildResult>[]) {
    this.#builders = builders;
  }

  static start(size = availableParallelism()): BuilderPool {
    return new BuilderPool(
      Array.from({ length: Math.max(1, size) }, (_, index) =>
        ChildChannel.fork<BuildJob, BuildResult>(`document builder #${index + 1}`, BUILDER, []),
      ),
    );
  }

  /**
   * Runs `jobs` in the given order on whichever builder is free, calling `onResult` (awaited,
   * on this process) with each answer as it comes.
   */
  async run(
    jobs: readonly BuildJob[],
    onResult: (result: BuildResult) => Promise<void> | void,
  ): Promise<void> {
    let next = 0;
    const drive = async (builder: ChildChannel<BuildJob, BuildResult>) => {
      while (next < jobs.length) {
        const job = jobs[next++] as BuildJob;
        const answer = builder.next(job.type, JOB_TIMEOUT_MS);
        builder.send(job);
        await onResult(await answer);
      }
    };
    await Promise.all(this.#builders.map(drive));
  }

  /** Stops every builder. */
  async close(): Promise<void> {
    await Promise.all(this.#builders.map((builder) => builder.kill("SIGTERM")));
  }
}
