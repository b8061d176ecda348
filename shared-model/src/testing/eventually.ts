import { vi } from "vitest";
import { messageOf } from "../util/message-of.js";

/**
 * How long {@link eventually} waits by default. A budget against hangs, not a measure: on a
 * loaded CI machine a step that takes milliseconds here can take seconds, and a wait only lasts
 * this long when the test is failing anyway.
 */
export const EVENTUALLY_TIMEOUT_MS = 20_000;

/** How often {@link eventually} asks again. */
const POLL_MS = 50;

/** Thrown inside the wait while `check` answers `false`, so the wait knows to ask again. */
class NotYet extends Error {}

/**
 * Waits until `check` holds, asking again every 50 ms: a check that returns `false` or throws
 * (a failed `expect`, a relay not answering yet) is asked again; any other answer ends the wait
 * and is returned. Runs on `vi.waitFor`, so it also works while a test fakes the timers.
 *
 * On timeout it fails with `timed out after <ms> ms waiting for <what>` and the last thing the
 * check threw; without `what` it rethrows the check's last error as it was (an assertion keeps
 * its diff).
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  what?: string,
  timeoutMs = EVENTUALLY_TIMEOUT_MS,
): Promise<Exclude<Awaited<T>, false>> {
  try {
    return await vi.waitFor(
      async () => {
        const answer = await check();
        if (answer === false) throw new NotYet();
        return answer as Exclude<Awaited<T>, false>;
      },
      { timeout: timeoutMs, interval: POLL_MS },
    );
  } catch (error) {
    const waitingFor = `timed out after ${timeoutMs} ms waiting for ${what ?? "a condition"}`;
    if (error instanceof NotYet) throw new Error(waitingFor);
    if (what === undefined) throw error;
    throw new Error(`${waitingFor}; last: ${messageOf(error)}`, { cause: error });
  }
}
