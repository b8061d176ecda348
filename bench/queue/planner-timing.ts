import {
  type DeviceDoc,
  FoldCache,
  fold,
  liveCommands,
  nextRunnable,
  planQueue,
} from "@outpost/shared-model";

/** Medians of timed runs of the pure queue functions over one DeviceDoc, ms. */
export interface PlannerTiming {
  /** `fold` of every command's spec and events, the whole queue. */
  foldMs: number;
  /** `nextRunnable` from scratch: every command folded, as at an agent's start. */
  nextRunnableMs: number;
  /**
   * `nextRunnable` with a warm {@link FoldCache}, as the running agent plans on each change to
   * the queue (only changed commands are folded again).
   */
  nextRunnableCachedMs: number;
  /** What the plan held, for the reader to check the queue is the one described. */
  plan: { runnable: number; waiting: number; decisions: number };
}

/** Untimed runs first: V8 compiles the hot paths and the doc's objects settle in the heap. */
const WARM_UP_RUNS = 2;

/**
 * Times `fold` of the whole queue and `nextRunnable(doc, now)`, `runs` times each after a
 * warm-up, on `doc` as given: pass `handle.doc()` to read the Automerge document as the agent does.
 */
export function timePlanner(
  doc: Pick<DeviceDoc, "commands">,
  now: number,
  runs: number,
): PlannerTiming {
  const foldQueue = () => {
    for (const [, command] of liveCommands(doc.commands)) {
      fold(command.spec, command.events);
    }
  };
  const plan = planQueue(doc, now);
  const cache = new FoldCache();
  return {
    foldMs: medianMs(foldQueue, runs),
    nextRunnableMs: medianMs(() => nextRunnable(doc, now), runs),
    nextRunnableCachedMs: medianMs(() => nextRunnable(doc, now, { stateOf: cache.stateOf }), runs),
    plan: {
      runnable: plan.runnable.length,
      waiting: plan.waiting.length,
      decisions: plan.decisions.length,
    },
  };
}

function medianMs(work: () => unknown, runs: number): number {
  for (let run = 0; run < WARM_UP_RUNS; run += 1) work();
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const startedAt = performance.now();
    work();
    times.push(performance.now() - startedAt);
  }
  times.sort((a, b) => a - b);
  const middle = Math.floor(times.length / 2);
  return times.length % 2 === 1
    ? (times[middle] as number)
    : ((times[middle - 1] as number) + (times[middle] as number)) / 2;
}
