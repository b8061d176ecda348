import { type BackoffLimits, backoffCeilingMs } from "@outpost/shared-model";

/**
 * Waits between tries of a document that could not be found while connected: as long as it has
 * been missing so far, from 2 s up to 60 s, so tries come 2, 4, 8, 16… s after the first failure.
 * A first sync of a large fleet can take longer than automerge-repo waits for one document, so
 * the relay may just have been slow. No jitter: the queue already spreads its loads out.
 */
export const DOCUMENT_RETRY: Readonly<BackoffLimits> = Object.freeze({
  baseMs: 2_000,
  capMs: 60_000,
  outageShare: 1,
});

/** What a {@link LoadQueue} loads and when it may try again. */
export interface LoadQueueOptions {
  /** Loads one; rejects when it could not be had now (tried again while `shouldRetry()`). */
  load(id: string): Promise<void>;
  /** True when `id` needs no load (it is here already); such requests are dropped. */
  isLoaded(id: string): boolean;
  /** Loads under way at once. */
  concurrency: number;
  /** Whether a failed load is tried again on a timer (the dashboard: while the relay is connected). */
  shouldRetry(): boolean;
  /** Waits between tries; {@link DOCUMENT_RETRY} unless given. */
  retry?: BackoffLimits;
  /** Monotonic milliseconds; `performance.now` unless a test injects a clock. */
  now?: () => number;
}

/** Loads requested one by one, a few at a time, the urgent ones first. */
export interface LoadQueue {
  /** Asks for `id` to be loaded; `urgent` (a row in view) goes ahead of the rest. */
  request(id: string, urgent?: boolean): void;
  /** Begins loading what was requested; until then requests only queue up. */
  start(): void;
  /** Stops starting loads and cancels every retry. */
  close(): void;
}

/**
 * A load queue: requests wait until {@link LoadQueue.start} (the fleet starts it once its first
 * rows are painted), then run `concurrency` at a time, urgent ones first, the rest in the order
 * asked. Each load starts in a task of its own, so input and paint get their turn in between.
 * A failed load is requested again after a wait from {@link DOCUMENT_RETRY}, growing with how
 * long it has failed, for as long as `shouldRetry()` holds when it fails. Not reactive: the owner
 * calls `close`.
 */
export function makeLoadQueue(options: LoadQueueOptions): LoadQueue {
  const retryLimits = options.retry ?? DOCUMENT_RETRY;
  const now = options.now ?? (() => performance.now());
  const urgent = new Set<string>();
  const later = new Set<string>();
  const inFlight = new Set<string>();
  const retries = new Map<string, { failingSince: number; timer: ReturnType<typeof setTimeout> }>();
  let pumpTimer: ReturnType<typeof setTimeout> | undefined;
  let started = false;
  let closed = false;

  const schedulePump = () => {
    if (closed || !started) return;
    pumpTimer ??= setTimeout(pump, 0);
  };

  const pump = () => {
    pumpTimer = undefined;
    if (inFlight.size >= options.concurrency) return;
    const next = urgent.values().next().value ?? later.values().next().value;
    if (next === undefined) return;
    urgent.delete(next);
    later.delete(next);
    inFlight.add(next);
    options
      .load(next)
      .then(
        () => {
          clearTimeout(retries.get(next)?.timer);
          retries.delete(next);
        },
        () => {
          if (!closed && options.shouldRetry()) scheduleRetry(next);
        },
      )
      .finally(() => {
        inFlight.delete(next);
        schedulePump();
      });
    schedulePump();
  };

  const scheduleRetry = (id: string) => {
    const previous = retries.get(id);
    clearTimeout(previous?.timer);
    const failingSince = previous?.failingSince ?? now();
    const delayMs = backoffCeilingMs(now() - failingSince, retryLimits);
    retries.set(id, { failingSince, timer: setTimeout(() => request(id), delayMs) });
  };

  const request = (id: string, isUrgent = false) => {
    if (options.isLoaded(id) || inFlight.has(id)) return;
    if (isUrgent) {
      later.delete(id);
      urgent.add(id);
    } else if (!urgent.has(id)) {
      later.add(id);
    }
    schedulePump();
  };

  return {
    request,
    start() {
      started = true;
      schedulePump();
    },
    close() {
      closed = true;
      clearTimeout(pumpTimer);
      for (const retry of retries.values()) clearTimeout(retry.timer);
      retries.clear();
    },
  };
}
