import { afterEach } from "vitest";

/**
 * A list a test pushes its clean-ups onto (stop this, remove that); after each test they run in
 * reverse order, so what started last stops first.
 */
export function cleanupsAfterEach(): (() => Promise<unknown>)[] {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}
