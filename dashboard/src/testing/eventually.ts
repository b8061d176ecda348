/**
 * Test support: waiting for what a component does asynchronously (a flush, a merge reaching a
 * store). Never imported by product code.
 */
import { vi } from "vitest";

/**
 * How long a component test waits for something asynchronous before failing. Generous on
 * purpose: on a loaded CI machine a step that takes milliseconds here can take seconds, and a
 * wait only lasts this long when the test is failing anyway. Well inside the project's 30 s
 * test timeout, so a failure names the wait rather than the test.
 */
export const ASYNC_TIMEOUT_MS = 10_000;

/**
 * `vi.waitFor` with {@link ASYNC_TIMEOUT_MS}: calls `check` until it stops throwing, and returns
 * what it returned.
 */
export function eventually<T>(check: () => T | Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: ASYNC_TIMEOUT_MS });
}
