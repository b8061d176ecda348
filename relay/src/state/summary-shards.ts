import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo";
import { type AutomergeUrl, parseAutomergeUrl } from "@automerge/automerge-repo";
import {
  createFleetSummaryDoc,
  type DeviceId,
  type DeviceSummary,
  type FleetDoc,
  type FleetSummaryDoc,
  type FleetSummaryIndex,
  type Logger,
  sameSummary,
  shardCountFor,
  shardOf,
  summaryIndexOf,
  toPlain,
  writeSummary,
} from "@outpost/shared-model";

/** What the shards need of the FleetDoc: its devices, and where it lists the shards. */
export interface SummaryIndexHolder {
  doc(): FleetDoc;
  recordSummaries(index: FleetSummaryIndex): Promise<void>;
}

/**
 * Summaries queued this long are written together, one change per shard: a day roll-over across
 * the fleet, or a device that changes three things in a row, is one change, not many.
 */
export const SUMMARY_WRITE_DELAY_MS = 1_000;

/**
 * The fleet's summary shards (ARCHITECTURE.md, "Fleet summaries"): `FleetSummaryDoc`s listed in
 * the FleetDoc, each holding the {@link DeviceSummary} of the devices whose ID hashes to it. The
 * relay alone writes them: a summary is queued with {@link update}, compared with the entry the
 * shard holds, and written (only the fields that changed) in one change per shard every
 * {@link SUMMARY_WRITE_DELAY_MS}, then flushed. When the fleet outgrows its shards (more than
 * `SUMMARY_SHARD_TARGET` devices each on average) every shard splits in two. Shards are kept in
 * memory (`pin`): ~60 small documents for 10,000 devices.
 */
export class SummaryShards {
  readonly #repo: Repo;
  readonly #fleet: SummaryIndexHolder;
  readonly #logger: Logger;
  readonly #pin: (documentId: DocumentId) => void;
  readonly #writeDelayMs: number;
  #handles: DocHandle<FleetSummaryDoc>[] = [];
  #shardCount = 1;
  /** Queued writes by device; `null` removes the entry. */
  #queued = new Map<DeviceId, DeviceSummary | null>();
  #timer: NodeJS.Timeout | undefined;
  #work: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(
    repo: Repo,
    fleet: SummaryIndexHolder,
    options: { logger: Logger; pin: (documentId: DocumentId) => void; writeDelayMs: number },
  ) {
    this.#repo = repo;
    this.#fleet = fleet;
    this.#logger = options.logger;
    this.#pin = options.pin;
    this.#writeDelayMs = options.writeDelayMs;
  }

  /**
   * Opens the shards the FleetDoc lists, or makes them on a relay that has none yet (one per
   * `SUMMARY_SHARD_TARGET` devices, a power of two), and finishes a split a stop interrupted.
   *
   * @throws Error when the FleetDoc lists a shard the data folder does not hold
   */
  static async open(
    repo: Repo,
    fleet: SummaryIndexHolder,
    options: {
      logger: Logger;
      pin?: (documentId: DocumentId) => void;
      writeDelayMs?: number;
    },
  ): Promise<SummaryShards> {
    const shards = new SummaryShards(repo, fleet, {
      logger: options.logger,
      pin: options.pin ?? (() => {}),
      writeDelayMs: options.writeDelayMs ?? SUMMARY_WRITE_DELAY_MS,
    });
    const index = summaryIndexOf(fleet.doc());
    if (index === undefined) {
      const count = shardCountFor(Object.keys(fleet.doc().devices).length);
      await shards.#createShards(0, count, count);
    } else {
      shards.#shardCount = index.shardCount;
      shards.#handles = await Promise.all(index.shards.map((url) => shards.#find(url)));
      if (shards.#handles.length === 2 * index.shardCount) await shards.#finishSplit();
    }
    return shards;
  }

  /** How many shards devices are spread over now. */
  get shardCount(): number {
    return this.#shardCount;
  }

  /** Document IDs of every shard (the access policy refuses them to devices). */
  documentIds(): DocumentId[] {
    return this.#handles.map((handle) => handle.documentId);
  }

  /** True for a summary shard's document ID. */
  isShard(documentId: string): boolean {
    return this.#handles.some((handle) => handle.documentId === documentId);
  }

  /** The summary the shards hold (or will, once queued writes are done) for `deviceId`. */
  entryOf(deviceId: DeviceId): DeviceSummary | undefined {
    const queued = this.#queued.get(deviceId);
    if (queued !== undefined) return queued ?? undefined;
    const stored = this.#shardOf(deviceId)?.doc().devices[deviceId];
    return stored === undefined ? undefined : toPlain<DeviceSummary>(stored);
  }

  /** Queues `summary` for `deviceId`, unless its shard shows the same already. */
  update(deviceId: DeviceId, summary: DeviceSummary): void {
    const current = this.entryOf(deviceId);
    if (current !== undefined && sameSummary(current, summary)) return;
    this.#queue(deviceId, summary);
  }

  /** Queues the removal of a device that left the fleet. */
  remove(deviceId: DeviceId): void {
    if (this.entryOf(deviceId) === undefined && !this.#queued.has(deviceId)) return;
    this.#queue(deviceId, null);
  }

  /** Writes what is queued now and flushes the shards written (also what the timer does). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    return this.#enqueue(() => this.#write());
  }

  /** Writes what is queued and stops: later updates are dropped. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  #queue(deviceId: DeviceId, summary: DeviceSummary | null): void {
    if (this.#closed) return;
    this.#queued.set(deviceId, summary);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#writeDelayMs);
    this.#timer.unref();
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.#work.then(step);
    this.#work = run.catch((error: unknown) =>
      this.#logger.error({ err: error }, "writing the summary shards failed"),
    );
    return run;
  }

  async #write(): Promise<void> {
    if (this.#queued.size === 0) return;
    // Split first, so entries are written where they stay.
    const devices = Object.keys(this.#fleet.doc().devices).length;
    while (shardCountFor(devices) > this.#shardCount) await this.#split();
    const queued = this.#queued;
    this.#queued = new Map();
    const byShard = new Map<number, [DeviceId, DeviceSummary | null][]>();
    for (const [deviceId, summary] of queued) {
      const shard = shardOf(deviceId, this.#shardCount);
      byShard.set(shard, [...(byShard.get(shard) ?? []), [deviceId, summary]]);
    }
    const written: DocumentId[] = [];
    for (const [shard, entries] of byShard) {
      const handle = this.#handles[shard] as DocHandle<FleetSummaryDoc>;
      const before = handle.heads();
      handle.change((doc) => {
        for (const [deviceId, summary] of entries) {
          if (summary === null) delete doc.devices[deviceId];
          else writeSummary(doc, deviceId, summary);
        }
      });
      if (handle.heads().join() !== before.join()) written.push(handle.documentId);
    }
    await this.#repo.flush(written);
    this.#logger.debug(
      { devices: queued.size, shards: written.length },
      `summaries of ${queued.size} devices written to ${written.length} shards`,
    );
  }

  /** Doubles the shard count: new shards first, then entries move, then the FleetDoc says so. */
  async #split(): Promise<void> {
    const count = this.#shardCount;
    this.#logger.info(
      { from: count, to: 2 * count },
      `splitting the fleet's ${count} summary shards in two`,
    );
    await this.#createShards(count, 2 * count, count);
    await this.#finishSplit();
  }

  /**
   * Moves every entry whose home under twice the shard count is the new shard, then records the
   * new count. Safe to repeat: a stop between the steps leaves both copies of an entry equal.
   */
  async #finishSplit(): Promise<void> {
    const count = this.#shardCount;
    const doubled = 2 * count;
    for (let shard = 0; shard < count; shard += 1) {
      const from = this.#handles[shard] as DocHandle<FleetSummaryDoc>;
      const to = this.#handles[shard + count] as DocHandle<FleetSummaryDoc>;
      const moving = Object.entries(from.doc().devices).filter(
        ([deviceId]) => shardOf(deviceId, doubled) !== shard,
      );
      if (moving.length > 0) {
        to.change((doc) => {
          for (const [deviceId, summary] of moving)
            writeSummary(doc, deviceId as DeviceId, toPlain<DeviceSummary>(summary));
        });
        await this.#repo.flush([to.documentId]);
      }
      from.change((doc) => {
        doc.shardCount = doubled;
        for (const [deviceId] of moving) delete doc.devices[deviceId as DeviceId];
      });
      await this.#repo.flush([from.documentId]);
    }
    this.#shardCount = doubled;
    await this.#fleet.recordSummaries(this.#index());
  }

  /** Makes shards `from` to `to - 1` and lists them with `shardCount` as the count in force. */
  async #createShards(from: number, to: number, shardCount: number): Promise<void> {
    const target = from === 0 ? to : 2 * shardCount;
    for (let shard = from; shard < to; shard += 1) {
      const handle = this.#repo.create<FleetSummaryDoc>(createFleetSummaryDoc(shard, target));
      this.#pin(handle.documentId);
      this.#handles.push(handle);
    }
    await this.#repo.flush(this.#handles.slice(from).map((handle) => handle.documentId));
    this.#shardCount = shardCount;
    await this.#fleet.recordSummaries(this.#index());
  }

  #index(): FleetSummaryIndex {
    return { shardCount: this.#shardCount, shards: this.#handles.map((handle) => handle.url) };
  }

  #shardOf(deviceId: DeviceId): DocHandle<FleetSummaryDoc> | undefined {
    return this.#handles[shardOf(deviceId, this.#shardCount)];
  }

  async #find(url: string): Promise<DocHandle<FleetSummaryDoc>> {
    const { documentId } = parseAutomergeUrl(url as AutomergeUrl);
    this.#pin(documentId);
    try {
      return await this.#repo.find<FleetSummaryDoc>(url as AutomergeUrl);
    } catch (cause) {
      throw new Error(`the summary shard ${documentId} is missing from the data folder`, {
        cause,
      });
    }
  }
}
