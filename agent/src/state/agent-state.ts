import { join } from "node:path";
import { isDay, isDeviceId, revocationSchema } from "@outpost/shared-model";
import { writeFileDurably } from "@outpost/shared-model/storage";
import { z } from "zod";
import { readJsonFile } from "./json-file.js";

/** The agent's own bookkeeping in its data folder, next to the Automerge storage. */
export const STATE_FILE = "agent-state.json";

const heads = z.array(z.string().min(1));

const acknowledgementSchema = z.strictObject({
  heads,
  /** Relay clock when it flushed. */
  storedAt: z.number(),
  /** Agent clock when the acknowledgement arrived. */
  receivedAt: z.number(),
});

const dayStateSchema = z.strictObject({
  /** Heads when the day closed; the relay must acknowledge these before the day may go. */
  finalHeads: heads.optional(),
  /** The last durable acknowledgement of this day's document. */
  acknowledged: acknowledgementSchema.optional(),
  /** When the day's document was deleted from this device (the relay keeps it). */
  evictedAt: z.number().optional(),
  /** Earlier documents of this day replaced by a coarser copy to stay within the disk budget. */
  downsampledFrom: z.array(z.string()).optional(),
});

const recordedProcessSchema = z.strictObject({
  pid: z.number().int().positive(),
  startTime: z.string().optional(),
});

const stateSchema = z.strictObject({
  version: z.literal(1),
  deviceId: z.string().refine(isDeviceId, { message: "expected a device ID" }),
  deviceDocUrl: z.string().startsWith("automerge:"),
  createdAt: z.number(),
  deviceDocAcknowledged: acknowledgementSchema.optional(),
  days: z.record(
    z.string().refine(isDay, { message: "expected a day YYYY-MM-DD" }),
    dayStateSchema,
  ),
  /** Process groups of the commands running now, by command ID: a killed agent's leftovers. */
  commandProcesses: z.record(z.string(), recordedProcessSchema).optional(),
  /**
   * Admin key revocations learnt from the fleet's TrustDoc, by key ID: final, so a restart (or a
   * TrustDoc that does not sync) never brings a revoked key back. Checked against the root again
   * when read.
   */
  revocations: z.record(z.string(), revocationSchema).optional(),
});

/** What the agent keeps about itself and its day documents across restarts. */
export type AgentState = z.infer<typeof stateSchema>;

/**
 * How long an update may wait to be written. Acknowledgements of the open day arrive with every
 * sample; writing (and fsyncing) the file for each would double the agent's disk writes. Losing
 * the last half-minute of them in a crash costs nothing: the relay acknowledges again on the next
 * sync. Steps that must be durable call `flush()`.
 */
const COALESCED_SAVE_DELAY_MS = 30_000;

/** The state file exists but cannot be used; says which file and what is wrong. */
export class StateFileError extends Error {
  override name = "StateFileError";
}

/**
 * The state file, read once and written through a durable rename. Frequent updates (an ack every
 * few seconds while syncing) are coalesced: `update()` writes at most once per `saveDelayMs`,
 * and `flush()` writes now, for the steps that must be on disk before the next one (a day's final
 * heads before its document may be deleted).
 */
export class AgentStateStore {
  readonly #path: string;
  readonly #saveDelayMs: number;
  #state: AgentState;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  private constructor(path: string, state: AgentState, saveDelayMs: number) {
    this.#path = path;
    this.#state = state;
    this.#saveDelayMs = saveDelayMs;
  }

  /**
   * Reads the state in `dataDirectory`, or starts it with `create()` (and writes it) on first run.
   *
   * @throws StateFileError when the file is not JSON or not agent state.
   */
  static async open(
    dataDirectory: string,
    create: () => AgentState,
    options: { saveDelayMs?: number } = {},
  ): Promise<AgentStateStore> {
    const path = join(dataDirectory, STATE_FILE);
    const existing = await readState(path);
    const store = new AgentStateStore(
      path,
      existing ?? create(),
      options.saveDelayMs ?? COALESCED_SAVE_DELAY_MS,
    );
    if (existing === undefined) await store.flush();
    return store;
  }

  /** Reads the state without opening it for writing, or `undefined` before the first run. */
  static read(dataDirectory: string): Promise<AgentState | undefined> {
    return readState(join(dataDirectory, STATE_FILE));
  }

  /** The current state; change it only through {@link update}. */
  get state(): Readonly<AgentState> {
    return this.#state;
  }

  /** Applies `change` and schedules a save. */
  update(change: (state: AgentState) => void): void {
    change(this.#state);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush().catch(() => {
        // A failed coalesced save is retried by the next update or flush, which reports it.
      });
    }, this.#saveDelayMs);
    this.#timer.unref();
  }

  /** Writes the state now (after any write under way). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const text = `${JSON.stringify(this.#state, null, 2)}\n`;
    this.#writing = this.#writing
      .catch(() => {})
      .then(() => writeFileDurably(this.#path, new TextEncoder().encode(text)));
    return this.#writing;
  }
}

function readState(path: string): Promise<AgentState | undefined> {
  return readJsonFile(
    path,
    stateSchema,
    (message, cause) => new StateFileError(message, { cause }),
  );
}
