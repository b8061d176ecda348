import { closeSync, openSync } from "node:fs";
import type { RelayLimits } from "@outpost/relay";
import { ChildChannel, guarded, type Mortal } from "./child-channel.js";
import type {
  ServerAddress,
  ServerCommand,
  ServerEvent,
  ServerKind,
  ServerStats,
} from "./messages.js";
import { waitUntilSyncing } from "./sync-probe.js";

const SERVER_PROCESS = new URL("./server-process.ts", import.meta.url);
const START_TIMEOUT_MS = 120_000;

/** The main process's side of one server process (see server-process.ts). */
export class ServerChild implements Mortal {
  readonly kind: ServerKind;
  readonly address: ServerAddress;
  readonly #channel: ChildChannel<ServerCommand, ServerEvent>;

  private constructor(
    kind: ServerKind,
    channel: ChildChannel<ServerCommand, ServerEvent>,
    address: ServerAddress,
  ) {
    this.kind = kind;
    this.#channel = channel;
    this.address = address;
  }

  /**
   * Starts a `kind` server on `dataDirectory` (new or existing), ours with `relayLimits` over its
   * defaults, and waits until it answers a sync handshake. Its stderr (our relay's log) is
   * appended to `logPath`: a storm makes a lot of log lines, and writing them is part of what
   * the relay costs, but they must not flood the benchmark's output.
   */
  static async start(
    kind: ServerKind,
    dataDirectory: string,
    logPath: string,
    relayLimits: Partial<RelayLimits> = {},
  ): Promise<ServerChild> {
    const log = openSync(logPath, "a");
    let channel: ChildChannel<ServerCommand, ServerEvent>;
    try {
      channel = ChildChannel.fork<ServerCommand, ServerEvent>(
        { outpost: "relay", reference: "reference server", baseline: "baseline server" }[kind],
        SERVER_PROCESS,
        [kind, dataDirectory, JSON.stringify(relayLimits)],
        log,
      );
    } finally {
      closeSync(log); // the child has its own descriptor
    }
    try {
      const { address } = await channel.next("listening", START_TIMEOUT_MS);
      await guarded([channel], waitUntilSyncing(address), START_TIMEOUT_MS, "for a sync handshake");
      return new ServerChild(kind, channel, address);
    } catch (error) {
      await channel.kill();
      throw error;
    }
  }

  /** Process ID, for profiling. */
  get pid(): number | undefined {
    return this.#channel.pid;
  }

  /** Calls `listener` whenever the server's storage finished writing a document. */
  onStored(listener: (documentId: string, heads: string[]) => void): void {
    this.#channel.on("stored", (event) => listener(event.documentId, event.heads));
  }

  /** Starts the measurement of CPU, bytes and peak memory (the start of the timed part). */
  async mark(): Promise<void> {
    const marked = this.#channel.next("marked", 30_000);
    this.#channel.send({ type: "mark" });
    await marked;
  }

  /** What the server process measured since {@link mark}. */
  async stats(): Promise<ServerStats> {
    const reply = this.#channel.next("stats", 30_000);
    this.#channel.send({ type: "stats" });
    return (await reply).stats;
  }

  failure(): Promise<never> {
    return this.#channel.failure();
  }

  /** Kills the server without letting it flush: only what it already wrote survives. */
  kill(): Promise<void> {
    return this.#channel.kill("SIGKILL");
  }
}
