/**
 * Measurement hooks installed in a server process before its server starts. The same hooks run
 * in every server's process (ours, the reference, the baseline), so all are measured the same
 * way, and they load nothing (no Automerge of their own) that would add to what they measure.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { type AddressInfo, Server, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Counts the TCP payload bytes every accepted socket reads (HTTP upgrades and websocket frames),
 * by wrapping `net.Server.prototype.listen`; counting at the socket is the one method that works
 * for a server whose code we do not control.
 */
export class IncomingByteMeter {
  readonly #open = new Set<Socket>();
  #closedBytes = 0;
  #listening: Promise<number> | undefined;

  /**
   * Wraps `listen` for every server created from now on. With `loopbackOnly`, a `listen(port, cb)`
   * (the reference server's, which binds every interface) is bound to 127.0.0.1 instead: the
   * reference has no authentication and must not be reachable from the network.
   */
  install(options: { loopbackOnly: boolean }): void {
    const meter = this;
    const original = Server.prototype.listen;
    const wrapped = function (this: Server, ...args: unknown[]): Server {
      meter.#watch(this);
      if (options.loopbackOnly && typeof args[0] === "number" && typeof args[1] === "function") {
        args.splice(1, 0, "127.0.0.1");
      }
      return (original as (...rest: unknown[]) => Server).apply(this, args);
    };
    Server.prototype.listen = wrapped as typeof Server.prototype.listen;
  }

  /** The port of the first server that listened. */
  port(): Promise<number> {
    if (this.#listening === undefined) throw new Error("no server has called listen()");
    return this.#listening;
  }

  /** Bytes read so far by every socket, open or closed. */
  total(): number {
    let bytes = this.#closedBytes;
    for (const socket of this.#open) bytes += socket.bytesRead;
    return bytes;
  }

  #watch(server: Server): void {
    this.#listening ??= new Promise((resolve) => {
      server.once("listening", () => resolve((server.address() as AddressInfo).port));
    });
    server.on("connection", (socket: Socket) => {
      this.#open.add(socket);
      socket.once("close", () => {
        this.#open.delete(socket);
        this.#closedBytes += socket.bytesRead;
      });
    });
  }
}

interface StorageSubsystemModule {
  StorageSubsystem: { prototype: { saveDoc(documentId: string, doc: object): Promise<void> } };
}

/**
 * Reports every document state the server's automerge-repo finished writing to its storage
 * adapter. `StorageSubsystem.saveDoc` is the one path to disk in automerge-repo 1.x and 2.x (the
 * throttled save and `flush` both end there), and it is not exported, so it is patched in the
 * module file next to the package's entry point (the same module instance the server uses).
 *
 * @param automergeRepoEntry - the resolved path of that server's `@automerge/automerge-repo`.
 */
export async function reportStoredHeads(
  automergeRepoEntry: string,
  report: (documentId: string, heads: string[]) => void,
): Promise<void> {
  // The entry point is dist/entrypoints/fullfat.js in both major versions.
  const file = join(dirname(automergeRepoEntry), "..", "storage", "StorageSubsystem.js");
  const { StorageSubsystem } = (await import(pathToFileURL(file).href)) as StorageSubsystemModule;
  const saveDoc = StorageSubsystem.prototype.saveDoc;
  StorageSubsystem.prototype.saveDoc = async function (documentId, doc) {
    // Taken before the first await, as saveDoc serializes the document: these heads are what
    // this call writes. Our relay's durable ack captures its heads the same way.
    const heads = headsOf(doc);
    await saveDoc.call(this, documentId, doc);
    report(documentId, heads);
  };
}

/**
 * The heads of an Automerge document (2.x or 3.x), read as both versions' `getHeads` does: from
 * the state kept under the global symbol `_am_meta`. Importing Automerge here instead would load
 * a second copy into the reference server's process and inflate its memory figure.
 */
function headsOf(doc: object): string[] {
  const state = Reflect.get(doc, Symbol.for("_am_meta")) as
    | { heads?: string[]; handle?: { getHeads(): string[] } }
    | undefined;
  const heads = state?.heads ?? state?.handle?.getHeads();
  if (heads === undefined) {
    throw new Error("saveDoc was given something without Automerge state; update headsOf()");
  }
  return heads;
}

/**
 * Peak resident memory since {@link PeakRss.reset}. Linux's VmHWM catches spikes between
 * samples; where it cannot be read or reset, a 50 ms sampler stands in.
 */
export class PeakRss {
  #sampledPeak = 0;
  #hwmWasReset = false;

  constructor() {
    setInterval(() => {
      this.#sampledPeak = Math.max(this.#sampledPeak, process.memoryUsage.rss());
    }, 50).unref();
  }

  /** Starts a new measurement (the timed part). */
  reset(): void {
    this.#sampledPeak = process.memoryUsage.rss();
    try {
      // "5" resets the peak RSS (VmHWM) to the current RSS (proc(5), Linux 4.0+).
      writeFileSync("/proc/self/clear_refs", "5");
      this.#hwmWasReset = true;
    } catch {
      this.#hwmWasReset = false;
    }
  }

  /** Bytes. */
  peak(): number {
    const sampled = Math.max(this.#sampledPeak, process.memoryUsage.rss());
    if (!this.#hwmWasReset) return sampled;
    try {
      const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
      return kib === undefined ? sampled : Math.max(sampled, Number(kib) * 1024);
    } catch {
      return sampled;
    }
  }
}
