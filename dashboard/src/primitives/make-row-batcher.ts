/** Rows waiting to be applied together, newest per key. */
export interface RowBatcher<Row> {
  /** Queues `row` under `key`, replacing any row queued there before; the flush is scheduled. */
  queue(key: string, row: Row): void;
  /** The row queued under `key` and not yet flushed: newer than what the table shows. */
  queued(key: string): Row | undefined;
  /** Drops what is queued and cancels the flush. */
  close(): void;
}

/**
 * Collects row updates and hands them to `flush` together, at most once every `flushMs`: a
 * thousand documents arriving within that time is one call, so one render. Each key keeps only
 * its newest row. Not reactive: `flush` does the store writes, and the owner calls `close`.
 */
export function makeRowBatcher<Row>(
  flushMs: number,
  flush: (rows: ReadonlyMap<string, Row>) => void,
): RowBatcher<Row> {
  let pending = new Map<string, Row>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  return {
    queue(key, row) {
      if (closed) return;
      pending.set(key, row);
      timer ??= setTimeout(() => {
        timer = undefined;
        const rows = pending;
        pending = new Map();
        flush(rows);
      }, flushMs);
    },
    queued: (key) => pending.get(key),
    close() {
      closed = true;
      clearTimeout(timer);
      pending.clear();
    },
  };
}
