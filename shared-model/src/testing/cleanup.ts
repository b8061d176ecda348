import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach } from "vitest";

/**
 * What a test must release whether it passes or fails (relays, agents, client repos, temp
 * folders): a stack of release steps, run newest first, so what started last stops first.
 */
export class Cleanup {
  readonly #steps: (() => unknown)[] = [];

  /** Registers `release` for `resource` and returns it, so acquiring and registering read as one. */
  add<T>(resource: T, release: (resource: T) => unknown): T {
    this.#steps.push(() => release(resource));
    return resource;
  }

  /** Registers a release step with no resource to hand back (stop this, restore that). */
  defer(step: () => unknown): void {
    this.#steps.push(step);
  }

  /** A fresh folder under the system's temp folder, `outpost-<prefix>-…`, removed on release. */
  async tempFolder(prefix: string): Promise<string> {
    const path = await mkdtemp(join(tmpdir(), `outpost-${prefix}-`));
    return this.add(path, (folder) => rm(folder, { recursive: true, force: true, maxRetries: 3 }));
  }

  /**
   * Runs every step, newest first, even when some fail; then throws the failures together, or,
   * with `ignoreFailures`, drops them (for a long story whose own failure is what matters, where
   * stopping a part that already died must not hide it).
   */
  async release(options: { ignoreFailures?: boolean } = {}): Promise<void> {
    const failures: unknown[] = [];
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0 && options.ignoreFailures !== true) {
      throw new AggregateError(failures, "releasing test resources failed");
    }
  }
}

/** A {@link Cleanup} released after each test of the file. */
export function cleanupAfterEach(): Cleanup {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.release());
  return cleanup;
}

/** A {@link Cleanup} released once the file's tests have run (`ignoreFailures` as in release). */
export function cleanupAfterAll(options: { ignoreFailures?: boolean } = {}): Cleanup {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.release(options), 60_000);
  return cleanup;
}
