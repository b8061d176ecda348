import type { AutomergeUrl, DocHandle, Repo } from "@automerge/automerge-repo";
import {
  type AuditEntry,
  appendSample,
  computeRollup,
  countSamples,
  createTelemetryDayDoc,
  type Day,
  type DeviceDoc,
  type DeviceId,
  dayOf,
  type Logger,
  type MetricDescriptor,
  type Sample,
  type TelemetryDayDoc,
  toStored,
} from "@outpost/shared-model";
import type { AgentStateStore } from "../state/agent-state.js";

/** A sample for a day already closed: the device clock went back. */
export class ClockBehind extends Error {
  override name = "ClockBehind";

  constructor(
    readonly at: number,
    readonly closedDay: Day,
  ) {
    // No timestamp in the message: the agent logs a repeated failure once, by its message.
    super(
      `the device clock is behind: ${closedDay} is already closed, so samples are skipped until the clock is past it`,
    );
  }
}

/** Called for every day document the agent opens, so acknowledgements can be watched. */
export type DayOpened = (day: Day, handle: DocHandle<TelemetryDayDoc>) => void;

/**
 * The agent's telemetry days (ARCHITECTURE.md, "Days"): one TelemetryDayDoc per UTC day, indexed in
 * the DeviceDoc. A sample goes into the day of its timestamp; the first sample of a new day closes
 * the previous one, whose rollup and sample count then go into the device document's index (one
 * change per day there, never one per sample).
 */
export class TelemetryDays {
  readonly #repo: Repo;
  readonly #device: DocHandle<DeviceDoc>;
  readonly #store: AgentStateStore;
  readonly #deviceId: DeviceId;
  readonly #metrics: Readonly<Record<string, MetricDescriptor>>;
  readonly #intervalS: () => number;
  readonly #logger: Logger;
  readonly #onOpened: DayOpened;
  readonly #loaded = new Map<Day, DocHandle<TelemetryDayDoc>>();
  #current: { day: Day; handle: DocHandle<TelemetryDayDoc> } | undefined;
  /** Audit entries for a closed day, written with the next sample (see {@link audit}). */
  readonly #pendingAudit: AuditEntry[] = [];

  constructor(options: {
    repo: Repo;
    device: DocHandle<DeviceDoc>;
    store: AgentStateStore;
    deviceId: DeviceId;
    metrics: Readonly<Record<string, MetricDescriptor>>;
    /** The sampling interval in force, recorded in each new day's document. */
    intervalS: () => number;
    logger: Logger;
    onOpened: DayOpened;
  }) {
    this.#repo = options.repo;
    this.#device = options.device;
    this.#store = options.store;
    this.#deviceId = options.deviceId;
    this.#metrics = options.metrics;
    this.#intervalS = options.intervalS;
    this.#logger = options.logger;
    this.#onOpened = options.onOpened;
  }

  /**
   * At start-up: closes days left open by a previous run that ended before midnight, and loads
   * every closed day the relay has not yet acknowledged so that it syncs on the next connection.
   */
  async resume(now: number): Promise<void> {
    const today = dayOf(now);
    for (const day of this.#indexedDays()) {
      const state = this.#store.state.days[day];
      if (state?.evictedAt !== undefined) continue;
      const open = this.#device.doc().telemetry[day]?.rollup === undefined;
      if (day < today && open) await this.close(day);
      else if (day < today && !this.isAcknowledged(day)) await this.handle(day);
    }
  }

  /** Writes one sample tick as one Automerge change into its day's document. */
  async append(sample: Sample): Promise<{ day: Day; handle: DocHandle<TelemetryDayDoc> }> {
    const day = dayOf(sample.at);
    const closed = this.#device.doc().telemetry[day]?.rollup !== undefined;
    if ((this.#current && day < this.#current.day) || closed) {
      // The clock went back past midnight: that day is closed and its heads are final (the relay
      // may already have acknowledged them), so it is not written again.
      throw new ClockBehind(sample.at, this.#current?.day ?? day);
    }
    if (this.#current?.day !== day) {
      if (this.#current) await this.close(this.#current.day);
      this.#current = { day, handle: await this.#openDay(day) };
    }
    const { handle } = this.#current;
    const pendingAudit = this.#pendingAudit.splice(0);
    handle.change((doc) => {
      this.#declareNewMetrics(doc, sample);
      appendSample(doc, sample);
      doc.audit.push(...toStored(pendingAudit));
    });
    return { day, handle };
  }

  /**
   * Appends audit entries to the document of the day each happened, one change per document. A
   * closed day is never written again (its final heads are recorded), so an entry for one (a
   * clock behind) goes into the open day, or, with none open, waits for the next sample's day.
   */
  async audit(...entries: AuditEntry[]): Promise<void> {
    const targets = new Map<Day, DocHandle<TelemetryDayDoc> | undefined>();
    const byHandle = new Map<DocHandle<TelemetryDayDoc>, AuditEntry[]>();
    for (const entry of entries) {
      const day = dayOf(entry.at);
      if (!targets.has(day)) targets.set(day, await this.#auditTarget(day));
      const handle = targets.get(day);
      if (handle === undefined) {
        this.#pendingAudit.push(entry);
        continue;
      }
      const list = byHandle.get(handle);
      if (list === undefined) byHandle.set(handle, [entry]);
      else list.push(entry);
    }
    for (const [handle, list] of byHandle) {
      handle.change((doc) => {
        doc.audit.push(...toStored(list));
      });
    }
  }

  /** The day document an audit entry of `day` goes into, or none yet (see {@link audit}). */
  async #auditTarget(day: Day): Promise<DocHandle<TelemetryDayDoc> | undefined> {
    const closed =
      this.#device.doc().telemetry[day]?.rollup !== undefined ||
      (this.#current !== undefined && day < this.#current.day);
    if (!closed) {
      return this.#current?.day === day ? this.#current.handle : await this.#openDay(day);
    }
    return this.#current?.handle;
  }

  /**
   * Closes `day`: its rollup and sample count go into the DeviceDoc index and its final heads into
   * the agent's state, which is flushed before anything may delete the document.
   */
  async close(day: Day): Promise<void> {
    const handle = await this.handle(day);
    if (handle === undefined) return;
    const doc = handle.doc();
    const rollup = computeRollup(doc);
    const samples = countSamples(doc);
    this.#device.change((device) => {
      const entry = device.telemetry[day];
      if (entry === undefined) return;
      entry.samples = samples;
      entry.rollup = rollup;
    });
    this.#store.update((state) => {
      state.days[day] = { ...state.days[day], finalHeads: [...handle.heads()] };
    });
    await Promise.all([
      this.#store.flush(),
      this.#repo.flush([handle.documentId, this.#device.documentId]),
    ]);
    if (this.#current?.day === day) this.#current = undefined;
    this.#logger.info({ day, samples }, `closed telemetry day ${day} (${samples} samples)`);
  }

  /** The handle of `day`'s document (loading it), or `undefined` when it has none or was evicted. */
  async handle(day: Day): Promise<DocHandle<TelemetryDayDoc> | undefined> {
    const loaded = this.#loaded.get(day);
    if (loaded) return loaded;
    const url = this.urlOf(day);
    if (url === undefined || this.#store.state.days[day]?.evictedAt !== undefined) return undefined;
    let handle: DocHandle<TelemetryDayDoc>;
    try {
      handle = await this.#repo.find<TelemetryDayDoc>(url as AutomergeUrl);
    } catch (error) {
      // Not on this disk (a crash before its first save) and no relay to ask right now.
      this.#logger.warn({ day, url, err: error }, `telemetry day ${day} is not available locally`);
      return undefined;
    }
    this.#remember(day, handle);
    return handle;
  }

  /** The `automerge:` URL the DeviceDoc index gives for `day`. */
  urlOf(day: Day): string | undefined {
    return this.#device.doc().telemetry[day]?.url;
  }

  /** True when the relay acknowledged `day`'s final heads (so it has every sample of it). */
  isAcknowledged(day: Day): boolean {
    const state = this.#store.state.days[day];
    const final = state?.finalHeads;
    const acknowledged = state?.acknowledged?.heads;
    if (final === undefined || acknowledged === undefined) return false;
    // Only the agent writes a day document, so its acknowledged heads are exactly its final
    // heads once the relay has it all. Anything else, however close, is not enough.
    return final.every((head) => acknowledged.includes(head));
  }

  /** Days in the DeviceDoc index, oldest first. */
  indexedDays(): Day[] {
    return this.#indexedDays();
  }

  /** The open day, if any. */
  get currentDay(): Day | undefined {
    return this.#current?.day;
  }

  /** Forgets a day document the agent replaced or deleted. */
  forget(day: Day): void {
    this.#loaded.delete(day);
  }

  /** Points `day`'s index entry at a replacement document (a downsampled copy). */
  replace(day: Day, handle: DocHandle<TelemetryDayDoc>): void {
    const samples = countSamples(handle.doc());
    this.#device.change((device) => {
      const entry = device.telemetry[day];
      if (entry === undefined) return;
      entry.url = handle.url;
      // The rollup stays: computed from every original sample, it is the better summary.
      entry.samples = samples;
    });
    this.#remember(day, handle);
  }

  #indexedDays(): Day[] {
    return (Object.keys(this.#device.doc().telemetry) as Day[]).sort();
  }

  async #openDay(day: Day): Promise<DocHandle<TelemetryDayDoc>> {
    const existing = await this.handle(day);
    if (existing) return existing;
    const handle = this.#repo.create<TelemetryDayDoc>(
      createTelemetryDayDoc(this.#deviceId, day, this.#intervalS(), this.#metrics),
    );
    this.#device.change((device) => {
      device.telemetry[day] = { url: handle.url, samples: 0 };
    });
    this.#remember(day, handle);
    this.#logger.info({ day, url: handle.url }, `opened telemetry day ${day}`);
    return handle;
  }

  #remember(day: Day, handle: DocHandle<TelemetryDayDoc>): void {
    this.#loaded.set(day, handle);
    this.#onOpened(day, handle);
  }

  /** A metric a newer agent version reports that the day document does not declare yet. */
  #declareNewMetrics(doc: TelemetryDayDoc, sample: Sample): void {
    for (const name of Object.keys(sample.values)) {
      const descriptor = this.#metrics[name];
      if (descriptor && !Object.hasOwn(doc.metrics, name)) {
        doc.metrics[name] = { unit: descriptor.unit, scale: descriptor.scale };
      }
    }
  }
}
