/**
 * Test support: resources a test must release whether it passes or fails (child relays, client
 * repos, temp folders), released in reverse order from `afterEach`/`afterAll`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A stack of release steps; {@link release} runs them all, newest first, even if some throw. */
export class Cleanup {
  readonly #steps: (() => unknown)[] = [];

  /** Registers `step` and returns `resource`, so acquiring and registering read as one line. */
  add<T>(resource: T, step: (resource: T) => unknown): T {
    this.#steps.push(() => step(resource));
    return resource;
  }

  /** A fresh temp folder, removed on release. */
  async tempDirectory(prefix: string): Promise<string> {
    const path = await mkdtemp(join(tmpdir(), prefix));
    return this.add(path, (directory) =>
      rm(directory, { recursive: true, force: true, maxRetries: 3 }),
    );
  }

  /** Runs every step, newest first; throws the failures together once all have run. */
  async release(): Promise<void> {
    const failures: unknown[] = [];
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, "releasing test resources failed");
  }
}
